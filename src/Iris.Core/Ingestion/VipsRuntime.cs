using NetVips;

namespace Iris.Ingestion;

/// <summary>
/// Process-wide libvips settings, applied once before Iris first touches libvips: which loaders may run,
/// how much it caches, how many threads one image gets, and where its warnings go.
/// </summary>
internal static class VipsRuntime
{
    /// <summary>
    /// The only loaders allowed (their class names and every subclass: file, buffer, source). Everything else,
    /// SVG, PDF, the vips/matrix/CSV text formats and other loaders that could read further files or reach
    /// a network, stays blocked even if a file sniffs as one of them.
    /// </summary>
    private static readonly string[] AllowedLoaders =
    [
        "VipsForeignLoadJpeg", "VipsForeignLoadPng", "VipsForeignLoadNsgif", "VipsForeignLoadWebp",
        "VipsForeignLoadTiff", "VipsForeignLoadHeif",
    ];

    // Kept in a field: libvips holds a pointer to it for the life of the process.
    private static readonly Log.LogDelegate DropWarnings = (_, _, _) => { };

    static VipsRuntime()
    {
        if (!ModuleInitializer.VipsInitialized)
            throw new InvalidOperationException("libvips did not load: " + ModuleInitializer.Exception?.Message);

        NetVips.NetVips.BlockUntrusted = true;
        Operation.Block("VipsForeignLoad", true);
        foreach (var loader in AllowedLoaders) Operation.Block(loader, false);

        // Each image is read once, so libvips' operation cache only costs memory (and open files);
        // it is keyed by file name, so it could even hand back a result for bytes that have changed.
        Cache.Max = 0;
        Cache.MaxMem = 0;
        Cache.MaxFiles = 0;

        // Parallelism comes from the ingestion workers (one image each); a thread pool per image on top
        // of that only adds contention on the same cores. VIPS_CONCURRENCY still overrides it.
        if (Environment.GetEnvironmentVariable("VIPS_CONCURRENCY") is null) NetVips.NetVips.Concurrency = 1;

        // Decoding in fail-on-warning mode turns warnings into errors that reach the image's errorReason;
        // libvips would also print each of them to stderr.
        Log.SetLogHandler("VIPS", Enums.LogLevelFlags.Warning | Enums.LogLevelFlags.Message | Enums.LogLevelFlags.Info, DropWarnings);
    }

    /// <summary>Runs the static initializer (once); call before any other use of libvips.</summary>
    public static void EnsureInitialized() { }
}
