using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Iris.Bench.Catalog;

/// <summary>The whole run: per catalog size the storage limit, then the server under wrk; then nginx; then the report.</summary>
public static class Bench
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task RunAsync(Options options)
    {
        var repo = options.Get("repo") ?? FindRepo();
        var settings = new RunSettings(
            options.Ints("sizes", [100_000, 1_000_000]),
            options.Int("duration", 15),
            options.Ints("connections", [1, 16, 64, 256]),
            options.Ints("batch-connections", [1, 4, 16, 64]),
            options.Int("storage-duration", 10),
            options.Int("pool", 50_000),
            options.Int("seed", 42),
            options.Flag("iris-only"));
        var scenarios = options.Get("scenarios") is { } names
            ? names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Scenario.ByName).ToList()
            : Scenario.Iris.ToList();
        var serverEnvironment = (options.Get("server-env") ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : "");
        if (settings.Sizes.Any(s => s < 1000)) throw new ArgumentException("--sizes: at least 1000 images per catalog (batches ask for 1000).");
        var work = Path.GetFullPath(options.Get("work") ?? Path.Combine(repo, "artifacts", "bench-catalog"));
        var irisDll = Path.GetFullPath(options.Get("iris-dll") ?? Path.Combine(repo, "src", "Iris.Cli", "bin", "Release", "net10.0", "iris.dll"));
        if (!File.Exists(irisDll)) throw new InvalidOperationException($"{irisDll} does not exist: build src/Iris.Cli in Release first (bench/catalog.sh does).");
        Directory.CreateDirectory(work);
        var log = Console.Out;
        var engines = (options.Get("engines") ?? "sqlite,postgres").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (engines.Any(e => e is not ("sqlite" or "postgres"))) throw new ArgumentException("--engines: sqlite, postgres or both.");
        // A durable PostgreSQL cluster for the run (fsync on): the read path on it, and the queue's cost.
        await using var postgres = engines.Contains("postgres") ? await PostgresCatalogs.StartAsync() : null;

        var started = DateTimeOffset.UtcNow;
        var loadAtStart = MachineInfo.LoadAverage();
        var machine = await MachineInfo.ReadAsync(withNginx: !settings.IrisOnly);
        log.WriteLine($"Machine: {machine.Cores} cores, {machine.Cpu}, {machine.MemoryBytes / 1e9:0.0} GB; load average {loadAtStart}");
        var wrkLog = Path.Combine(work, "wrk.log");
        File.WriteAllText(wrkLog, "");

        var sizes = new List<SizeResults>();
        string? assetBody = null;
        foreach (var images in settings.Sizes)
        {
            log.WriteLine($"Catalog of {images:N0} images");
            var dataDir = Path.Combine(work, $"catalog-{images}");
            var catalog = Generator.Existing(dataDir, images, settings.Seed);
            if (catalog is null) catalog = await Generator.GenerateAsync(dataDir, images, settings.Seed, log);
            else log.WriteLine($"  reusing {dataDir} (generated in {catalog.Seconds:0.0} s; delete it to generate again)");
            var databasePath = Path.Combine(dataDir, "catalog.db");

            var pool = RequestPool.Load(databasePath, catalog, settings.PoolSize, settings.Seed);
            var requestDir = Path.Combine(work, $"requests-{images}");
            var requestFiles = Scenario.Iris.ToDictionary(s => s, s => pool.WriteRequestFile(s, requestDir, s.ImagesPerRequest == 1 ? pool.Images.Count : 200, settings.Seed));

            // The storage limit first, with no server running.
            var storage = settings.IrisOnly ? [] : RawDb.Measure(databasePath, catalog, pool, settings.StorageSeconds, log).ToList();

            using var server = await ServerProcess.StartIrisAsync(irisDll, dataDir, Path.Combine(work, $"iris-{images}.log"), serverEnvironment); // stopped before PostgreSQL runs
            await Task.Delay(TimeSpan.FromSeconds(2));
            var afterStart = server.Memory();
            log.WriteLine($"  iris serve (pid {server.Pid}) on {server.BaseUri}: {afterStart.Rss / 1e6:0} MB resident after start");
            var authorization = $"Bearer {catalog.ClientId}:{catalog.ClientSecret}";
            assetBody ??= await CheckAnswersAsync(server.BaseUri, authorization, requestFiles);

            var loads = await MeasureAsync("iris", server, scenarios, settings, requestDir, requestFiles, authorization, wrkLog, null, log);
            var afterBenchmark = server.Memory();
            log.WriteLine($"  resident after the benchmark {afterBenchmark.Rss / 1e6:0} MB ({afterBenchmark.Anonymous / 1e6:0} MB anonymous, {afterBenchmark.FileBacked / 1e6:0} MB file pages), peak {afterBenchmark.Peak / 1e6:0} MB");
            server.Dispose();

            PostgresResults? onPostgres = null;
            if (postgres is not null)
            {
                // The same rows, the same request files, the same levels: only --database differs.
                var (connection, copySeconds, databaseBytes) = await PostgresCatalogs.CopyAsync(postgres, databasePath, images, log);
                var pgData = Path.Combine(work, $"node-postgres-{images}");
                Directory.CreateDirectory(pgData);
                using var pgServer = await ServerProcess.StartIrisAsync(irisDll, pgData, Path.Combine(work, $"iris-postgres-{images}.log"), serverEnvironment,
                    ["--database", connection]);
                await Task.Delay(TimeSpan.FromSeconds(2));
                var pgAfterStart = pgServer.Memory();
                log.WriteLine($"  iris serve --database (PostgreSQL, pid {pgServer.Pid}) on {pgServer.BaseUri}: {pgAfterStart.Rss / 1e6:0} MB resident after start");
                await CheckAnswersAsync(pgServer.BaseUri, authorization, requestFiles);
                var pgLoads = await MeasureAsync("iris-postgres", pgServer, scenarios, settings, requestDir, requestFiles, authorization, wrkLog, loads, log);
                onPostgres = new PostgresResults(copySeconds, databaseBytes, pgAfterStart, pgServer.Memory(), pgLoads);
                pgServer.Dispose();
                // Each size's copy is measured once: dropped before the next is made, so the disk holds one at a time.
                await postgres.PsqlAsync($"DROP DATABASE \"bench_{images}\" WITH (FORCE)");
            }

            sizes.Add(new SizeResults(images, catalog.Seconds, catalog.CatalogBytes, afterStart, afterBenchmark,
                FirstLineLength(requestFiles[Scenario.Statuses1000]), FirstLineLength(requestFiles[Scenario.Batch1000]), loads, storage, onPostgres));
        }

        // The queue's own cost on each engine: no image work, two workers.
        var queue = new List<QueueResult>();
        if (!settings.IrisOnly)
        {
            var jobs = options.Int("queue-jobs", 20_000);
            log.WriteLine($"The queue: {jobs:N0} jobs, two workers, no image work");
            var sqliteDir = Path.Combine(work, "queue-sqlite");
            if (Directory.Exists(sqliteDir)) Directory.Delete(sqliteDir, recursive: true);
            await using (var sqliteQueue = await Iris.Catalog.Sqlite.SqliteCatalog.OpenAsync(Path.Combine(sqliteDir, "catalog.db")))
                queue.Add(await QueueBench.RunAsync("SQLite", sqliteQueue, jobs, 2, log));
            if (postgres is not null)
            {
                await using var pgQueue = Iris.Catalog.Postgres.PostgresCatalog.Create(await postgres.CreateDatabaseAsync("queue_bench"));
                await pgQueue.MigrateAsync();
                queue.Add(await QueueBench.RunAsync("PostgreSQL", pgQueue, jobs, 2, log));
            }
        }

        var nginx = new List<LoadResult>();
        if (!settings.IrisOnly && assetBody is not null)
        {
            log.WriteLine($"nginx serving a static copy of one AssetResponse ({assetBody.Length} bytes)");
            var nginxDir = Path.Combine(Path.GetTempPath(), $"iris-bench-nginx-{Environment.ProcessId}");
            try
            {
                var www = Path.Combine(nginxDir, "www");
                Directory.CreateDirectory(www);
                await File.WriteAllTextAsync(Path.Combine(www, "asset.json"), assetBody);
                var requestFile = Path.Combine(nginxDir, "nginx.txt");
                await File.WriteAllTextAsync(requestFile, "/asset.json\n");
                var script = Wrk.WriteScript(nginxDir, "nginx", requestFile, null);
                using var server = await ServerProcess.StartNginxAsync("nginx", www, Path.Combine(nginxDir, "run"), "/asset.json");
                await Wrk.RunAsync("nginx", Scenario.Nginx, server, script, settings.SingleConnections[settings.SingleConnections.Length / 2], Math.Min(3, settings.Seconds), wrkLog);
                foreach (var connections in settings.SingleConnections)
                {
                    var result = await Wrk.RunAsync("nginx", Scenario.Nginx, server, script, connections, settings.Seconds, wrkLog);
                    log.WriteLine($"  nginx c={connections,-4} {result.RequestsPerSecond,10:N0} req/s  p50 {result.P50Ms,8:0.00} ms  p99 {result.P99Ms,8:0.00} ms  cpu {result.ServerCpuMsPerRequest * 1000,7:0.0} us/request");
                    nginx.Add(result);
                }
            }
            finally
            {
                if (Directory.Exists(nginxDir)) Directory.Delete(nginxDir, recursive: true);
            }
        }

        var results = new RunResults(machine, options.Get("command") ?? "bench/catalog.sh", settings, started, DateTimeOffset.UtcNow,
            loadAtStart, MachineInfo.LoadAverage(), sizes, nginx, assetBody?.Length ?? 0,
            postgres is null ? null : PostgresCatalogs.Version(postgres), queue);
        // results.json holds the run behind docs/benchmarks.md (`report --results` renders it again); A/B runs and
        // runs reporting elsewhere get a file of their own, so they never replace it.
        var resultsFile = Path.Combine(work, settings.IrisOnly || options.Get("report") is not null
            ? $"results-{(settings.IrisOnly ? "iris-" : "")}{DateTime.UtcNow:yyyyMMdd-HHmmss}.json" : "results.json");
        await File.WriteAllTextAsync(resultsFile, JsonSerializer.Serialize(results, Indented));
        log.WriteLine($"Results: {resultsFile}");
        if (!settings.IrisOnly)
        {
            Report.Write(results, options.Get("report") ?? Path.Combine(repo, "docs", "benchmarks.md"),
                options.Get("chart") ?? Path.Combine(repo, "docs", "benchmarks.png"), repo);
        }
    }

    /// <summary>
    /// Each scenario under wrk at each of its connection levels, after an unrecorded warm-up (JIT tiers, caches);
    /// with <paramref name="baseline"/> each line also says its ratio to the baseline's same run.
    /// </summary>
    private static async Task<List<LoadResult>> MeasureAsync(string target, ServerProcess server, IReadOnlyList<Scenario> scenarios, RunSettings settings,
        string requestDir, Dictionary<Scenario, string> requestFiles, string authorization, string wrkLog, List<LoadResult>? baseline, TextWriter log)
    {
        var loads = new List<LoadResult>();
        foreach (var scenario in scenarios)
        {
            var script = Wrk.WriteScript(requestDir, scenario.Name, requestFiles[scenario], authorization);
            var levels = scenario == Scenario.Single ? settings.SingleConnections : settings.BatchConnections;
            await Wrk.RunAsync(target, scenario, server, script, levels[levels.Length / 2], Math.Min(3, settings.Seconds), wrkLog);
            foreach (var connections in levels)
            {
                var result = await Wrk.RunAsync(target, scenario, server, script, connections, settings.Seconds, wrkLog);
                var before = baseline?.FirstOrDefault(l => l.Scenario == scenario.Name && l.Connections == connections);
                log.WriteLine($"  {target} {scenario.Name,-13} c={connections,-4} {result.RequestsPerSecond,10:N0} req/s {result.ImagesPerSecond,10:N0} images/s  p50 {result.P50Ms,8:0.00} ms  p99 {result.P99Ms,8:0.00} ms  cpu {result.ServerCpuMsPerRequest * 1000 / result.Images,7:0.0} us/image"
                              + (before is null ? "" : $"  {result.RequestsPerSecond / before.RequestsPerSecond:0.00}x SQLite")
                              + (result.Errors > 0 ? $"  {result.Errors} ERRORS" : ""));
                loads.Add(result);
            }
        }
        return loads;
    }

    /// <summary>
    /// Every endpoint answers the first request of its file with 200 and one entry per image asked
    /// (the catalog holds them all, completed); returns the body of one AssetResponse for nginx.
    /// </summary>
    private static async Task<string> CheckAnswersAsync(Uri baseUri, string authorization, Dictionary<Scenario, string> requestFiles)
    {
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        string? single = null;
        foreach (var (scenario, file) in requestFiles)
        {
            var line = File.ReadLines(file).First();
            using var response = await http.GetAsync(line);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK)
                throw new InvalidOperationException($"{scenario.Name}: GET {line[..Math.Min(120, line.Length)]}... answered {(int)response.StatusCode}: {body}");
            var json = JsonNode.Parse(body)!;
            if (scenario == Scenario.Single)
            {
                if (json["status"]?.GetValue<string>() != "completed" || json["technicalMetadata"] is null)
                    throw new InvalidOperationException($"single: unexpected AssetResponse {body}");
                single = body;
                continue;
            }
            var data = json["data"]!.AsArray();
            if (data.Count != scenario.ImagesPerRequest || data.Any(d => d!["status"]!.GetValue<string>() != "completed"))
                throw new InvalidOperationException($"{scenario.Name}: expected {scenario.ImagesPerRequest} completed entries, got {data.Count}.");
        }
        return single!;
    }

    private static int FirstLineLength(string file) => File.ReadLines(file).First().Length;

    public static string FindRepo()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Iris.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Run from inside the repository (no Iris.sln above the current folder), or pass --repo.");
    }
}
