namespace Iris;

/// <summary>
/// A node's settings, each declared once here with its flag: the loader (<c>Iris.Server.Hosting.SettingsLoader</c>)
/// reads the flag, the <c>IRIS_*</c> variable named after it and the optional settings file from this declaration,
/// checks its range, and <c>iris serve --help</c> and the README's table are made from it.
/// </summary>
public sealed class IrisOptions
{
    [Setting("--urls", "Addresses to listen on, ';'-separated (a worker node answers only GET /healthz there).", Value = "URLS")]
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    [Setting("--data", "This node's folder: the embedded catalog (catalog.db) and blobs unless --database and --blobs say otherwise, scratch files, the first-start credential. One server per folder.", Value = "DIR")]
    public string DataDirectory { get; set; } = "./iris-data";

    [Setting("--database", "The catalog: none for SQLite in the data folder; a PostgreSQL connection string (Host=...;Username=...;Password=...;Database=...) or postgres:// URL for several nodes.", Value = "CONNECTION", Secret = true)]
    public string? Database { get; set; }

    [Setting("--blobs", "Where uploads and previews are kept: none for the data folder's blobs/; s3://bucket/prefix/ for an S3 bucket (same endpoint, region and credentials as s3:// paths).", Value = "URL")]
    public string? Blobs { get; set; }

    [Setting("--allow-root", "A folder file:/// paths may point into; repeat for several (the variable is ':'-separated). Anything else is permission_denied.", Value = "DIR", Env = "IRIS_ALLOW_ROOTS")]
    public List<string> AllowedRoots { get; set; } = [];

    [Setting("--workers", "Ingestion workers in this process.", Value = "N", Min = 1, Max = 256, DefaultText = "one per core")]
    public int Workers { get; set; } = Environment.ProcessorCount;

    [Setting("--lease", "Seconds a claimed image is held; its worker renews it every third of that, so a crashed worker's images are taken up again after at most this long.", Value = "S", Min = 3, Max = 3600, Unit = SettingUnit.Seconds)]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    [Setting("--shutdown-grace", "Seconds a stopping worker (SIGTERM) lets its current images finish before handing them back.", Value = "S", Min = 0, Max = 600, Unit = SettingUnit.Seconds)]
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(10);

    [Setting("--max-attempts", "Claims an image may take (each crash or lost lease is one) before it ends as unknown.", Value = "N", Min = 1, Max = 100)]
    public int MaxAttempts { get; set; } = 3;

    [Setting("--image-timeout", "Seconds one image may take to ingest before it ends as unknown.", Value = "S", Min = 1, Max = 86400, Unit = SettingUnit.Seconds)]
    public TimeSpan ImageTimeout { get; set; } = TimeSpan.FromMinutes(2);

    [Setting("--max-image-bytes", "Larger files end as file_too_large.", Value = "BYTES", Min = 1)]
    public long MaxImageBytes { get; set; } = 512L * 1024 * 1024;

    [Setting("--max-pixels", "Larger images end as resolution_out_of_spec (read from the header).", Value = "PIXELS", Min = 1)]
    public long MaxPixels { get; set; } = 100_000_000;

    /// <summary>
    /// Decoding memory grows with an image's width, so a 2,097,184×32 picture, well under the pixel limit, took 3.4 GB;
    /// 32,768 px wide takes about 64 MB.
    /// </summary>
    [Setting("--max-side", "Images with a longer side end as resolution_out_of_spec (decoding memory grows with the width).", Value = "PIXELS", Min = 1, Max = int.MaxValue)]
    public int MaxSide { get; set; } = 32_768;

    [Setting("--row-cache-bytes", "Memory for the rows of recently read images, so hot metadata and status reads skip the file (embedded catalog only: PostgreSQL nodes keep none, as other nodes write it); 0 = none.", Value = "BYTES", Min = 0, Max = 1L << 40)]
    public long RowCacheBytes { get; set; } = DefaultRowCacheBytes;

    /// <summary>About 70,000 rows of camera images' metadata; also the embedded catalog's own default.</summary>
    public const long DefaultRowCacheBytes = 96L * 1024 * 1024;

    [Setting("--max-upload-bytes", "Largest multipart upload request (413 beyond).", Value = "BYTES", Min = 1)]
    public long MaxUploadBytes { get; set; } = 1024L * 1024 * 1024;

    [Setting("--max-json-bytes", "Largest JSON request body (413 beyond).", Value = "BYTES", Min = 1024, Max = 1L << 31)]
    public long MaxJsonBodyBytes { get; set; } = 16L * 1024 * 1024;

    [Setting("--s3-endpoint", "S3-compatible endpoint for s3:// paths and an s3:// --blobs (then AWS_ENDPOINT_URL_S3; default AWS S3).", Value = "URL", HttpUrl = true)]
    public string? S3Endpoint { get; set; }

    [Setting("--s3-region", "S3 region (then AWS_REGION or the AWS profile; us-east-1 when only an endpoint is set).", Value = "REGION")]
    public string? S3Region { get; set; }

    [Setting("--s3-force-path-style", "Address S3 as endpoint/bucket/key, as MinIO, s3rver and most S3-compatible stores need.")]
    public bool S3ForcePathStyle { get; set; }

