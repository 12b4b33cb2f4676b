using System.ComponentModel;
using Iris.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Iris.Cli.Commands;

/// <summary>
/// <c>iris datasets embed DATASET [--encoder NAME] [--wait]</c>: starts the job that makes embeddings for the dataset's
/// completed images that have none (a dataset created with <c>--encoder none</c> becomes searchable), and follows it.
/// </summary>
public sealed class DatasetsEmbedCommand : ClientCommand<DatasetsEmbedCommand.Settings>
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public sealed class Settings : ClientSettings
    {
        [CommandArgument(0, "<DATASET>")]
        [Description("The dataset's name or id.")]
        public string Dataset { get; init; } = "";

        [CommandOption("-e|--encoder <NAME>")]
        [Description("The dataset's encoder from now on (any of 'iris datasets create --encoder' but none); default: the dataset's own, or multimodal if it has none.")]
        public string? Encoder { get; init; }

        [CommandOption("-w|--wait")]
        [Description("Follow the job until every image has its embedding or is in error.")]
        public bool Wait { get; init; }
    }

    protected override async Task<int> RunAsync(Session session, Settings settings, CancellationToken ct)
    {
        var dataset = await session.ResolveDatasetAsync(settings.Dataset, ct);
        IngestJobResponse job;
        try
        {
            job = await session.Search.StartEmbeddingsJobAsync(dataset.Id, settings.Encoder, ct);
        }
        catch (ApiException e) when (e.StatusCode == 422)
        {
            throw new CliException(ExitCodes.Usage, $"Cannot start an embeddings job for '{dataset.Name}': {string.Join("; ", e.ValidationErrors.Select(v => $"{v.Where()}: {v.Msg}"))}");
        }

        if (settings.Wait && !IngestJobStatus.IsTerminal(job.Status))
        {
            var ingestion = new IngestionApi(session.Client);
            if (Output.Interactive && !session.Json)
            {
                await AnsiConsole.Progress()
                    .AutoClear(false)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async context =>
                    {
                        var task = context.AddTask(Describe(job), maxValue: Math.Max(1, job.TotalAssets ?? 0));
                        // The job's own counters: embedded (processed) and errored of its total.
                        var progress = new Progress<IngestJobResponse>(j =>
                        {
                            task.MaxValue = Math.Max(1, j.TotalAssets ?? 0);
                            task.Value = j.ProcessedAssets + j.ErroredAssets;
                            task.Description = Describe(j);
                        });
                        job = await ingestion.WaitForJobAsync(job.Id, PollInterval, timeout: null, progress, ct);
                        task.Value = task.MaxValue;
                        task.Description = Describe(job);
                    });
            }
            else job = await ingestion.WaitForJobAsync(job.Id, PollInterval, timeout: null, progress: null, ct);
        }

        if (session.Json) Output.Json(job, IrisV1JsonContext.Indented.IngestJobResponse);
        else
        {
            AnsiConsole.MarkupLine($"Embeddings job {job.Id} for [bold]{Markup.Escape(dataset.Name)}[/]: {Output.StatusMarkup(job.Status)}, "
                                   + $"{job.ProcessedAssets} embedded, {job.ErroredAssets} errored of {job.TotalAssets?.ToString() ?? "?"}"
                                   + (job.ErrorDetails is { } details ? $": {Markup.Escape(details)}" : "") + ".");
            if (!IngestJobStatus.IsTerminal(job.Status))
                AnsiConsole.MarkupLine($"Add [bold]--wait[/] to follow it, or see it with the ingestion jobs routes (GET /api/v1/ingestion/jobs/{job.Id}).");
        }
        return job.ErroredAssets > 0 || job.Status is IngestJobStatus.Failed or IngestJobStatus.Stopped ? ExitCodes.ImagesFailed : ExitCodes.Ok;
    }

    private static string Describe(IngestJobResponse j) =>
        $"Embedding [green]{j.ProcessedAssets} done[/] [red]{j.ErroredAssets} errored[/] of {j.TotalAssets?.ToString() ?? "?"}";
}
