using System.Diagnostics;
using System.Globalization;
using Iris.Bench.Ingest;
using Iris.Bench.Load;

// The load test of the "Hardening" issue: wrk on the three read endpoints while an ingestion runs.
// Usage (bench/load.sh builds Iris in Release first):
//   iris-bench-load [--images 3000] [--seed 200] [--duration 60] [--connections 64] [--batch 100]
//                   [--width 1200] [--height 800] [--workers N] [--stall 60] [--cache DIR] [--iris path/to/iris.dll]
// Exit code: 0 every check passed, 1 a check failed, 2 the test could not run.
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
var work = Directory.CreateTempSubdirectory("iris-bench-load-").FullName;
var passed = false;
try
{
    var files = CameraJpegs.Ensure(options.Cache, options.Seed + options.Images, options.Width, options.Height, log);
    var folder = Path.GetDirectoryName(files[0])!;
    var paths = files.Select(f => "file://" + f.Replace("%", "%25", StringComparison.Ordinal)).ToList();
    var seedPaths = paths[..options.Seed];
    var loadPaths = paths[options.Seed..];
    var averageKb = files.Average(f => new FileInfo(f).Length) / 1024;

    // With one credential making all the load, a per-credential rate limit would answer 429s: switched off when the build has it.
    var serverArguments = new List<string>();
    if (await IrisProcess.HasRateLimitFlagAsync(options.IrisDll))
    {
        serverArguments.AddRange(["--rate-limit", "0"]);
        log("iris serve --help lists --rate-limit: starting the server with --rate-limit 0 (one credential makes all the load)");
    }
    else
    {
        log("iris serve --help lists no --rate-limit: no rate-limit flag passed");
    }
    if (options.Workers is { } workers) serverArguments.AddRange(["--workers", workers.ToString(CultureInfo.InvariantCulture)]);

    var serverLog = Path.Combine(work, "server.log");
    var wrkLog = Path.Combine(work, "wrk.log");
    using var server = await IrisProcess.StartAsync(
        options.IrisDll, Path.Combine(work, "iris-data"), folder, serverArguments, serverLog);
    using var http = new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(120) };
    http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", server.Authorization);
    var api = new IrisApi(http);
    log($"Iris started at {server.BaseUri} on a fresh data folder (server log: {serverLog})");

    // 1. Seed: completed images, so that the reads have something to answer from the first request.
    var datasetId = await api.CreateDatasetAsync($"load_{Guid.NewGuid():N}");
    var seedStarted = DateTimeOffset.UtcNow;
    var seedIds = await api.AddAsync(datasetId, seedPaths);
    var seedStatuses = await WaitTerminalAsync(api, server, datasetId, seedPaths, options.StallSeconds, log);
    if (seedStatuses.Any(s => s.Status != "completed"))
        throw new InvalidOperationException($"{seedStatuses.Count(s => s.Status != "completed")} of the {seedPaths.Count} seed images did not complete: "
                                            + string.Join("; ", seedStatuses.Where(s => s.Status != "completed").Take(3).Select(s => $"{s.Path} {s.Status} {s.ErrorCode} {s.ErrorReason}")));
    var seedSeconds = (seedStatuses.Max(s => s.FinishedAt!.Value) - seedStarted).TotalSeconds;
    log($"seeded {seedIds.Count} completed images ({options.Width}×{options.Height} JPEGs, {averageKb:0} KB on average) in {seedSeconds:0.0} s");

    // 2. The ingestion under test, then at once the load, on every image of the dataset (seeded or still in the
    //    queue): each id and path exists, so every answer should be 200.
    var addStarted = DateTimeOffset.UtcNow;
    var loadIds = await api.AddAsync(datasetId, loadPaths);
    log($"added {loadIds.Count} images to ingest in {(DateTimeOffset.UtcNow - addStarted).TotalSeconds:0.00} s");

    var allIds = seedIds.Concat(loadIds).ToList();
    var endpoints = Split(options.Connections,
    [
        ("metadata", "GET /api/v0/images/{id}/metadata",
            allIds.Select(id => $"/api/v0/images/{id}/metadata").ToList()),
        ("batch", $"GET /api/v0/images/metadata, {options.BatchSize} ids",
            allIds.Chunk(options.BatchSize).Select(c => "/api/v0/images/metadata?" + string.Join('&', c.Select(id => "coactive_image_ids=" + id))).ToList()),
        ("statuses", $"GET /api/v0/datasets/{{id}}/images/statuses, {options.BatchSize} paths",
            paths.Chunk(options.BatchSize).Select(c => $"/api/v0/datasets/{datasetId}/images/statuses?" + string.Join('&', c.Select(p => "paths=" + Uri.EscapeDataString(p)))).ToList()),
    ]);

    var loadAverageBefore = LoadAverage();
    var cpuBefore = server.CpuSeconds();
    log($"wrk: {options.Connections} connections for {options.DurationSeconds} s, one wrk process per endpoint at once ("
        + string.Join(", ", endpoints.Select(e => $"{e.Name} {e.Connections}")) + $"); load average {loadAverageBefore}");
    using var progressStop = new CancellationTokenSource();
    var progress = ReportProgressAsync(api, datasetId, options.Seed, loadPaths.Count, progressStop.Token, log);
    var loadStarted = DateTimeOffset.UtcNow;
    var results = await WrkLoad.RunAsync(endpoints, server.BaseUri, server.Authorization, options.DurationSeconds, work, wrkLog);
    var loadEnded = DateTimeOffset.UtcNow;
    var serverCpu = server.CpuSeconds() - cpuBefore;
    var loadAverageAfter = LoadAverage();
    await progressStop.CancelAsync();
    await progress;

    // 3. The ingestion must end with every image terminal and none lost.
    log("wrk done; waiting for the ingestion to finish");
    var statuses = await WaitTerminalAsync(api, server, datasetId, loadPaths, options.StallSeconds, log);
    var peakRssMb = server.MemoryKb("VmHWM") / 1024.0;
    var completed = statuses.Count(s => s.Status == "completed");
    var errors = statuses.Where(s => s.Status == "error").GroupBy(s => $"{s.ErrorCode}: {s.ErrorReason}").ToDictionary(g => g.Key, g => g.Count());
    var lost = statuses.Count(s => s.Status == "not_found") + Math.Max(0, loadPaths.Count - statuses.Count);
    var stuck = statuses.Count(s => !s.IsTerminal && s.Status != "not_found");
    var imageCount = await api.CompletedCountAsync(datasetId);
    // The console logger writes "HH:mm:ss fail: Category[id] ..." for errors: a clean run logs none.
    var serverErrors = File.ReadLines(serverLog).Where(l => l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal)).ToList();

    var finished = statuses.Where(s => s.FinishedAt is not null).Select(s => s.FinishedAt!.Value).ToList();
    var loadSeconds = (loadEnded - loadStarted).TotalSeconds;
    var duringLoad = finished.Count(t => t >= loadStarted && t <= loadEnded);
    var beforeLoad = finished.Count(t => t < loadStarted);
    var afterLoad = finished.Count(t => t > loadEnded);
    var lastFinished = finished.Count > 0 ? finished.Max() : loadEnded;

    // 4. Report.
    Console.WriteLine();
    Console.WriteLine($"Load test: {options.Connections} connections for {loadSeconds:0.0} s on {Environment.ProcessorCount} cores "
                      + $"(load average {loadAverageBefore} before, {loadAverageAfter} after), while {loadPaths.Count} JPEGs of {options.Width}×{options.Height} were ingested");
    Console.WriteLine($"{"endpoint",-52} {"conns",5} {"requests",9} {"req/s",8} {"p50 ms",7} {"p90 ms",7} {"p99 ms",7} {"max ms",8} {"non-2xx",7} {"sock err",8}");
    foreach (var r in results)
        Console.WriteLine($"{r.Endpoint.Title,-52} {r.Endpoint.Connections,5} {r.Requests,9} {r.RequestsPerSecond,8:0} {r.P50Ms,7:0.0} {r.P90Ms,7:0.0} {r.P99Ms,7:0.0} {r.MaxMs,8:0.0} {r.Non2xx,7} {r.SocketErrors,8}");
    Console.WriteLine($"{"all three",-52} {options.Connections,5} {results.Sum(r => r.Requests),9} {results.Sum(r => r.RequestsPerSecond),8:0} {"",7} {"",7} {"",7} {results.Max(r => r.MaxMs),8:0.0} {results.Sum(r => r.Non2xx),7} {results.Sum(r => r.SocketErrors),8}");
    foreach (var r in results.Where(r => r.Non2xx > 0))
        Console.WriteLine($"  {r.Endpoint.Name} answers by status: " + string.Join(", ", r.StatusCounts.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
    Console.WriteLine($"Server: {serverCpu:0.0} s CPU during the load ({serverCpu / loadSeconds:0.00} of {Environment.ProcessorCount} cores), peak RSS {peakRssMb:0} MB (VmHWM, whole run)");
    Console.WriteLine($"Server log: {serverErrors.Count} error lines (fail/crit)");
    foreach (var line in serverErrors.Take(5)) Console.WriteLine($"  {line[..Math.Min(line.Length, 300)]}");
    Console.WriteLine($"Ingestion: {loadPaths.Count} added, {completed} completed, {errors.Values.Sum()} error, {stuck} stuck, {lost} lost; dataset imageCount {imageCount}");
    foreach (var (error, count) in errors) Console.WriteLine($"  {count} × {error}");
    Console.WriteLine($"Ingestion rate: {duringLoad} finished during the load = {duringLoad / loadSeconds:0.0} images/s; "
                      + $"{beforeLoad} before wrk started; "
                      + (afterLoad > 0
                          ? (lastFinished - loadEnded).TotalSeconds >= 2
                              ? $"{afterLoad} after it, in {(lastFinished - loadEnded).TotalSeconds:0.0} s = {afterLoad / (lastFinished - loadEnded).TotalSeconds:0.0} images/s without load"
                              : $"the last {afterLoad} within {(lastFinished - loadEnded).TotalSeconds:0.0} s after it"
                          : $"all finished {(lastFinished - loadStarted).TotalSeconds:0.0} s into the load (the load outlasted the ingestion: use more --images to cover it all)")
                      + $"; seed without load (cold server): {seedPaths.Count / seedSeconds:0.0} images/s");

    var checks = new List<(string What, bool Ok)>
    {
        ("every wrk answer 2xx (0 non-2xx)", results.All(r => r.Non2xx == 0)),
        ("no socket errors or timeouts (10 s)", results.All(r => r.SocketErrors == 0)),
        ("wrk's status tally matches its request count", results.All(r => r.StatusCounts.Values.Sum() == r.Requests)),
        ($"every one of the {loadPaths.Count} images found (0 lost)", lost == 0 && statuses.Count == loadPaths.Count),
        ($"every image terminal (0 stuck after {options.StallSeconds} s without progress)", stuck == 0),
        ("no image in error (all are valid JPEGs)", errors.Count == 0),
        ("dataset imageCount = completed images", imageCount == seedPaths.Count + completed),
        ("no error logged by the server", serverErrors.Count == 0),
    };
    foreach (var (what, ok) in checks) Console.WriteLine($"  [{(ok ? "pass" : "FAIL")}] {what}");
    passed = checks.All(c => c.Ok);
    Console.WriteLine(passed ? "Load test passed." : $"Load test FAILED; logs kept in {work}");
    return passed ? 0 : 1;
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or HttpRequestException or TaskCanceledException)
{
    Console.Error.WriteLine($"load test could not run: {e.Message} (logs in {work})");
    return 2;
}
finally
{
    // The data folder always goes; the logs stay when something failed.
    try { Directory.Delete(passed ? work : Path.Combine(work, "iris-data"), recursive: true); }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
}

// Connections shared out among the endpoints, the first ones taking the remainder.
static List<Endpoint> Split(int connections, (string Name, string Title, List<string> Lines)[] endpoints) =>
    endpoints.Select((e, i) => new Endpoint(e.Name, e.Title, e.Lines,
        connections / endpoints.Length + (i < connections % endpoints.Length ? 1 : 0))).ToList();

// Polls the statuses until every image is terminal, or until none has finished for stallSeconds (those left are stuck).
static async Task<List<ImageStatus>> WaitTerminalAsync(
    IrisApi api, IrisProcess server, string datasetId, IReadOnlyList<string> paths, int stallSeconds, Action<string> log)
{
    var sinceProgress = Stopwatch.StartNew();
    var sinceReport = Stopwatch.StartNew();
    var terminal = -1;
    while (true)
    {
        var statuses = await api.StatusesAsync(datasetId, paths);
        var now = statuses.Count(s => s.IsTerminal);
        if (now == paths.Count) return statuses;
        if (server.HasExited) throw new InvalidOperationException($"The Iris server exited with {paths.Count - now} images unfinished.");
        if (now != terminal) { terminal = now; sinceProgress.Restart(); }
        if (sinceProgress.Elapsed > TimeSpan.FromSeconds(stallSeconds))
        {
            log($"  no image finished in {stallSeconds} s: {paths.Count - now} left unfinished");
            return statuses;
        }
        if (sinceReport.Elapsed > TimeSpan.FromSeconds(10))
        {
            sinceReport.Restart();
            log($"  {now}/{paths.Count} finished");
        }
        await Task.Delay(1000);
    }
}

// A line every 10 s while wrk runs, from the dataset's imageCount (one cheap request).
static async Task ReportProgressAsync(IrisApi api, string datasetId, int seeded, int adding, CancellationToken stop, Action<string> log)
{
    var clock = Stopwatch.StartNew();
    try
    {
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(10), stop);
            var count = await api.CompletedCountAsync(datasetId);
            log($"  load {clock.Elapsed.TotalSeconds:0} s: {count - seeded}/{adding} images completed");
        }
    }
    catch (OperationCanceledException)
    {
        // wrk finished
    }
}

static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

internal sealed record Options(
    int Images, int Seed, int DurationSeconds, int Connections, int BatchSize, int Width, int Height, int? Workers,
    int StallSeconds, string Cache, string IrisDll)
{
    public static Options Parse(string[] args)
    {
        var values = BenchArguments.Parse(args, ["images", "seed", "duration", "connections", "batch", "width", "height", "workers", "stall", "cache", "iris"]);
        return new Options(
            values.Number("images", 3000), values.Number("seed", 200), values.Number("duration", 60), values.Number("connections", 64, min: 3),
            Math.Min(values.Number("batch", 100), IrisApi.Batch), values.Number("width", 1200, min: 16), values.Number("height", 800, min: 16),
            values.Optional("workers"), values.Number("stall", 60), values.Cache, values.IrisDll);
    }
}
