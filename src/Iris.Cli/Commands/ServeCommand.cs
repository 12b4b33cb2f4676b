using System.ComponentModel;
using Iris.Server;
using Spectre.Console.Cli;

namespace Iris.Cli.Commands;

/// <summary><c>iris serve</c>: flags first, then IRIS_* variables, then defaults.</summary>
public sealed class ServeCommand : AsyncCommand<ServeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--urls <URLS>")]
        [Description("Addresses to listen on, ';'-separated (env IRIS_URLS; default http://127.0.0.1:8080).")]
        public string? Urls { get; init; }

        [CommandOption("--data <DIR>")]
        [Description("Data folder: catalog, uploads, previews (env IRIS_DATA; default ./iris-data).")]
        public string? Data { get; init; }

        [CommandOption("--allow-root <DIR>")]
        [Description("A folder file:/// paths may point into; repeat for several (env IRIS_ALLOW_ROOTS, ':'-separated).")]
        public string[]? AllowRoots { get; init; }

        [CommandOption("--workers <N>")]
        [Description("Ingestion workers (env IRIS_WORKERS; default: one per core).")]
        public int? Workers { get; init; }

        [CommandOption("--max-image-bytes <BYTES>")]
        [Description("Largest image file ingested (env IRIS_MAX_IMAGE_BYTES; default 536870912).")]
        public long? MaxImageBytes { get; init; }

        [CommandOption("--max-pixels <PIXELS>")]
        [Description("Largest image by pixel count (env IRIS_MAX_PIXELS; default 100000000).")]
        public long? MaxPixels { get; init; }

        [CommandOption("--max-upload-bytes <BYTES>")]
        [Description("Largest multipart upload request (env IRIS_MAX_UPLOAD_BYTES; default 1073741824).")]
        public long? MaxUploadBytes { get; init; }

        public override Spectre.Console.ValidationResult Validate()
        {
            if (Workers is < 1 or > 256) return Spectre.Console.ValidationResult.Error("--workers must be 1 to 256.");
            if (MaxImageBytes is < 1 || MaxPixels is < 1 || MaxUploadBytes is < 1)
                return Spectre.Console.ValidationResult.Error("Limits must be positive.");
            return Spectre.Console.ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var defaults = new IrisOptions();
        var options = new IrisOptions
        {
            DataDirectory = settings.Data ?? Env("IRIS_DATA") ?? defaults.DataDirectory,
            AllowedRoots = settings.AllowRoots is { Length: > 0 } roots
                ? [.. roots]
                : [.. (Env("IRIS_ALLOW_ROOTS") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            Workers = settings.Workers ?? (int?)EnvNumber("IRIS_WORKERS") ?? defaults.Workers,
            MaxImageBytes = settings.MaxImageBytes ?? EnvNumber("IRIS_MAX_IMAGE_BYTES") ?? defaults.MaxImageBytes,
            MaxPixels = settings.MaxPixels ?? EnvNumber("IRIS_MAX_PIXELS") ?? defaults.MaxPixels,
            MaxUploadBytes = settings.MaxUploadBytes ?? EnvNumber("IRIS_MAX_UPLOAD_BYTES") ?? defaults.MaxUploadBytes,
        };
        foreach (var root in options.AllowedRoots)
        {
            if (!Directory.Exists(root)) throw new InvalidOperationException($"--allow-root {root}: no such folder.");
        }
        var urls = settings.Urls ?? Env("IRIS_URLS") ?? IrisServer.DefaultUrls;
        await IrisServer.RunAsync(options, urls, cancellationToken);
        return ExitCodes.Ok;
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static long? EnvNumber(string name)
    {
        if (Env(name) is not { } value) return null;
        return long.TryParse(value, out var number) && number > 0
            ? number
            : throw new InvalidOperationException($"{name}={value} is not a positive number.");
    }
}
