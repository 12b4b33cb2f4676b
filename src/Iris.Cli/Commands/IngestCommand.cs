using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using Iris.Cli.Ingest;
using Iris.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Iris.Cli.Commands;

/// <summary><c>iris ingest DATASET PATH... [--wait]</c></summary>
public sealed class IngestCommand : ClientCommand<IngestCommand.Settings>
{
    private const int MaxErrorRows = 50;

    public sealed class Settings : ClientSettings
    {
        [CommandArgument(0, "<DATASET>")]
        [Description("The dataset's name or id.")]
        public string Dataset { get; init; } = "";

        [CommandArgument(1, "<PATH>")]
        [Description("Folders (recursive, image files only), files, globs ('photos/**/*.jpg'), s3://bucket/key, s3://bucket/prefix/, http(s):// URLs.")]
        public string[] Paths { get; init; } = [];

        [CommandOption("-w|--wait")]
        [Description("Follow the uploads' statuses and the ingest jobs of remote paths until every image is completed or error.")]
        public bool Wait { get; init; }

        [CommandOption("-p|--parallel <N>")]
        [Description("Uploads in flight at once (default 4).")]
        public int Parallel { get; init; } = 4;

        [CommandOption("--retry-errors")]
        [Description("Upload again files whose image ended in error (by default only if the file changed since).")]
        public bool RetryErrors { get; init; }

        public override ValidationResult Validate() =>
            Parallel is < 1 or > 64 ? ValidationResult.Error("--parallel must be 1 to 64.") : ValidationResult.Success();
    }

    protected override async Task<int> RunAsync(Session session, Settings settings, CancellationToken ct)
    {
        var (local, remote) = InputPaths.Expand(settings.Paths);
        if (local.Count == 0 && remote.Count == 0)
            throw new CliException(ExitCodes.Usage, "No image files found in the paths given.");
        var dataset = await session.ResolveDatasetAsync(settings.Dataset, ct);
        var run = new IngestRun(session, dataset, settings.Parallel, settings.RetryErrors);

        if (Output.Interactive && !session.Json)
            await RunWithProgressAsync(run, local, remote, settings.Wait, ct);
        else
        {
            await run.PlanAsync(local, remote, ct);
            await run.RunAsync(settings.Wait, ct);
        }

        var summary = Summarize(run, settings.Wait);
        if (session.Json) Output.Json(summary, CliJsonContext.Indented.IngestSummary);
        else PrintSummary(summary, settings);
        return summary.Failed > 0 || summary.Statuses.GetValueOrDefault(ImageStatus.Error) > 0
               || summary.Jobs.Any(j => j.Status is IngestJobStatus.Failed or IngestJobStatus.Stopped)
            ? ExitCodes.ImagesFailed
            : ExitCodes.Ok;
    }

