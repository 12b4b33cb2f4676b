using System.Globalization;
using System.Text;

namespace Iris.Bench.Catalog;

/// <summary>Writes docs/benchmarks.md (and its chart) from a run's results; nothing in it is typed by hand but CHANGES.md.</summary>
public static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Write(RunResults results, string reportPath, string chartPath, string repo)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(reportPath))!);
        Chart.Save(results, chartPath);
        var changes = Path.Combine(repo, "bench", "Iris.Bench.Catalog", "CHANGES.md");
        var text = Render(results, Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(reportPath))!, chartPath),
            File.Exists(changes) ? File.ReadAllText(changes).Trim() : null);
        File.WriteAllText(reportPath, text + OtherBenchmarksSections(reportPath));
        Console.WriteLine($"Report: {reportPath}, chart: {chartPath}");
    }

    /// <summary>
    /// The sections other benchmarks own (image-to-image search, ingestion: from the first of their headings or markers on),
    /// kept as they are: this report rewrites only its own part of the file.
    /// </summary>
    private static string OtherBenchmarksSections(string reportPath)
    {
        if (!File.Exists(reportPath)) return "";
        var existing = File.ReadAllText(reportPath);
        // The first section another benchmark writes: image-to-image search, or the ingestion benchmark's markers.
        var starts = new[] { "\n## Image-to-image search", "\n<!-- ingestion: begin", "\n<!-- vector-index: begin" }
            .Select(heading => existing.IndexOf(heading, StringComparison.Ordinal)).Where(i => i >= 0).ToList();
        if (starts.Count == 0) return "";
        var start = starts.Min();
        return "\n" + existing[(start + 1)..];
    }

    public static string Render(RunResults r, string chartLink, string? changes)
    {
        var s = r.Settings;
        var md = new StringBuilder();
        var largest = r.Sizes.MaxBy(x => x.Images)!;
        var smallest = r.Sizes.MinBy(x => x.Images)!;
        md.AppendLine("# Read path at catalog scale: Iris against nginx and the raw catalog");
        md.AppendLine();
        md.AppendLine("<!-- Written by bench/Iris.Bench.Catalog from its measurements (bench/catalog.sh). Edit the program or");
        md.AppendLine("     bench/Iris.Bench.Catalog/CHANGES.md, not this file: the next run rewrites it. -->");
        md.AppendLine();
        if (s.Sizes.Max() < 1_000_000 || s.Seconds < 10)
        {
            md.AppendLine($"> **Smoke run** ({string.Join(", ", s.Sizes.Select(n => n.ToString("N0", Inv)))} images, {s.Seconds} s per load run): it shows");
            md.AppendLine("> that the harness works, not what Iris does. Run `bench/catalog.sh` with no arguments for the real figures.");
            md.AppendLine();
        }
        md.AppendLine(Inv, $"Measured {r.Started:yyyy-MM-dd HH:mm} to {r.Finished:HH:mm} UTC by the one documented command:");
        md.AppendLine();
        md.AppendLine("```sh");
        md.AppendLine(r.Command);
        md.AppendLine("```");
        md.AppendLine();
        // The run says whether the machine was quiet: a one-minute load above the cores means others were running.
        var busy = new[] { r.LoadAverageAtStart, r.LoadAverageAtEnd }
            .Select(l => double.TryParse(l.Split(' ')[0], NumberStyles.Float, Inv, out var v) ? v : 0).Max() > r.Machine.Cores;
        md.AppendLine(busy
            ? "**This run was made on a busy machine** (see the load average below), so its figures are lower and its tails longer"
              + " than on a quiet one; compare the ratios within it. The load generator, the server, nginx"
            : "The figures come from that command run on a quiet machine: the load generator, the server, nginx");
        md.AppendLine("and the catalog share its cores, so anything else running (builds, tests) lowers every figure and");
        md.AppendLine(Inv, $"widens the tails. Load average (1, 5, 15 min) at the start: {r.LoadAverageAtStart}; at the end: {r.LoadAverageAtEnd}.");
        md.AppendLine();
        md.AppendLine("| machine | |");
        md.AppendLine("| --- | --- |");
        md.AppendLine(Inv, $"| cores (`nproc`) | {r.Machine.Cores} |");
        md.AppendLine(Inv, $"| CPU | {r.Machine.Cpu} |");
        md.AppendLine(Inv, $"| memory | {r.Machine.MemoryBytes / 1e9:0.0} GB |");
        md.AppendLine(Inv, $"| system | {r.Machine.Os}, Linux {r.Machine.Kernel} |");
        md.AppendLine(Inv, $"| runtime | {r.Machine.Dotnet}, {r.Machine.Sqlite} (Microsoft.Data.Sqlite) |");
        md.AppendLine(Inv, $"| load generator | {r.Machine.Wrk}; {s.Seconds} s per run after a 3 s warm-up per endpoint |");
        md.AppendLine(Inv, $"| HTTP reference | {r.Machine.Nginx} |");
        md.AppendLine();

        md.AppendLine("## Goals");
        md.AppendLine();
        md.AppendLine("| goal | measured | |");
        md.AppendLine("| --- | --- | --- |");
        foreach (var (goal, figure, met) in Goals(r, largest, smallest)) md.AppendLine(Inv, $"| {goal} | {figure} | {met} |");
        md.AppendLine();
        md.AppendLine(Inv, $"![Requests per second and p99 latency against connections: Iris single-image metadata and nginx]({chartLink})");
        md.AppendLine();

        foreach (var size in r.Sizes)
        {
            md.AppendLine(Inv, $"## Iris on a catalog of {size.Images:N0} images");
            md.AppendLine();
            md.AppendLine("| request | connections | requests/s | images/s | p50 ms | p99 ms | Iris / nginx | Iris / storage limit | server CPU µs per image |");
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var load in size.Iris)
            {
                var scenario = Scenario.ByName(load.Scenario);
                var nginx = r.Nginx.FirstOrDefault(n => n.Connections == load.Connections);
                var storage = BestStorage(size, load.Scenario);
                var vsNginx = scenario == Scenario.Single && nginx is not null ? Ratio(load.RequestsPerSecond / nginx.RequestsPerSecond) : "";
                var vsStorage = storage is null ? "" : Ratio(load.ImagesPerSecond / storage.ImagesPerSecond);
                md.AppendLine(Inv, $"| {scenario.Title} | {load.Connections} | {load.RequestsPerSecond:N0} | {load.ImagesPerSecond:N0} | {load.P50Ms:0.00} | {load.P99Ms:0.00}{Errors(load)} | {vsNginx} | {vsStorage} | {load.ServerCpuMsPerRequest * 1000 / load.Images:0.0} |");
            }
            md.AppendLine();
        }

        if (r.Sizes.Any(x => x.Postgres is not null))
        {
            md.AppendLine(Inv, $"## PostgreSQL next to SQLite ({r.PostgresVersion}, one node)");
            md.AppendLine();
            md.AppendLine("The same server binary with `--database` on a local PostgreSQL cluster (fsync on, `shared_buffers=4GB`)");
            md.AppendLine("holding exactly the rows of the SQLite catalog (copied with COPY BINARY, then analyzed, checkpointed and read");
            md.AppendLine("into shared buffers with pg_prewarm), the same request files and connection levels, measured right after");
            md.AppendLine("SQLite on the same machine. PostgreSQL runs beside the server and");
            md.AppendLine("wrk on the same two cores, so its CPU is taken from theirs: on separate machines a node has its cores to itself.");
            md.AppendLine();
            foreach (var size in r.Sizes.Where(x => x.Postgres is not null))
            {
                md.AppendLine(Inv, $"### {size.Images:N0} images (PostgreSQL database {Mb(size.Postgres!.DatabaseBytes)}, copied in {size.Postgres.CopySeconds:0} s)");
                md.AppendLine();
                md.AppendLine("| request | connections | SQLite requests/s | PostgreSQL requests/s | PostgreSQL / SQLite | SQLite p99 ms | PostgreSQL p99 ms |");
                md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
                foreach (var pg in size.Postgres.Iris)
                {
                    var sqlite = size.Iris.FirstOrDefault(x => x.Scenario == pg.Scenario && x.Connections == pg.Connections);
                    md.AppendLine(Inv, $"| {Scenario.ByName(pg.Scenario).Title} | {pg.Connections} | {sqlite?.RequestsPerSecond.ToString("N0", Inv) ?? ""} | {pg.RequestsPerSecond:N0}{Errors(pg)} | {(sqlite is null ? "" : Ratio(pg.RequestsPerSecond / sqlite.RequestsPerSecond))} | {sqlite?.P99Ms.ToString("0.00", Inv) ?? ""} | {pg.P99Ms:0.00} |");
                }
                md.AppendLine();
                md.AppendLine(Inv, $"Server resident memory on PostgreSQL: {Mb(size.Postgres.AfterStart.Rss)} after start, {Mb(size.Postgres.AfterBenchmark.Rss)} after the benchmark, peak {Mb(size.Postgres.AfterBenchmark.Peak)}.");
                md.AppendLine();
            }
        }

        if (r.Queue is { Count: > 0 })
        {
            md.AppendLine("## The queue's own cost");
            md.AppendLine();
            md.AppendLine(Inv, $"`Iris.Bench.Catalog` in-process against each engine: {r.Queue[0].Jobs:N0} images added 1000 per request through the");
            md.AppendLine("Core rules (a row, an event and a job each), then two workers claim one job at a time and complete it at once");
            md.AppendLine("(technical metadata, three events, the dataset's count, the job removed), until the queue is empty. No image");
            md.AppendLine("is fetched or decoded: this is what the queue costs on top of ingestion. For scale, Graphile Worker publishes");
            md.AppendLine("about 180,000 jobs/s on PostgreSQL, for jobs that carry no row to update.");
            md.AppendLine();
            md.AppendLine("| engine | images queued/s | claims + completions/s (2 workers) |");
            md.AppendLine("| --- | ---: | ---: |");
            foreach (var q in r.Queue) md.AppendLine(Inv, $"| {q.Engine} | {q.EnqueuedPerSecond:N0} | {q.CompletedPerSecond:N0} |");
            md.AppendLine();
        }

        if (r.Nginx.Count > 0)
        {
            md.AppendLine(Inv, $"## nginx: the HTTP limit ({r.AssetResponseBytes:N0}-byte AssetResponse as a static file)");
            md.AppendLine();
            md.AppendLine("| connections | requests/s | p50 ms | p99 ms | server CPU µs per request |");
            md.AppendLine("| ---: | ---: | ---: | ---: | ---: |");
            foreach (var n in r.Nginx) md.AppendLine(Inv, $"| {n.Connections} | {n.RequestsPerSecond:N0} | {n.P50Ms:0.00} | {n.P99Ms:0.00}{Errors(n)} | {n.ServerCpuMsPerRequest * 1000:0.0} |");
            md.AppendLine();
        }

        if (r.Sizes.Any(x => x.Storage.Count > 0))
        {
            md.AppendLine(Inv, $"## The storage limit: the same lookups with Microsoft.Data.Sqlite alone ({r.Machine.Cores} threads, {s.StorageSeconds} s each)");
            md.AppendLine();
            md.AppendLine("| request | method | " + string.Join(" | ", r.Sizes.Select(x => $"{x.Images:N0} images: images/s")) + " |");
            md.AppendLine("| --- | --- | " + string.Join(" | ", r.Sizes.Select(_ => "---:")) + " |");
            foreach (var key in r.Sizes.SelectMany(x => x.Storage).Select(x => (x.Scenario, x.Method)).Distinct())
            {
                var cells = r.Sizes.Select(x => x.Storage.FirstOrDefault(t => t.Scenario == key.Scenario && t.Method == key.Method) is { } t ? t.ImagesPerSecond.ToString("N0", Inv) : "");
                md.AppendLine(Inv, $"| {Scenario.ByName(key.Scenario).Title} | {key.Method} | {string.Join(" | ", cells)} |");
            }
            md.AppendLine();
        }

        md.AppendLine("## Memory and disk");
        md.AppendLine();
        md.AppendLine("| images | resident after start | resident after the benchmark | of which anonymous | of which file pages | peak resident | catalog on disk | per image | generated in |");
        md.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var x in r.Sizes)
        {
            md.AppendLine(Inv, $"| {x.Images:N0} | {Mb(x.AfterStart.Rss)} | {Mb(x.AfterBenchmark.Rss)} | {Mb(x.AfterBenchmark.Anonymous)} | {Mb(x.AfterBenchmark.FileBacked)} | {Mb(x.AfterBenchmark.Peak)} | {Mb(x.CatalogBytes)} | {(double)x.CatalogBytes / x.Images:N0} bytes | {x.GenerationSeconds:0} s |");
        }
        md.AppendLine();
        md.AppendLine("Resident memory is VmRSS (VmHWM for the peak) of the `iris serve` process from /proc, split into");
        md.AppendLine("anonymous memory (heaps, stacks: what the process itself holds) and file pages mapped (the runtime's");
        md.AppendLine("and Iris' binaries; the catalog is read with read() calls, not mapped). The catalog on disk is the");
        md.AppendLine("SQLite file after a checkpoint; it holds each image's row (path, user and technical metadata JSON),");
        md.AppendLine("its six events and the indexes. The operating system's page cache holds as much of it as memory allows.");
        md.AppendLine();

        if (r.Sizes.Count > 1)
        {
            var engines = new List<(string Engine, List<LoadResult> Small, List<LoadResult> Large)> { ("SQLite", smallest.Iris, largest.Iris) };
            if (smallest.Postgres is { } pgSmall && largest.Postgres is { } pgLarge) engines.Add(("PostgreSQL", pgSmall.Iris, pgLarge.Iris));
            foreach (var (engine, small, large) in engines)
            {
                md.AppendLine(Inv, $"## Latency from {smallest.Images:N0} to {largest.Images:N0} images on {engine} (one connection)");
                md.AppendLine();
                md.AppendLine(Inv, $"| request | p50 ms at {smallest.Images:N0} | p50 ms at {largest.Images:N0} | ratio | p99 ms at {smallest.Images:N0} | p99 ms at {largest.Images:N0} | ratio |");
                md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
                foreach (var (scenario, a, b) in Flatness(small, large))
                    md.AppendLine(Inv, $"| {scenario.Title} | {a.P50Ms:0.00} | {b.P50Ms:0.00} | {Ratio(b.P50Ms / a.P50Ms)} | {a.P99Ms:0.00} | {b.P99Ms:0.00} | {Ratio(b.P99Ms / a.P99Ms)} |");
                md.AppendLine();
            }
        }

        md.AppendLine("## How it is measured");
        md.AppendLine();
        md.AppendLine(Inv, $"""
            - **Catalogs.** `Iris.Bench.Catalog generate` fills a fresh data folder per size: the schema, organization,
              credential and dataset through the catalog's stores, then the images with the catalog's own columns in
              transactions of 20,000 prepared inserts. Each image is `completed`, with a path such as
              `s3://bench-photos/2021/05/04/IMG_0123456.jpg`, a user id, seven keys of user metadata, technical metadata
              as ingestion stores it (format, size, SHA-256, orientation, 19 to 26 EXIF tags) and its six events.
            - **Server.** The Release build, `dotnet src/Iris.Cli/bin/Release/net10.0/iris.dll serve --data DIR --urls
              http://127.0.0.1:PORT` with `MALLOC_ARENA_MAX=2`, on the generated folder; nothing else is ingesting. On
              SQLite its row cache (`--row-cache-bytes`, default 96 MiB, about 1,440 bytes per image of this catalog)
              holds the whole pool below, so once warm the metadata and statuses routes read no catalog page;
              PostgreSQL nodes keep no rows (other nodes write the catalog). The warm-up runs before each
              request kind fill it; a hot set larger than the cache is served partly from the catalog.
            - **Load.** wrk with a generated Lua script per request kind that replays request lines drawn from
              {s.PoolSize:N0} random images of the catalog (read by random rowid): single ids in random order; batches of
              distinct random ids as the repeated `coactive_image_ids` query parameter; statuses of distinct random paths as
              the repeated `paths` parameter. Statuses go by **GET**: 1000 URL-encoded paths make a request line of
              {largest.StatusesUrlBytes / 1024.0:0} KB (1000 ids: {largest.Batch1000UrlBytes / 1024.0:0} KB), within the 1 MB
              Kestrel allows, so POST was not needed. Two wrk threads (one for a single connection), `--timeout 30s`;
              requests/s, p50 and p99 are wrk's, counted over all connections. Any non-2xx answer or socket error is shown
              next to its row. Server CPU is the user + system time of the server process (nginx: its workers too)
              during the run, from /proc, divided by the images (nginx: requests) served.
            - **HTTP limit.** nginx (`worker_processes auto`, access log off, keep-alive never closed by the server)
              serving a file holding the exact bytes of one AssetResponse from the catalog, at the same connections as
              single-image metadata. Iris / nginx compares requests/s at the same connections.
            - **Storage limit.** The same lookups by this program with Microsoft.Data.Sqlite alone: one thread and one open
              connection per core, statements prepared once, every column read, no HTTP or JSON. Batches are looked up
              both as one prepared point lookup per item in a read transaction and as one `json_each` query over the list.
              Iris / storage limit compares images/s with the faster of the two.
            - **Goals.** Single-image metadata compares the best requests/s of each over the connection levels; statuses
              p99 is judged at every level up to two connections per core (polling clients, not a saturating crowd);
              "flat" means p50 and p99 with one connection at {largest.Images:N0} images within {FlatWithin}× of {smallest.Images:N0},
              for every request kind, on each engine; CPU per image compares the lowest of each request size over its levels.
            """);
        md.AppendLine();

        md.AppendLine("## What each change bought");
        md.AppendLine();
        md.AppendLine(changes ?? "(bench/Iris.Bench.Catalog/CHANGES.md is missing.)");
        md.AppendLine();
        return md.ToString();
    }

    // The goals of issue 14 (and the earlier ones still held), each judged on this run alone.
    private const double NginxShare = 0.75, FlatWithin = 1.2;

    private static IEnumerable<(string Goal, string Figure, string Met)> Goals(RunResults r, SizeResults largest, SizeResults smallest)
    {
        var at = $"{largest.Images:N0} images";
        var cores = r.Machine.Cores;

        var single = Best(largest, Scenario.Single, x => x.RequestsPerSecond);
        var nginx = r.Nginx.MaxBy(x => x.RequestsPerSecond);
        var singleGoal = $"Single-image metadata at ≥ {NginxShare} × nginx requests/s";
        if (single is not null && nginx is not null)
        {
            var ratio = single.RequestsPerSecond / nginx.RequestsPerSecond;
            yield return (singleGoal,
                $"{ratio:0.00} × (Iris {single.RequestsPerSecond:N0} req/s at {Connections(single.Connections)}, nginx {nginx.RequestsPerSecond:N0} at {Connections(nginx.Connections)}; {at})",
                Met(ratio >= NginxShare));
        }
        else yield return (singleGoal, "not measured (no nginx run)", "not measured");

        var batch = Best(largest, Scenario.Batch1000, x => x.ImagesPerSecond);
        if (batch is not null)
            yield return ("Batches of 1000 at ≥ 200,000 images/s",
                $"{batch.ImagesPerSecond:N0} images/s ({Connections(batch.Connections)}; {at})", Met(batch.ImagesPerSecond >= 200_000));

        // Server CPU per image at its lowest over the connection levels, for 1, 100 and 1000 images per request.
        var perImage = new[] { Scenario.Single, Scenario.Batch100, Scenario.Batch1000 }
            .Select(s => largest.Iris.Where(x => x.Scenario == s.Name).Select(x => x.ServerCpuMsPerRequest * 1000 / x.Images).DefaultIfEmpty(double.NaN).Min())
            .ToArray();
        if (perImage.All(double.IsFinite))
            yield return ("Server CPU per image falls as batches grow (1, 100, 1000 ids)",
                $"{perImage[0]:0.0} → {perImage[1]:0.0} → {perImage[2]:0.0} µs per image ({at})", Met(perImage[0] > perImage[1] && perImage[1] > perImage[2]));

        var statuses = largest.Iris.Where(x => x.Scenario == Scenario.Statuses1000.Name && x.Connections <= 2 * cores).MaxBy(x => x.P99Ms);
        if (statuses is not null)
        {
            var levels = string.Join(", ", largest.Iris.Where(x => x.Scenario == Scenario.Statuses1000.Name && x.Connections <= 2 * cores).Select(x => x.Connections));
            yield return ("Statuses of 1000 paths with p99 < 50 ms",
                $"worst p99 {statuses.P99Ms:0.0} ms at {Connections(statuses.Connections)} (levels {levels}; {at})", Met(statuses.P99Ms < 50));
        }

        // Flat: p50 and p99 at one connection, every seed route, each engine.
        var engines = new List<(string Engine, List<LoadResult> Small, List<LoadResult> Large)> { ("SQLite", smallest.Iris, largest.Iris) };
        if (smallest.Postgres is { } pgSmall && largest.Postgres is { } pgLarge) engines.Add(("PostgreSQL", pgSmall.Iris, pgLarge.Iris));
        foreach (var (engine, small, large) in engines)
        {
            var goal = $"Latency flat from {smallest.Images:N0} to {largest.Images:N0} images on {engine} (p50 and p99 at one connection within {FlatWithin}×)";
            if (r.Sizes.Count < 2)
            {
                yield return (goal, "not measured (one catalog size)", "not measured");
                continue;
            }
            var pairs = Flatness(small, large).ToList();
            var p50 = pairs.MaxBy(x => x.Large.P50Ms / x.Small.P50Ms);
            var p99 = pairs.MaxBy(x => x.Large.P99Ms / x.Small.P99Ms);
            var r50 = p50.Large.P50Ms / p50.Small.P50Ms;
            var r99 = p99.Large.P99Ms / p99.Small.P99Ms;
            yield return (goal,
                $"p50 within {r50:0.00}× (worst: {p50.Scenario.Title}, {p50.Small.P50Ms:0.00} → {p50.Large.P50Ms:0.00} ms); " +
                $"p99 within {r99:0.00}× (worst: {p99.Scenario.Title}, {p99.Small.P99Ms:0.00} → {p99.Large.P99Ms:0.00} ms)",
                Met(r50 <= FlatWithin && r99 <= FlatWithin));
        }

        if (largest.Postgres is { } pg)
        {
            foreach (var (scenario, what) in new[] { (Scenario.Single, "single-image metadata"), (Scenario.Batch1000, "batches of 1000") })
            {
                var onSqlite = Best(largest, scenario, x => x.RequestsPerSecond);
                var onPostgres = pg.Iris.Where(x => x.Scenario == scenario.Name).MaxBy(x => x.RequestsPerSecond);
                if (onSqlite is null || onPostgres is null) continue;
                var ratio = onPostgres.RequestsPerSecond / onSqlite.RequestsPerSecond;
                yield return ($"PostgreSQL within 1.5× of SQLite's requests/s, {what}",
                    $"{ratio:0.00} × (PostgreSQL {onPostgres.RequestsPerSecond:N0} req/s at {Connections(onPostgres.Connections)}, SQLite {onSqlite.RequestsPerSecond:N0} at {Connections(onSqlite.Connections)}; {at})",
                    Met(ratio >= 1 / 1.5));
            }
        }

        var peak = Math.Max(largest.AfterBenchmark.Peak, largest.Postgres?.AfterBenchmark.Peak ?? 0);
        yield return ($"Resident memory < 300 MB at {at}",
            $"peak {Mb(largest.AfterBenchmark.Peak)} on SQLite ({Mb(largest.AfterBenchmark.Rss)} after the benchmark, of which {Mb(largest.AfterBenchmark.Anonymous)} anonymous)"
            + (largest.Postgres is { } p ? $", peak {Mb(p.AfterBenchmark.Peak)} on PostgreSQL" : "")
            + $"; catalog generated in {largest.GenerationSeconds:0} s",
            Met(peak < 300_000_000));
    }

    private static IEnumerable<(Scenario Scenario, LoadResult Small, LoadResult Large)> Flatness(List<LoadResult> small, List<LoadResult> large)
    {
        foreach (var scenario in Scenario.Iris)
        {
            var a = small.Where(x => x.Scenario == scenario.Name).MinBy(x => x.Connections);
            var b = large.Where(x => x.Scenario == scenario.Name).MinBy(x => x.Connections);
            if (a is not null && b is not null && a.Connections == b.Connections) yield return (scenario, a, b);
        }
    }

    private static LoadResult? Best(SizeResults size, Scenario scenario, Func<LoadResult, double> by) =>
        size.Iris.Where(x => x.Scenario == scenario.Name).MaxBy(by);

    private static StorageResult? BestStorage(SizeResults size, string scenario) =>
        size.Storage.Where(x => x.Scenario == scenario).MaxBy(x => x.ImagesPerSecond);

    private static string Connections(int n) => n == 1 ? "1 connection" : $"{n} connections";
    private static string Met(bool met) => met ? "**met**" : "**not met**";
    private static string Ratio(double value) => value.ToString("0.00", Inv) + "×";
    private static string Mb(long bytes) => (bytes / 1e6).ToString("N0", Inv) + " MB";
    private static string Errors(LoadResult load) => load.Errors > 0 ? $" ({load.Errors:N0} errors)" : "";
}
