namespace Iris;

/// <summary>Server settings; filled from command-line flags and IRIS_* environment variables.</summary>
public sealed class IrisOptions
{
    /// <summary>Folder of the embedded catalog, uploads and previews.</summary>
    public string DataDirectory { get; set; } = "./iris-data";

    /// <summary>Folders that <c>file:///</c> paths may point into. Empty: no local file can be added.</summary>
    public List<string> AllowedRoots { get; set; } = [];

    /// <summary>Ingestion workers running in parallel.</summary>
    public int Workers { get; set; } = Environment.ProcessorCount;

    /// <summary>How long a claimed job is held before another worker may take it over.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many times a job may be claimed before its image ends in error.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Longest time one image may take to ingest before it ends in error.</summary>
    public TimeSpan ImageTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Largest image file ingested, in bytes (<c>file_too_large</c> beyond).</summary>
    public long MaxImageBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Largest image by pixel count (<c>resolution_out_of_spec</c> beyond).</summary>
    public long MaxPixels { get; set; } = 100_000_000;

    /// <summary>Largest multipart upload request, in bytes.</summary>
    public long MaxUploadBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Largest JSON request body, in bytes.</summary>
    public long MaxJsonBodyBytes { get; set; } = 16L * 1024 * 1024;

    public string CatalogPath => Path.Combine(DataDirectory, "catalog.db");
}
