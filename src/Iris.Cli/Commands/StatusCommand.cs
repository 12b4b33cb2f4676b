using System.ComponentModel;
using Iris.Cli.Ingest;
using Iris.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Iris.Cli.Commands;

/// <summary>
/// <c>iris status DATASET PATH...</c>: the ingestion status of files (as <c>iris ingest</c> named them) or remote paths.
/// Exits 7 if one is in error, else 5 if one was never added (<c>not_found</c>).
/// </summary>
public sealed class StatusCommand : ClientCommand<StatusCommand.Settings>
{
    public sealed class Settings : ClientSettings
    {
        [CommandArgument(0, "<DATASET>")]
        [Description("The dataset's name or id.")]
        public string Dataset { get; init; } = "";

        [CommandArgument(1, "<PATH>")]
        [Description("The same paths as given to 'iris ingest': folders, files, globs, s3:// or http(s):// paths.")]
        public string[] Paths { get; init; } = [];
    }

    protected override async Task<int> RunAsync(Session session, Settings settings, CancellationToken ct)
    {
        var (local, remote) = InputPaths.Expand(settings.Paths);
        var dataset = await session.ResolveDatasetAsync(settings.Dataset, ct);
        var statuses = new List<ImageStatusResponse>();
        await foreach (var s in session.Images.EnumerateStatusesForImagesAsync(dataset.Id, local.Select(f => f.IrisPath).Concat(remote), ct))
            statuses.Add(s);

        if (session.Json)
            Output.Json<IReadOnlyList<ImageStatusResponse>>(statuses, IrisJsonContext.Indented.IReadOnlyListImageStatusResponse);
        else
        {
            var table = Output.Table("Path", "Status", "Image", "Error", "Reason");
            foreach (var s in statuses)
                table.AddRow(Markup.Escape(s.Path), Output.StatusMarkup(s.Status), s.CoactiveImageId?.ToString() ?? "-",
                    Markup.Escape(s.ErrorCode ?? ""), Markup.Escape(s.ErrorReason ?? ""));
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine(string.Join(", ", statuses.GroupBy(s => s.Status).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}")));
        }
        // An image in error is the more urgent news; a path never added is still not what the caller expected.
        if (statuses.Any(s => s.Status == ImageStatus.Error)) return ExitCodes.ImagesFailed;
        return statuses.Any(s => s.Status == ImageStatus.NotFound) ? ExitCodes.NotFound : ExitCodes.Ok;
    }
}
