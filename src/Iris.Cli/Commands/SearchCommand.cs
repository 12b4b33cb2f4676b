using System.ComponentModel;
using Iris.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Iris.Cli.Commands;

/// <summary>
/// <c>iris search IMAGE_ID --dataset DATASET</c>, <c>iris search --file PATH --dataset DATASET</c> or
/// <c>iris search --url URL --dataset DATASET</c>: the dataset's images most like the query image, best first.
/// </summary>
public sealed class SearchCommand : ClientCommand<SearchCommand.Settings>
{
    public sealed class Settings : ClientSettings
    {
        [CommandArgument(0, "[IMAGE_ID]")]
        [Description("coactiveImageId of the query image (an image of any of your datasets).")]
        public string? ImageId { get; init; }

        [CommandOption("-f|--file <PATH>")]
        [Description("A local image file as the query image (sent with the search).")]
        public string? File { get; init; }

        [CommandOption("-u|--url <URL>")]
        [Description("A public http(s) URL of the query image (the server fetches it).")]
        public string? Url { get; init; }

        [CommandOption("-d|--dataset <DATASET>")]
        [Description("The dataset to search (name or id).")]
        public string? Dataset { get; init; }

        [CommandOption("-n|--limit <N>")]
        [Description("How many hits to show, 1 to 1000 (default 10).")]
        public int Limit { get; init; } = 10;

        [CommandOption("--offset <N>")]
        [Description("Hits to skip first (default 0).")]
        public int Offset { get; init; }

        public override ValidationResult Validate()
        {
            var given = (ImageId is not null ? 1 : 0) + (File is not null ? 1 : 0) + (Url is not null ? 1 : 0);
            if (given != 1) return ValidationResult.Error("Give one query image: IMAGE_ID, --file PATH or --url URL.");
            if (ImageId is not null && !Guid.TryParse(ImageId, out _)) return ValidationResult.Error($"'{ImageId}' is not an image id (a UUID).");
            if (File is not null && !System.IO.File.Exists(File)) return ValidationResult.Error($"{File}: no such file.");
            if (string.IsNullOrEmpty(Dataset)) return ValidationResult.Error("Say which dataset to search: --dataset DATASET.");
            if (Limit is < 1 or > SearchApi.MaxLimit) return ValidationResult.Error($"--limit must be 1 to {SearchApi.MaxLimit}.");
            if (Offset < 0 || Offset + Limit > SearchApi.MaxWindow)
                return ValidationResult.Error($"--offset must be 0 or more, and --offset + --limit at most {SearchApi.MaxWindow}.");
            return ValidationResult.Success();
        }
    }

    protected override async Task<int> RunAsync(Session session, Settings settings, CancellationToken ct)
    {
        // An id goes as is (the search answers 404 for an unknown one); a name is looked up first.
        var datasetId = Guid.TryParse(settings.Dataset, out var id) ? id : (await session.ResolveDatasetAsync(settings.Dataset!, ct)).Id;
        ImageSearchResponse result;
        try
        {
            if (settings.ImageId is not null)
                result = await session.Search.SearchByImageAsync(datasetId, Guid.Parse(settings.ImageId), settings.Limit, settings.Offset, cancellationToken: ct);
            else if (settings.Url is not null)
                result = await session.Search.SearchByUrlAsync(datasetId, settings.Url, settings.Limit, settings.Offset, cancellationToken: ct);
            else
            {
                await using var file = System.IO.File.OpenRead(settings.File!);
                result = await session.Search.SearchByFileAsync(datasetId, file, Path.GetFileName(settings.File!), settings.Limit, settings.Offset, cancellationToken: ct);
            }
        }
        catch (ApiException e) when (e.StatusCode == 404)
        {
            throw new CliException(ExitCodes.NotFound,
                $"{e.Detail ?? e.Message} (searching dataset {datasetId}{(settings.ImageId is { } image ? $" for image {image}" : "")}).");
        }
        catch (ApiException e) when (e.StatusCode == 422)
        {
            // What was asked cannot be searched: the server's reasons, each at the field it names.
            throw new CliException(ExitCodes.Usage, $"Cannot search: {string.Join("; ", e.ValidationErrors.Select(v => $"{v.Where()}: {v.Msg}"))}");
        }

        if (session.Json)
        {
            Output.Json(result, IrisV1JsonContext.Indented.ImageSearchResponse);
            return ExitCodes.Ok;
        }
        if (result.Data.Count == 0)
        {
            AnsiConsole.MarkupLine(settings.Offset > 0 ? "No hits after that offset." : "No hits: the dataset has no other completed images with embeddings.");
            return ExitCodes.Ok;
        }
        var table = Output.Table("Rank", "Score", "Path", "Image id");
        table.Columns[0].RightAligned();
        table.Columns[1].RightAligned();
        var rank = settings.Offset;
        foreach (var hit in result.Data)
            table.AddRow((++rank).ToString(), hit.Score.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(hit.Path ?? ""), hit.CoactiveImageId.ToString());
        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }
}
