namespace Iris;

/// <summary>Server settings; filled from command-line flags and IRIS_* environment variables.</summary>
public sealed class IrisOptions
{
    /// <summary>This node's folder: the embedded catalog, uploads and previews unless they live elsewhere, scratch files, the first-start credential.</summary>
    public string DataDirectory { get; set; } = "./iris-data";

    /// <summary>What this process runs: the API, the ingestion workers, or both.</summary>
    public IrisRoles Roles { get; set; } = IrisRoles.Api | IrisRoles.Workers;

    /// <summary>Folders that <c>file:///</c> paths may point into. Empty: no local file can be added.</summary>
    public List<string> AllowedRoots { get; set; } = [];

    /// <summary>Ingestion workers running in parallel.</summary>
    public int Workers { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// How long a claimed job is held before another worker may take it over; the worker holding it renews it every
    /// third of that while it works, so this is how soon a crashed worker's images are taken up again.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a stopping worker (SIGTERM) lets its current image finish before handing it back.</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many times a job may be claimed before its image ends in error.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Longest time one image may take to ingest before it ends in error.</summary>
    public TimeSpan ImageTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Largest image file ingested, in bytes (<c>file_too_large</c> beyond).</summary>
    public long MaxImageBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Largest image by pixel count (<c>resolution_out_of_spec</c> beyond).</summary>
    public long MaxPixels { get; set; } = 100_000_000;

    /// <summary>
    /// Longest side allowed (<c>resolution_out_of_spec</c> beyond): decoding memory grows with an image's width, so a
    /// 2,097,184×32 picture, well under the pixel limit, took 3.4 GB; 32,768 px wide takes about 64 MB.
    /// </summary>
    public int MaxSide { get; set; } = 32_768;

    /// <summary>Largest multipart upload request, in bytes.</summary>
    public long MaxUploadBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Largest JSON request body, in bytes.</summary>
    public long MaxJsonBodyBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>S3 endpoint URL (an S3-compatible store); null: AWS_ENDPOINT_URL_S3 or AWS S3 itself.</summary>
    public string? S3Endpoint { get; set; }

    /// <summary>S3 region; null: AWS_REGION or the profile (with an endpoint and no region, us-east-1 signs).</summary>
    public string? S3Region { get; set; }

    /// <summary>Address buckets as endpoint/bucket/key instead of bucket.endpoint/key (most S3-compatible stores need it).</summary>
    public bool S3ForcePathStyle { get; set; }

    /// <summary>Lets http(s):// images come from loopback, private and link-local addresses (tests, on-premise servers).</summary>
    public bool AllowPrivateNetwork { get; set; }

    /// <summary>Longest wait of a remote fetch (HTTP, S3) for an answer or for the next bytes of a body.</summary>
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Retries of a remote fetch after a transient failure (timeout, 5xx, 429, broken connection); then broken_url.</summary>
    public int HttpRetries { get; set; } = 3;

    /// <summary>Wait before the first retry; doubled for each next one, with jitter (a Retry-After up to 10 s wins).</summary>
    public TimeSpan HttpRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>HTTP redirects followed per image; one more is broken_url.</summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>Requests per second one credential may make on average; 0 turns the limit off.</summary>
    public int RateLimitPerSecond { get; set; } = 1000;

    /// <summary>Requests one credential may make at once above the average (the token bucket's size).</summary>
    public int RateLimitBurst { get; set; } = 2000;

    /// <summary>
    /// Refused tokens (401) one client address may send per second on average (burst ten times that); beyond, its
    /// tokens with client ids the server does not know get 429 before any catalog lookup. 0 turns the limit off.
    /// </summary>
    public int AuthFailuresPerSecond { get; set; } = 50;

    /// <summary>Longest time a client may take to send a request's headers; slower connections are closed.</summary>
    public TimeSpan HeadersTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Slowest a client may send a request body or read an answer, in bytes per second, after a grace of
    /// <see cref="MinDataRateGrace"/>; slower connections are closed (slow-loris). 0 turns the check off.
    /// </summary>
    public int MinDataRate { get; set; } = 1024;

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