    [Setting("--allow-private-network", "Let http(s):// paths reach loopback, private and link-local addresses (on-premise servers, tests).")]
    public bool AllowPrivateNetwork { get; set; }

    [Setting("--http-timeout", "Seconds to wait for each answer or the next bytes of a download (not a total).", Value = "S", Min = 0.001, Max = 3600, Unit = SettingUnit.Seconds)]
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(20);

    [Setting("--http-retries", "Retries of timeouts, 5xx and 429, then broken_url.", Value = "N", Min = 0, Max = 10)]
    public int HttpRetries { get; set; } = 3;

    [Setting("--http-retry-delay-ms", "First retry delay, doubled each retry, with jitter; Retry-After honoured up to 10 s.", Value = "MS", Min = 0, Max = 60_000, Unit = SettingUnit.Milliseconds)]
    public TimeSpan HttpRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Setting("--max-redirects", "More HTTP redirects end as broken_url.", Value = "N", Min = 0, Max = 20)]
    public int MaxRedirects { get; set; } = 5;

    [Setting("--rate-limit", "Requests per second one credential may make on average on this node (token bucket); 0 = no limit; beyond: 429 with Retry-After.", Value = "N", Min = 0, Max = 1_000_000)]
    public int RateLimitPerSecond { get; set; } = 1000;

    [Setting("--rate-limit-burst", "Requests a credential may make at once above that average.", Value = "N", Min = 1, Max = 10_000_000)]
    public int RateLimitBurst { get; set; } = 2000;

    [Setting("--auth-failure-limit", "Refused tokens per second one client address may send (10 times that at once); beyond, tokens with client ids the node does not know get 429 before any catalog lookup; 0 = no limit.", Value = "N", Min = 0, Max = 1_000_000)]
    public int AuthFailuresPerSecond { get; set; } = 50;

    [Setting("--headers-timeout", "Seconds a client may take to send request headers; slower connections are closed.", Value = "S", Min = 1, Max = 3600, Unit = SettingUnit.Seconds)]
    public TimeSpan HeadersTimeout { get; set; } = TimeSpan.FromSeconds(15);

    [Setting("--min-data-rate", "Bytes/s a client must keep up when sending a body or reading an answer, after 5 s of grace; 0 = no check.", Value = "B", Min = 0, Max = 100_000_000)]
    public int MinDataRate { get; set; } = 1024;

    [Setting("--log-format", "How the node logs to standard output: text (one line per event) or json (one JSON object per line: timestamp, level, category, message, and the request or image id where there is one). Never a secret or a token.", Value = "FORMAT", Choices = "text,json")]
    public string LogFormat { get; set; } = "text";

    [Setting("--metrics-urls", "Addresses (';'-separated, each with its port) of a separate listener serving Prometheus metrics at /metrics and nothing else; none: no metrics.", Value = "URLS")]
    public string? MetricsUrls { get; set; }

    /// <summary>What this process runs: the API, the ingestion workers, or both (chosen by the command, not a setting).</summary>
    public IrisRoles Roles { get; set; } = IrisRoles.Api | IrisRoles.Workers;

    public static readonly TimeSpan MinDataRateGrace = TimeSpan.FromSeconds(5);

    public string CatalogPath => Path.Combine(DataDirectory, "catalog.db");
}

/// <summary>The parts of Iris a process runs; API and worker nodes share one catalog and blob store.</summary>
[Flags]
public enum IrisRoles
{
    /// <summary>The HTTP API (and <c>/healthz</c>).</summary>
    Api = 1,

    /// <summary>Ingestion workers; a worker-only node serves <c>/healthz</c> and nothing else.</summary>
    Workers = 2,
}

/// <summary>A setting that cannot be used; its message is one sentence for the person who wrote it.</summary>
public sealed class SettingsException(string message) : Exception(message);

/// <summary>How a <see cref="TimeSpan"/> setting is written.</summary>
public enum SettingUnit
{
    None,
    Seconds,
    Milliseconds,
}

/// <summary>
/// Declares a setting of <see cref="IrisOptions"/>: its flag, and from it its variable (<c>--max-pixels</c> is
/// <c>IRIS_MAX_PIXELS</c> unless <see cref="Env"/> says otherwise) and its settings-file key (<c>max-pixels</c>).
/// A setting without <see cref="Value"/> is a switch (true when given).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingAttribute(string flag, string description) : Attribute
{
    public string Flag { get; } = flag;
    public string Description { get; } = description;

    /// <summary>The placeholder of the value in help (<c>--workers N</c>); null for a switch.</summary>
    public string? Value { get; init; }

    public string? Env { get; init; }
    public double Min { get; init; } = double.NaN;
    public double Max { get; init; } = double.NaN;
    public SettingUnit Unit { get; init; }

    /// <summary>How help shows the default, when its value depends on the machine.</summary>
    public string? DefaultText { get; init; }

    /// <summary>The value must be an absolute http:// or https:// URL.</summary>
    public bool HttpUrl { get; init; }

    /// <summary>The values allowed, comma-separated; null: any.</summary>
    public string? Choices { get; init; }

    /// <summary>The value may hold a password: it is never echoed in an error message.</summary>
    public bool Secret { get; init; }

    public string Key => Flag.TrimStart('-');

    public string Variable => Env ?? "IRIS_" + Key.Replace('-', '_').ToUpperInvariant();
}
