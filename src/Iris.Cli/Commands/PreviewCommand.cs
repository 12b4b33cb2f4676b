using System.ComponentModel;
using Iris.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Iris.Cli.Commands;

/// <summary><c>iris preview ID -o FILE</c>: saves the thumbnail of a completed image.</summary>
public sealed class PreviewCommand : ClientCommand<PreviewCommand.Settings>
{
    public sealed class Settings : ClientSettings
    {
        [CommandArgument(0, "<ID>")]
        [Description("coactiveImageId of a completed image.")]
        public string Id { get; init; } = "";

        [CommandOption("-o|--output <FILE>")]
        [Description("Where to write the thumbnail ('-' for stdout).")]
        public string? Output { get; init; }

        public override ValidationResult Validate()
        {
            if (!Guid.TryParse(Id, out _)) return ValidationResult.Error($"'{Id}' is not an image id (a UUID).");
            return string.IsNullOrEmpty(Output) ? ValidationResult.Error("Say where to write the preview: -o FILE.") : ValidationResult.Success();
        }
    }

    protected override async Task<int> RunAsync(Session session, Settings settings, CancellationToken ct)
    {
        var id = Guid.Parse(settings.Id);
        ImagePreview preview;
        try
        {
            preview = await session.Images.OpenPreviewAsync(id, ct);
        }
        catch (ApiException e) when (e.StatusCode == 404)
        {
            throw new CliException(ExitCodes.NotFound, $"No preview for image {id}: {e.Detail ?? "not found"}");
        }
        using (preview)
        {
            long written;
            if (settings.Output == "-")
            {
                await using var stdout = Console.OpenStandardOutput();
                await preview.Content.CopyToAsync(stdout, ct);
                return ExitCodes.Ok;
            }
            var target = Path.GetFullPath(settings.Output!);
            var temp = target + ".part";
            await using (var file = File.Create(temp))
            {
                await preview.Content.CopyToAsync(file, ct);
                written = file.Length;
            }
            File.Move(temp, target, overwrite: true);
            if (session.Json)
                Console.Out.WriteLine($$"""{"coactiveImageId": "{{id}}", "file": {{System.Text.Json.JsonSerializer.Serialize(target, IrisJsonContext.Default.String)}}, "mediaType": {{System.Text.Json.JsonSerializer.Serialize(preview.MediaType ?? "", IrisJsonContext.Default.String)}}, "sizeBytes": {{written}}}""");
            else
                AnsiConsole.MarkupLine($"Wrote the preview of {id} ({preview.MediaType}, {written} bytes) to [bold]{Markup.Escape(target)}[/].");
        }
        return ExitCodes.Ok;
    }
}
