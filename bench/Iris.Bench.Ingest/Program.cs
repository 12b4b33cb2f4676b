using System.Globalization;
using Iris.Bench.Ingest;

// Iris ingestion throughput and memory next to vipsthumbnail on the same camera-sized JPEGs.
// Usage (bench/ingest.sh builds Iris in Release first):
//   iris-bench-ingest [--count 300] [--width 3000] [--height 2000] [--workers N] [--rounds 3] [--encoder none] [--cache DIR]
//                     [--iris path/to/iris.dll] [--report docs/benchmarks.md]
// --encoder none (the default) measures what the goal names: hash, metadata, preview, perceptual hash and catalog
// writes; a visual encoder (e.g. multimodal) adds the embedding stage. --report writes the results into that file's
// "Ingestion" section.
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

    // The machine is shared: each round runs Iris and vipsthumbnail back to back, and the medians of the rounds count.
    var rounds = new List<(IrisResult Iris, double VipsRate, double VipsCpuSeconds, double VipsSeconds)>();
    var vipsVersion = "";
    for (var round = 1; round <= options.Rounds; round++)
    {
        log($"round {round} of {options.Rounds}: (a) Iris: fresh server, fresh data folder, every image added by file:/// path, twice (cold, then warm)");
        var roundDir = Directory.CreateDirectory(Path.Combine(work, $"round-{round}")).FullName;
        var run = await IrisRun.RunAsync(options.IrisDll, files, folder, options.Workers, options.Encoder, roundDir, log);
        log($"round {round} of {options.Rounds}: (b) vipsthumbnail --size 256, two processes (xargs -P2, half the files each)");
        (var vipsSeconds, var vipsCpu, vipsVersion) = await VipsThumbnailRun.RunAsync(files, Path.Combine(roundDir, "thumbnails"), 2);
        rounds.Add((run, files.Count / vipsSeconds, vipsCpu, vipsSeconds));
        log($"round {round}: Iris cold {run.Cold.ImagesPerSecond:0.0}, warm {run.Warm.ImagesPerSecond:0.0}, vipsthumbnail {files.Count / vipsSeconds:0.0} images/s");
    }
    log("the floor: djpeg -scale 1/8 over the same files, one after another");
    var floor = await DjpegFloor.MeasureAsync(files, work);
    var iris = rounds[0].Iris; // for the description of what it did
    var workers = options.Workers?.ToString(CultureInfo.InvariantCulture) ?? "default";
    // Each round's figures once: the summary below prints them, --report writes them.
    var results = new IngestReport.Data(
        DateTimeOffset.UtcNow, string.Join(' ', ShownArguments(args)), files.Count, options.Width, options.Height, averageMb, options.Encoder, workers,
        rounds.Select(r => new IngestReport.Round(r.Iris.Cold.ImagesPerSecond, r.Iris.Warm.ImagesPerSecond, r.Iris.Warm.CpuMsPerImage,
            r.Iris.Warm.CpuSeconds / r.Iris.Warm.Seconds, r.VipsRate, r.VipsCpuSeconds * 1000 / files.Count, r.VipsCpuSeconds / r.VipsSeconds,
            r.Iris.Warm.Completed + r.Iris.Cold.Completed, r.Iris.Warm.Errors.Values.Sum() + r.Iris.Cold.Errors.Values.Sum())).ToList(),
        rounds.Max(r => r.Iris.PeakRssKb) / 1024.0, vipsVersion, floor, iris.WhatItDid, string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)));
    static string Range(IEnumerable<double> values, string format = "0.0") =>
        $"[{values.Min().ToString(format, CultureInfo.InvariantCulture)}–{values.Max().ToString(format, CultureInfo.InvariantCulture)}]";

    Console.WriteLine();
    Console.WriteLine($"Images: {files.Count} JPEGs {options.Width}×{options.Height} (avg {averageMb:0.00} MB, EXIF Make/Model/DateTimeOriginal/Orientation), "
                      + $"{Environment.ProcessorCount} cores; medians of {rounds.Count} round(s), ranges in brackets");
    foreach (var (label, pass) in new (string, Func<IrisResult, IrisPass>)[] { ("Iris cold  ", r => r.Cold), ("Iris warm  ", r => r.Warm) })
    {
        var passes = rounds.Select(r => pass(r.Iris)).ToList();
        Console.WriteLine($"{label} : {IngestReport.Median(passes.Select(p => p.ImagesPerSecond)):0.0} images/s {Range(passes.Select(p => p.ImagesPerSecond))}, "
                          + $"{IngestReport.Median(passes.Select(p => p.CpuMsPerImage)):0.0} ms CPU per image, {passes.Sum(p => p.Completed)} completed, "
                          + $"{passes.Sum(p => p.Errors.Values.Sum())} error (workers: {workers})");
        foreach (var (error, count) in passes.SelectMany(p => p.Errors).GroupBy(e => e.Key).Select(g => (g.Key, g.Sum(e => e.Value))))
            Console.WriteLine($"{label} : {count} × {error}");
    }
    Console.WriteLine($"Iris memory : peak RSS {rounds.Max(r => r.Iris.PeakRssKb) / 1024.0:0} MB (VmHWM, highest of the rounds; idle {iris.IdleRssKb / 1024.0:0} MB)");
    foreach (var line in iris.WhatItDid) Console.WriteLine($"Iris did    : {line}");
    var measured = results.Rounds;
    Console.WriteLine($"vipsthumbnail: {results.Vips:0.0} images/s {Range(measured.Select(r => r.Vips))} ({vipsVersion}, 2 processes), "
                      + $"{IngestReport.Median(measured.Select(r => r.VipsCpuMs)):0.0} ms CPU per image, "
                      + $"{IngestReport.Median(measured.Select(r => r.VipsCores)):0.00} of {Environment.ProcessorCount} cores busy");
    Console.WriteLine($"Iris warm cores busy: {IngestReport.Median(measured.Select(r => r.IrisCores)):0.00} of {Environment.ProcessorCount}");
    Console.WriteLine($"Floor (djpeg -scale 1/8, decoding only): {floor.CpuMsPerImage:0.0} ms CPU per image (a process start, {floor.StartMs:0.0} ms, taken off), "
                      + $"{floor.ImagesPerSecond:0.0} images/s on {floor.Cores} cores; Iris warm at {results.IrisWarm / floor.ImagesPerSecond:0.00} of it, vipsthumbnail at {results.Vips / floor.ImagesPerSecond:0.00}");
    Console.WriteLine($"Goal: Iris / vipsthumbnail >= {IngestReport.Goal:0.0} (median of the rounds' ratios, warm): {results.Ratio:0.00} "
                      + $"{Range(measured.Select(r => r.IrisWarm / r.Vips), "0.00")}: {(results.GoalMet ? "met" : "not met")} "
                      + $"(cold {IngestReport.Median(measured.Select(r => r.IrisCold / r.Vips)):0.00})");
    if (options.Report is { } report)
    {
        IngestReport.Write(report, results);
        Console.WriteLine($"Report: {report} (section \"Ingestion\")");
    }
    return rounds.All(r => r.Iris.Cold.Errors.Count == 0 && r.Iris.Warm.Errors.Count == 0) ? 0 : 1;
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

// The arguments as a person would type them to bench/ingest.sh (which adds --iris itself).
static IEnumerable<string> ShownArguments(string[] args)
{
    for (var i = 0; i < args.Length; i++)
    {
        if (args[i] == "--iris") { i++; continue; }
        yield return args[i];
    }
}

internal sealed record Options(int Count, int Width, int Height, int? Workers, string Cache, string IrisDll, int Rounds, string Encoder, string? Report)
{
    public static Options Parse(string[] args)
    {
        var values = BenchArguments.Parse(args, ["count", "width", "height", "workers", "rounds", "cache", "iris", "encoder", "report"]);
        return new Options(values.Number("count", 300), values.Number("width", 3000), values.Number("height", 2000),
            values.Optional("workers"), values.Cache, values.IrisDll, values.Number("rounds", 3), values.Text("encoder") ?? "none",
            values.Text("report") is { } report ? Path.GetFullPath(report) : null);
    }
}
