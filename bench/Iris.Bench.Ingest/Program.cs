using System.Globalization;
using Iris.Bench.Ingest;

// Iris ingestion throughput and memory next to vipsthumbnail on the same camera-sized JPEGs.
// Usage (bench/ingest.sh builds Iris in Release first):
//   iris-bench-ingest [--count 300] [--width 3000] [--height 2000] [--workers N] [--cache DIR] [--iris path/to/iris.dll]
Options options;
try
{
    options = Options.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
var log = (string message) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
var work = Directory.CreateTempSubdirectory("iris-bench-").FullName;
try
{
    var files = CameraJpegs.Ensure(options.Cache, options.Count, options.Width, options.Height, log);
    var averageMb = files.Average(f => new FileInfo(f).Length) / 1e6;
    var folder = Path.GetDirectoryName(files[0])!;
    log($"{files.Count} JPEGs of {options.Width}×{options.Height}, {averageMb:0.00} MB on average, in {folder}");

    log("(a) Iris: fresh server, fresh data folder, every image added by file:/// path, twice (cold, then warm)");
    var iris = await IrisRun.RunAsync(options.IrisDll, files, folder, options.Workers, work, log);

    log("(b) vipsthumbnail --size 256, two processes (xargs -P2, half the files each)");
    var (vipsSeconds, vipsVersion) = await VipsThumbnailRun.RunAsync(files, Path.Combine(work, "thumbnails"), 2);
    var vipsRate = files.Count / vipsSeconds;

    Console.WriteLine();
    Console.WriteLine($"Images: {files.Count} JPEGs {options.Width}×{options.Height} (avg {averageMb:0.00} MB, EXIF Make/Model/DateTimeOriginal/Orientation), {Environment.ProcessorCount} cores");
    var workers = options.Workers?.ToString(CultureInfo.InvariantCulture) ?? "default";
    foreach (var (label, pass) in new[] { ("Iris cold  ", iris.Cold), ("Iris warm  ", iris.Warm) })
    {
        Console.WriteLine($"{label} : {pass.Completed} completed, {pass.Errors.Values.Sum()} error in {pass.Seconds:0.00} s = {pass.ImagesPerSecond:0.0} images/s, "
                          + $"{pass.CpuMsPerImage:0.0} ms CPU per image (workers: {workers})");
        foreach (var (error, count) in pass.Errors) Console.WriteLine($"{label} : {count} × {error}");
    }
    Console.WriteLine($"Iris memory : peak RSS {iris.PeakRssKb / 1024.0:0} MB over both passes (VmHWM; highest 50 ms sample {iris.SampledMaxRssKb / 1024.0:0} MB, idle {iris.IdleRssKb / 1024.0:0} MB)");
    foreach (var line in iris.WhatItDid) Console.WriteLine($"Iris did    : {line}");
    Console.WriteLine($"vipsthumbnail: {files.Count} thumbnails in {vipsSeconds:0.00} s = {vipsRate:0.0} images/s ({vipsVersion}, 2 processes)");
    Console.WriteLine($"Ratio Iris / vipsthumbnail: warm {iris.Warm.ImagesPerSecond / vipsRate:0.00} (goal >= 1.2), cold {iris.Cold.ImagesPerSecond / vipsRate:0.00}");
    return iris.Cold.Errors.Count == 0 && iris.Warm.Errors.Count == 0 ? 0 : 1;
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or HttpRequestException)
{
    Console.Error.WriteLine($"benchmark failed: {e.Message}");
    return 2;
}
finally
{
    try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
}

internal sealed record Options(int Count, int Width, int Height, int? Workers, string Cache, string IrisDll)
{
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"Unexpected argument '{args[i]}'. Options: --count N --width W --height H --workers N --cache DIR --iris DLL");
            values[args[i][2..]] = args[++i];
        }
        int Number(string name, int fallback) => values.TryGetValue(name, out var v)
            ? int.TryParse(v, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"--{name} must be a positive number.")
            : fallback;
        var unknown = values.Keys.Except(["count", "width", "height", "workers", "cache", "iris"]).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"Unknown option --{unknown[0]}.");

        var iris = values.GetValueOrDefault("iris") ?? Path.Combine(RepoRoot(), "src", "Iris.Cli", "bin", "Release", "net10.0", "iris.dll");
        if (!File.Exists(iris)) throw new ArgumentException($"{iris} does not exist: build Iris first (dotnet build src/Iris.Cli -c Release).");
        return new Options(
            Number("count", 300), Number("width", 3000), Number("height", 2000),
            values.ContainsKey("workers") ? Number("workers", 0) : null,
            Path.GetFullPath(values.GetValueOrDefault("cache") ?? Path.Combine(Path.GetTempPath(), "iris-bench-images")),
            Path.GetFullPath(iris));
    }

    private static string RepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Iris.sln"))) return dir.FullName;
        throw new ArgumentException("Iris.sln not found above the current folder: pass --iris path/to/iris.dll.");
    }
}
