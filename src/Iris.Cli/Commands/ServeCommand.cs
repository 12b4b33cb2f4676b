using System.ComponentModel;
using Iris.Cli.Hosting;
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

        [CommandOption("--max-side <PIXELS>")]
        [Description("Longest side of an image, checked from the header (env IRIS_MAX_SIDE; default 32768).")]
        public int? MaxSide { get; init; }

        [CommandOption("--max-upload-bytes <BYTES>")]
        [Description("Largest multipart upload request (env IRIS_MAX_UPLOAD_BYTES; default 1073741824).")]
        public long? MaxUploadBytes { get; init; }

        [CommandOption("--s3-endpoint <URL>")]
        [Description("S3 endpoint for s3:// paths, e.g. an S3-compatible store (env IRIS_S3_ENDPOINT, then AWS_ENDPOINT_URL_S3; default AWS S3).")]
        public string? S3Endpoint { get; init; }

        [CommandOption("--s3-region <REGION>")]
        [Description("S3 region (env IRIS_S3_REGION, then AWS_REGION or the AWS profile).")]
        public string? S3Region { get; init; }

        [CommandOption("--s3-force-path-style")]
        [Description("Address S3 as endpoint/bucket/key, as most S3-compatible stores need (env IRIS_S3_FORCE_PATH_STYLE=true).")]
        public bool S3ForcePathStyle { get; init; }

        [CommandOption("--allow-private-network")]
        [Description("Let http(s):// images come from loopback, private and link-local addresses (env IRIS_ALLOW_PRIVATE_NETWORK=true).")]
        public bool AllowPrivateNetwork { get; init; }

        [CommandOption("--http-timeout <SECONDS>")]
        [Description("Longest wait of a remote fetch for an answer or for more bytes (env IRIS_HTTP_TIMEOUT; default 20).")]
        public double? HttpTimeout { get; init; }

        [CommandOption("--http-retries <N>")]
        [Description("Retries of a remote fetch after a timeout, 5xx or 429 (env IRIS_HTTP_RETRIES; default 3).")]
        public int? HttpRetries { get; init; }

        [CommandOption("--http-retry-delay-ms <MS>")]
        [Description("Wait before the first retry, doubled each time, with jitter (env IRIS_HTTP_RETRY_DELAY_MS; default 1000).")]
        public int? HttpRetryDelayMs { get; init; }

        [CommandOption("--max-redirects <N>")]
        [Description("HTTP redirects followed per image (env IRIS_MAX_REDIRECTS; default 5).")]
        public int? MaxRedirects { get; init; }

        [CommandOption("--rate-limit <N>")]
        [Description("Requests per second one credential may make on average, 0 = no limit (env IRIS_RATE_LIMIT; default 1000).")]
        public int? RateLimit { get; init; }

        [CommandOption("--rate-limit-burst <N>")]
        [Description("Requests one credential may make at once above that average (env IRIS_RATE_LIMIT_BURST; default 2000).")]
        public int? RateLimitBurst { get; init; }

        [CommandOption("--auth-failure-limit <N>")]
        [Description("Refused tokens per second one client address may send (10 times that at once) before unknown client ids get 429, 0 = no limit (env IRIS_AUTH_FAILURE_LIMIT; default 50).")]
        public int? AuthFailureLimit { get; init; }

        [CommandOption("--headers-timeout <SECONDS>")]
        [Description("Longest time a client may take to send request headers (env IRIS_HEADERS_TIMEOUT; default 15).")]
        public int? HeadersTimeout { get; init; }

        [CommandOption("--min-data-rate <BYTES_PER_SECOND>")]
        [Description("Slowest a client may send a body or read an answer after 5 s of grace, 0 = no check (env IRIS_MIN_DATA_RATE; default 1024).")]
        public int? MinDataRate { get; init; }

        public override Spectre.Console.ValidationResult Validate()
        {
            if (AuthFailureLimit is < 0 or > 1_000_000) return Spectre.Console.ValidationResult.Error("--auth-failure-limit must be 0 to 1000000.");
            if (HeadersTimeout is < 1 or > 3600) return Spectre.Console.ValidationResult.Error("--headers-timeout must be 1 to 3600 seconds.");
            if (MinDataRate is < 0 or > 100_000_000) return Spectre.Console.ValidationResult.Error("--min-data-rate must be 0 to 100000000.");
            if (RateLimit is < 0 or > 1_000_000) return Spectre.Console.ValidationResult.Error("--rate-limit must be 0 to 1000000.");
            if (RateLimitBurst is < 1 or > 10_000_000) return Spectre.Console.ValidationResult.Error("--rate-limit-burst must be 1 to 10000000.");
            if (HttpTimeout is not null and (<= 0 or > 3600)) return Spectre.Console.ValidationResult.Error("--http-timeout must be more than 0 and at most 3600 seconds.");
            if (HttpRetries is < 0 or > 10) return Spectre.Console.ValidationResult.Error("--http-retries must be 0 to 10.");
            if (HttpRetryDelayMs is < 0 or > 60_000) return Spectre.Console.ValidationResult.Error("--http-retry-delay-ms must be 0 to 60000.");
            if (MaxRedirects is < 0 or > 20) return Spectre.Console.ValidationResult.Error("--max-redirects must be 0 to 20.");
            if (S3Endpoint is not null && !IsHttpUrl(S3Endpoint)) return Spectre.Console.ValidationResult.Error("--s3-endpoint must be an http:// or https:// URL.");
            if (Workers is < 1 or > 256) return Spectre.Console.ValidationResult.Error("--workers must be 1 to 256.");
            if (MaxImageBytes is < 1 || MaxPixels is < 1 || MaxUploadBytes is < 1 || MaxSide is < 1)
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
            MaxSide = settings.MaxSide ?? EnvCount("IRIS_MAX_SIDE", 1, int.MaxValue) ?? defaults.MaxSide,
            MaxUploadBytes = settings.MaxUploadBytes ?? EnvNumber("IRIS_MAX_UPLOAD_BYTES") ?? defaults.MaxUploadBytes,
            S3Endpoint = settings.S3Endpoint ?? Env("IRIS_S3_ENDPOINT"),
            S3Region = settings.S3Region ?? Env("IRIS_S3_REGION"),
            S3ForcePathStyle = settings.S3ForcePathStyle || EnvFlag("IRIS_S3_FORCE_PATH_STYLE"),
            AllowPrivateNetwork = settings.AllowPrivateNetwork || EnvFlag("IRIS_ALLOW_PRIVATE_NETWORK"),
            HttpTimeout = settings.HttpTimeout is { } timeout ? TimeSpan.FromSeconds(timeout)
                : EnvCount("IRIS_HTTP_TIMEOUT", 1, 3600) is { } seconds ? TimeSpan.FromSeconds(seconds) : defaults.HttpTimeout,
            HttpRetries = settings.HttpRetries ?? EnvCount("IRIS_HTTP_RETRIES", 0, 10) ?? defaults.HttpRetries,
            HttpRetryDelay = settings.HttpRetryDelayMs is { } delay ? TimeSpan.FromMilliseconds(delay)
                : EnvCount("IRIS_HTTP_RETRY_DELAY_MS", 0, 60_000) is { } ms ? TimeSpan.FromMilliseconds(ms) : defaults.HttpRetryDelay,
            MaxRedirects = settings.MaxRedirects ?? EnvCount("IRIS_MAX_REDIRECTS", 0, 20) ?? defaults.MaxRedirects,
            RateLimitPerSecond = settings.RateLimit ?? EnvCount("IRIS_RATE_LIMIT", 0, 1_000_000) ?? defaults.RateLimitPerSecond,
            AuthFailuresPerSecond = settings.AuthFailureLimit ?? EnvCount("IRIS_AUTH_FAILURE_LIMIT", 0, 1_000_000) ?? defaults.AuthFailuresPerSecond,
            HeadersTimeout = settings.HeadersTimeout is { } headers ? TimeSpan.FromSeconds(headers)
                : EnvCount("IRIS_HEADERS_TIMEOUT", 1, 3600) is { } headerSeconds ? TimeSpan.FromSeconds(headerSeconds) : defaults.HeadersTimeout,
            MinDataRate = settings.MinDataRate ?? EnvCount("IRIS_MIN_DATA_RATE", 0, 100_000_000) ?? defaults.MinDataRate,
            RateLimitBurst = settings.RateLimitBurst ?? EnvCount("IRIS_RATE_LIMIT_BURST", 1, 10_000_000) ?? defaults.RateLimitBurst,
        };
        if (options.S3Endpoint is { } endpoint && !IsHttpUrl(endpoint))
            throw new InvalidOperationException($"IRIS_S3_ENDPOINT={endpoint} is not an http:// or https:// URL.");
        foreach (var root in options.AllowedRoots)
        {
            if (!Directory.Exists(root)) throw new InvalidOperationException($"--allow-root {root}: no such folder.");
        }
        var urls = settings.Urls ?? Env("IRIS_URLS") ?? IrisServer.DefaultUrls;
        await IrisServer.RunAsync(options, urls, CatalogEngines.OpenAsync, cancellationToken);
        return ExitCodes.Ok;
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>A true/false variable: true, 1, yes or false, 0, no (unset: false).</summary>
    private static bool EnvFlag(string name) => Env(name)?.Trim().ToLowerInvariant() switch
    {
        null or "false" or "0" or "no" => false,
        "true" or "1" or "yes" => true,
        var other => throw new InvalidOperationException($"{name}={other} is not true or false."),
    };

    /// <summary>A whole number between <paramref name="min"/> and <paramref name="max"/> (unset: null).</summary>
    private static int? EnvCount(string name, int min, int max)
    {
        if (Env(name) is not { } value) return null;
        return int.TryParse(value, out var number) && number >= min && number <= max
            ? number
            : throw new InvalidOperationException($"{name}={value} is not a whole number from {min} to {max}.");
    }

    private static long? EnvNumber(string name)
    {
        if (Env(name) is not { } value) return null;
        return long.TryParse(value, out var number) && number > 0
            ? number
            : throw new InvalidOperationException($"{name}={value} is not a positive number.");
    }
}