    private static async Task RunWithProgressAsync(IngestRun run, List<LocalFile> local, List<string> remote, bool wait, CancellationToken ct)
    {
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var planning = context.AddTask($"Checking {local.Count + remote.Count} paths against [bold]{Markup.Escape(run.Dataset.Name)}[/]", maxValue: 1);
                planning.IsIndeterminate = true;
                await run.PlanAsync(local, remote, ct);
                planning.IsIndeterminate = false;
                planning.Value = 1;
                planning.Description = $"{run.Items.Count(i => i.Action == IngestAction.Skipped)} already there, {run.SendProgress.ToSend} to send";

                var sending = context.AddTask("Sending", maxValue: Math.Max(1, run.SendProgress.ToSend));
                var ingesting = wait && run.StatusProgress.Followed > 0 ? context.AddTask("Ingesting", maxValue: 1) : null;
                var following = wait && remote.Count > 0 ? context.AddTask("Jobs", maxValue: 1) : null;
                var work = run.RunAsync(wait, ct);
                while (true)
                {
                    var (sent, toSend) = run.SendProgress;
                    sending.Value = toSend == 0 ? 1 : sent;
                    sending.Description = $"Sending   {sent}/{toSend} · {Rate(sent, run.Elapsed)} files/s";
                    var (followed, terminal, byStatus) = run.StatusProgress;
                    if (ingesting is not null)
                    {
                        ingesting.MaxValue = Math.Max(1, followed);
                        ingesting.Value = followed == 0 ? 1 : terminal;
                        ingesting.Description = $"Ingesting {Counts(byStatus)} · {Rate(terminal, run.Elapsed)} images/s";
                    }
                    if (following is not null)
                    {
                        // The jobs' own counters: processed (completed) and errored of their total.
                        var jobs = run.Jobs;
                        long total = jobs.Sum(j => j.TotalAssets ?? 0), processed = jobs.Sum(j => j.ProcessedAssets), errored = jobs.Sum(j => j.ErroredAssets);
                        following.MaxValue = Math.Max(1, total);
                        following.Value = total == 0 ? (work.IsCompleted ? 1 : 0) : processed + errored;
                        following.Description = $"Jobs      {jobs.Count(j => IngestJobStatus.IsTerminal(j.Status))}/{jobs.Count} done · "
                                                + $"[green]{processed} processed[/] [red]{errored} errored[/] of {total}";
                    }
                    if (work.IsCompleted) break;
                    await Task.WhenAny(work, Task.Delay(200, CancellationToken.None));
                }
                await work;
            });
    }

    private static string Counts(Dictionary<string, int> byStatus) =>
        string.Join(" ", new[] { ImageStatus.Completed, ImageStatus.Error, ImageStatus.ProcessingStarted, ImageStatus.Pending }
            .Where(byStatus.ContainsKey)
            .Select(s => s switch
            {
                ImageStatus.Completed => $"[green]{byStatus[s]} completed[/]",
                ImageStatus.Error => $"[red]{byStatus[s]} error[/]",
                _ => $"[yellow]{byStatus[s]} {s}[/]",
            }));

    private static string Rate(int count, TimeSpan elapsed) =>
        (elapsed.TotalSeconds > 0 ? count / elapsed.TotalSeconds : 0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);

    private static IngestSummary Summarize(IngestRun run, bool waited)
    {
        var items = run.Items;
        int Count(string action) => items.Count(i => i.Action == action);
        var statuses = items.Where(i => i.Action != IngestAction.Failed).GroupBy(i => i.Status).ToDictionary(g => g.Key, g => g.Count());
        var processed = items.Count(i => i.Action is IngestAction.Uploaded or IngestAction.Added && ImageStatus.IsTerminal(i.Status));
        var seconds = Math.Round(run.Elapsed.TotalSeconds, 3);
        return new IngestSummary(
            run.Dataset.Id, run.Dataset.Name, items.Count(i => i.File is not null), Count(IngestAction.Uploaded),
            Count(IngestAction.Skipped), Count(IngestAction.Changed), Count(IngestAction.Added), Count(IngestAction.Failed),
            statuses, waited, seconds, seconds > 0 ? Math.Round(processed / seconds, 2) : 0,
            [.. items.Select(i => new IngestedImage(i.Path, i.Action, i.Status, i.CoactiveImageId, i.ErrorCode, i.ErrorReason))],
            [.. run.Jobs.Select(j => new IngestedJob(j.Id, j.JobType, j.Status, j.TotalAssets, j.ProcessedAssets, j.ErroredAssets, j.ErrorDetails))]);
    }

    private static void PrintSummary(IngestSummary s, Settings settings)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(s.DatasetName)}[/] ({s.DatasetId}): {s.Files} files: {s.Uploaded} uploaded, "
                               + $"{s.Skipped} skipped (already there), {s.Changed} changed, {s.Failed} failed; {s.Added} remote paths added.");
        var counts = Output.Table("Status", "Images");
        counts.Columns[1].RightAligned();
        foreach (var (status, count) in s.Statuses.OrderBy(p => p.Key, StringComparer.Ordinal))
            counts.AddRow(Output.StatusMarkup(status), count.ToString());
        AnsiConsole.Write(counts);
        foreach (var j in s.Jobs)
            AnsiConsole.MarkupLine($"Ingest job {j.Id} ({Markup.Escape(j.JobType)}): {Output.StatusMarkup(j.Status)}, {j.ProcessedAssets} processed, "
                                   + $"{j.ErroredAssets} errored of {j.TotalAssets?.ToString() ?? "?"}"
                                   + (j.ErrorDetails is { } details ? $": {Markup.Escape(details)}" : "") + ".");
        if (s.ImagesPerSecond > 0)
            AnsiConsole.MarkupLine($"{s.Seconds:0.0} s, {s.ImagesPerSecond:0.0} images/s{(s.Waited ? " ingested" : " sent")}.");

        var errors = s.Images.Where(i => i.Action == IngestAction.Failed || i.Status == ImageStatus.Error).ToList();
        if (errors.Count > 0)
        {
            var table = Output.Table("Path", "Error", "Reason");
            foreach (var e in errors.Take(MaxErrorRows))
                table.AddRow(Markup.Escape(e.Path), Markup.Escape(e.Action == IngestAction.Failed ? "not sent" : e.ErrorCode ?? "error"), Markup.Escape(e.ErrorReason ?? ""));
            AnsiConsole.MarkupLine($"[red]{errors.Count} images failed:[/]");
            AnsiConsole.Write(table);
            if (errors.Count > MaxErrorRows) AnsiConsole.MarkupLine($"... and {errors.Count - MaxErrorRows} more (--json lists them all).");
        }
        var changed = s.Images.Where(i => i.Action == IngestAction.Changed).ToList();
        if (changed.Count > 0)
        {
            AnsiConsole.MarkupLine($"[yellow]{changed.Count} files changed since they were ingested; Iris keeps the first version of a path, so they were not sent:[/]");
            foreach (var c in changed.Take(10)) AnsiConsole.MarkupLine($"  {Markup.Escape(c.Path)}");
        }
        var open = s.Statuses.Where(p => !ImageStatus.IsTerminal(p.Key)).Sum(p => p.Value);
        if (!s.Waited && open > 0)
            AnsiConsole.MarkupLine($"{open} images are still being ingested: add [bold]--wait[/] to follow them, or run [bold]iris status {Markup.Escape(settings.Dataset)} PATH...[/] later.");
    }
}

public sealed record IngestedImage(string Path, string Action, string Status, Guid? CoactiveImageId, string? ErrorCode, string? ErrorReason);

/// <summary>An ingest job of the run (the remote paths) as it was last seen: its status and counters.</summary>
public sealed record IngestedJob(string Id, string JobType, string Status, long? TotalAssets, long ProcessedAssets, long ErroredAssets, string? ErrorDetails);

/// <summary>The <c>--json</c> answer of <c>iris ingest</c>.</summary>
public sealed record IngestSummary(
    Guid DatasetId,
    string DatasetName,
    int Files,
    int Uploaded,
    int Skipped,
    int Changed,
    int Added,
    int Failed,
    Dictionary<string, int> Statuses,
    bool Waited,
    double Seconds,
    double ImagesPerSecond,
    IReadOnlyList<IngestedImage> Images,
    IReadOnlyList<IngestedJob> Jobs);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(IngestSummary))]
public sealed partial class CliJsonContext : JsonSerializerContext
{
    /// <summary>Indented, non-ASCII paths as they are.</summary>
    public static CliJsonContext Indented { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
