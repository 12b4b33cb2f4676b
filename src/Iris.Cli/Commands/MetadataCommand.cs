using System.ComponentModel;
using System.Text.Json;
using Iris.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Iris.Cli.Commands;

/// <summary><c>iris metadata ID...</c>: the metadata of images (any number, asked 1000 at a time).</summary>
public sealed class MetadataCommand : ClientCommand<MetadataCommand.Settings>
{
    public sealed class Settings : ClientSettings
    {
        [CommandArgument(0, "<ID>")]
        [Description("coactiveImageId of an image (several allowed).")]
        public string[] Ids { get; init; } = [];

        public override ValidationResult Validate() =>
            Ids.FirstOrDefault(id => !Guid.TryParse(id, out _)) is { } bad
                ? ValidationResult.Error($"'{bad}' is not an image id (a UUID).")
                : ValidationResult.Success();
    }

    protected override async Task<int> RunAsync(Session session, Settings settings, CancellationToken ct)
    {
        var ids = settings.Ids.Select(Guid.Parse).Distinct().ToList();
        var found = new List<AssetResponse>();
        await foreach (var asset in session.Images.EnumerateMetadataForImagesAsync(ids, ct)) found.Add(asset);

        if (session.Json) Output.Json<IReadOnlyList<AssetResponse>>(found, IrisJsonContext.Indented.IReadOnlyListAssetResponse);
        else foreach (var asset in found) Print(asset);

        var missing = ids.Except(found.Select(a => a.CoactiveImageId)).ToList();
        if (missing.Count == 0) return ExitCodes.Ok;
        return ClientCommand<Settings>.Fail(ExitCodes.NotFound, $"Image not found: {string.Join(", ", missing)}");
    }

    private static void Print(AssetResponse a)
    {
        var rows = new List<(string, string?)>
        {
            ("Path", a.Path), ("Status", a.Status), ("Dataset", a.DatasetId.ToString()), ("User id", a.Id),
            ("Created", $"{Output.Time(a.CreatedDt)} by {a.CreatedUserId}"), ("Updated", $"{Output.Time(a.UpdatedDt)} by {a.UpdatedUserId}"),
        };
        if (a.TechnicalMetadata is { } t)
        {
            rows.Add(("Format", $"{t.Format} ({t.MimeType})"));
            rows.Add(("Size", $"{t.Width} x {t.Height} px, {t.SizeBytes} bytes"));
            rows.Add(("SHA-256", t.Sha256));
            if (t.Orientation is { } o) rows.Add(("Orientation", o.ToString()));
            foreach (var (tag, value) in t.Exif) rows.Add(($"EXIF {tag}", value));
        }
        if (a.Metadata is { } metadata)
            foreach (var (key, value) in metadata)
                rows.Add(($"metadata.{key}", value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()));
        Output.Properties(a.CoactiveImageId.ToString(), rows);
        AnsiConsole.WriteLine();
    }
}
