using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Iris.Bench.Ingest;

/// <summary>One pass: every image added to a new dataset and waited for.</summary>
public sealed record IrisPass(int Completed, IReadOnlyDictionary<string, int> Errors, double Seconds, double CpuSeconds)
{
    /// <summary>Completed images only: an image that ends in error is not a thumbnail made.</summary>
    public double ImagesPerSecond => Completed / Seconds;

    public double CpuMsPerImage => CpuSeconds * 1000 / Math.Max(1, Completed);
}

/// <summary>What one Iris run measured: a pass on the fresh server (cold: the JIT compiles as it goes) and a second, warm one.</summary>
public sealed record IrisResult(
    IrisPass Cold,
    IrisPass Warm,
    long IdleRssKb,
    long PeakRssKb,
    long SampledMaxRssKb,
    IReadOnlyList<string> WhatItDid);

/// <summary>
/// Starts the built Iris server on a fresh data folder (MALLOC_ARENA_MAX=2, as in production), adds the
/// images by file:/// path, polls their statuses until every one is terminal and samples the server's memory.
/// </summary>
public static class IrisRun
{
    private const int Batch = 1000; // the API's limit per add and per statuses request

    public static async Task<IrisResult> RunAsync(
        string irisDll, IReadOnlyList<string> files, string allowRoot, int? workers, string encoder, string workDir, Action<string> log)
    {
        var dataDir = Path.Combine(workDir, "iris-data");
        var serverLog = Path.Combine(workDir, "server.log");
        var baseUri = new Uri($"http://127.0.0.1:{FreePort()}");
        var clientId = "bench";
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDir,
        };
        foreach (var a in new[] { irisDll, "serve", "--urls", baseUri.ToString().TrimEnd('/'), "--data", dataDir, "--allow-root", allowRoot })
            psi.ArgumentList.Add(a);
        if (workers is { } n)
        {
            psi.ArgumentList.Add("--workers");
            psi.ArgumentList.Add(n.ToString(CultureInfo.InvariantCulture));
        }
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("IRIS_", StringComparison.Ordinal)).ToList()) psi.Environment.Remove(key);
        psi.Environment["MALLOC_ARENA_MAX"] = "2";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["IRIS_CLIENT_ID"] = clientId;
        psi.Environment["IRIS_CLIENT_SECRET"] = secret;

        await using var logFile = new StreamWriter(serverLog) { AutoFlush = true };
        using var server = new Process { StartInfo = psi };
        server.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (logFile) logFile.WriteLine(e.Data); };
        server.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (logFile) logFile.WriteLine("[stderr] " + e.Data); };
        server.Start();
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(120) };
            http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"Bearer {clientId}:{secret}");
            await WaitHealthyAsync(http, server, serverLog);
            await Task.Delay(500); // let start-up settle before the idle reading
            var idleRss = Memory(server.Id, "VmRSS");
            log($"Iris started (pid {server.Id}, {baseUri}), idle RSS {idleRss / 1024} MB; log: {serverLog}");

            var paths = files.Select(f => "file://" + f.Replace("%", "%25", StringComparison.Ordinal)).ToList();
            using var sampling = new CancellationTokenSource();
            var sampler = SampleMaxRssAsync(server.Id, sampling.Token);

            // Pass 1 on the fresh server; pass 2 adds the same files again as a new dataset (new images, all work
            // redone) once the runtime has compiled its hot code: the rate of a server that has been up a while.
            var (cold, statuses) = await IngestPassAsync(http, server, paths, "cold", encoder, log);
            var (warm, _) = await IngestPassAsync(http, server, paths, "warm", encoder, log);
            var peak = Memory(server.Id, "VmHWM");
            await sampling.CancelAsync();
            var sampledMax = await sampler;

            var did = await DescribeAsync(http, statuses.FirstOrDefault(s => (string)s["status"]! == "completed") ?? statuses[0]);
            if (await StageTimesAsync(http, statuses.Where(s => (string)s["status"]! == "completed").Select(s => (string)s["coactiveImageId"]!).Take(30).ToList()) is { } times)
                did.Add(times);

            return new IrisResult(cold, warm, idleRss, peak, sampledMax, did);
        }
        finally
        {
            await StopAsync(server);
        }
    }

    private static async Task<(IrisPass Pass, List<JsonObject> Statuses)> IngestPassAsync(
        HttpClient http, Process server, List<string> paths, string name, string encoder, Action<string> log)
    {
        var dataset = await PostAsync(http, "/api/v1/datasets",
            new JsonObject { ["name"] = $"bench_{name}_{Guid.NewGuid():N}", ["encoder_name"] = encoder });
        var datasetId = (string)dataset["id"]!;

        var cpuBefore = CpuSeconds(server.Id);
        var started = DateTimeOffset.UtcNow;
        foreach (var chunk in paths.Chunk(Batch))
        {
            var images = new JsonArray(chunk.Select(p => (JsonNode?)new JsonObject { ["source_path"] = p }).ToArray());
            await PostAsync(http, "/api/v1/ingestion/images", new JsonObject { ["dataset_id"] = datasetId, ["images"] = images });
        }
        log($"{name}: added {paths.Count} images in {(DateTimeOffset.UtcNow - started).TotalSeconds:0.00} s; waiting for them to finish");

        var statuses = await WaitAllTerminalAsync(http, server, datasetId, paths, log);
        // From the add to the newest terminal event, by the server's own clock (same machine): no polling delay in it.
        var finished = statuses.Max(s => DateTimeOffset.Parse((string)s["latestEvent"]!["timestampDt"]!, CultureInfo.InvariantCulture));
        var cpu = CpuSeconds(server.Id) - cpuBefore; // includes answering the status polls

        var completed = statuses.Count(s => (string)s["status"]! == "completed");
        var errors = statuses.Where(s => (string)s["status"]! == "error")
            .GroupBy(s => $"{s["errorCode"]}: {s["errorReason"]}").ToDictionary(g => g.Key, g => g.Count());
        return (new IrisPass(completed, errors, (finished - started).TotalSeconds, cpu), statuses);
    }

    /// <summary>What the server did with one image: its events, technical metadata and preview, as lines to print.</summary>
    private static async Task<List<string>> DescribeAsync(HttpClient http, JsonObject status)
    {
        var id = (string)status["coactiveImageId"]!;
        var lines = new List<string>();
        using (var events = await http.GetAsync($"/api/v1/images/{id}/events"))
        {
            lines.Add(events.IsSuccessStatusCode
                ? "events: " + Summarize(JsonNode.Parse(await events.Content.ReadAsStringAsync()))
                : $"events: GET /api/v1/images/{{id}}/events answered {(int)events.StatusCode} (not available in this build); latest event '{status["latestEvent"]?["eventType"]}'");
        }
        using (var meta = await http.GetAsync($"/api/v0/images/{id}/metadata"))
        {
            var tm = JsonNode.Parse(await meta.Content.ReadAsStringAsync())?["technicalMetadata"];
            lines.Add(tm is null
                ? "technicalMetadata: null"
                : $"technicalMetadata: {tm["format"]} {tm["width"]}×{tm["height"]}, orientation {tm["orientation"]?.ToJsonString() ?? "null"}, "
                  + $"sha256 {((string?)tm["sha256"])?[..12]}…, exif {tm["exif"]?.AsObject().Count ?? 0} tags "
                  + $"(Make={tm["exif"]?["Make"]?.ToJsonString() ?? "-"}, DateTimeOriginal={tm["exif"]?["DateTimeOriginal"]?.ToJsonString() ?? "-"})");
        }
        using (var preview = await http.GetAsync($"/api/v1/images/{id}/preview"))
        {
            var bytes = await preview.Content.ReadAsByteArrayAsync();
            lines.Add(preview.IsSuccessStatusCode
                ? $"preview: {preview.Content.Headers.ContentType?.MediaType} of {bytes.Length / 1024.0:0.0} KB"
                : $"preview: GET /api/v1/images/{{id}}/preview answered {(int)preview.StatusCode} (no previews made by this build)");
        }
        return lines;
    }

    /// <summary>
    /// Mean time of each stage over a sample of images, from the events' timestamps (each event is written when its
    /// stage ends). The first stage is left out: the time before it includes waiting in the queue.
    /// </summary>
    private static async Task<string?> StageTimesAsync(HttpClient http, List<string> ids)
    {
        var durations = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var id in ids)
        {
            using var response = await http.GetAsync($"/api/v1/images/{id}/events");
            if (!response.IsSuccessStatusCode) return null;
            var events = JsonNode.Parse(await response.Content.ReadAsStringAsync())?["data"] as JsonArray;
            if (events is null) return null;
            var list = events.Select(e => ((string)e!["event_type"]!, DateTimeOffset.Parse((string)e["timestamp_dt"]!, CultureInfo.InvariantCulture))).ToList();
            for (var i = 2; i < list.Count; i++)
            {
                var (type, at) = list[i];
                if (!durations.TryGetValue(type, out var values)) { durations[type] = values = []; order.Add(type); }
                values.Add((at - list[i - 1].Item2).TotalMilliseconds);
            }
        }
        return durations.Count == 0 ? null
            : $"stage times (mean of {ids.Count} images, ms since the previous event): "
              + string.Join(", ", order.Select(t => $"{t} {durations[t].Average():0.0}"));
    }

    private static string Summarize(JsonNode? events)
    {
        var list = events as JsonArray ?? events?["data"] as JsonArray ?? events?["events"] as JsonArray;
        return list is null
            ? events?.ToJsonString() ?? "none"
            : string.Join(" → ", list.Select(e => (string?)e?["event_type"] ?? e?.ToJsonString()));
    }

    private static async Task<List<JsonObject>> WaitAllTerminalAsync(
        HttpClient http, Process server, string datasetId, List<string> paths, Action<string> log)
    {
        var limit = TimeSpan.FromSeconds(60 + 2.0 * paths.Count);
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        while (true)
        {
            var all = new List<JsonObject>(paths.Count);
            foreach (var chunk in paths.Chunk(Batch))
            {
                var body = await PostAsync(http, $"/api/v0/datasets/{datasetId}/images/statuses", new JsonObject { ["paths"] = new JsonArray(chunk.Select(p => (JsonNode?)p).ToArray()) });
                all.AddRange(body["data"]!.AsArray().Select(e => e!.AsObject()));
            }
            var open = all.Count(s => (string)s["status"]! is not ("completed" or "error"));
            if (open == 0) return all;
            if (server.HasExited) throw new InvalidOperationException($"The Iris server exited (code {server.ExitCode}) with {open} images unfinished.");
            if (clock.Elapsed > limit) throw new TimeoutException($"{open} images still unfinished after {limit.TotalSeconds:0} s.");
            if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(10))
            {
                lastReport = clock.Elapsed;
                log($"  {paths.Count - open}/{paths.Count} finished after {clock.Elapsed.TotalSeconds:0} s");
            }
            await Task.Delay(500); // the finish time comes from the events, so slow polling costs nothing but leaves the CPU to Iris
        }
    }

    private static async Task<long> SampleMaxRssAsync(int pid, CancellationToken ct)
    {
        long max = 0;
        while (!ct.IsCancellationRequested)
        {
            max = Math.Max(max, Memory(pid, "VmRSS"));
            try { await Task.Delay(50, ct); } catch (OperationCanceledException) { break; }
        }
        return max;
    }

    /// <summary>A kB figure of /proc/PID/status: VmRSS (now) or VmHWM (the kernel's peak of it).</summary>
    /// <summary>User plus system CPU time the process has used so far, from /proc/PID/stat (clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // the name in parentheses may hold spaces
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }
        catch (IOException)
        {
            return 0; // the process is gone
        }
    }

    private static long Memory(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith(field + ":", StringComparison.Ordinal)) continue;
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
            // the process is gone
        }
        return 0;
    }

    private static async Task<JsonNode> PostAsync(HttpClient http, string url, JsonNode body)
    {
        using var response = await http.PostAsync(url, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST {url} answered {(int)response.StatusCode}: {text[..Math.Min(text.Length, 500)]}");
        return JsonNode.Parse(text)!;
    }

    private static async Task WaitHealthyAsync(HttpClient http, Process server, string serverLog)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (server.HasExited) throw new InvalidOperationException($"Iris exited with code {server.ExitCode} at start; see {serverLog}");
            try
            {
                using var response = await http.GetAsync("/healthz");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Iris did not answer /healthz within 30 s; see {serverLog}");
    }

    private static async Task StopAsync(Process server)
    {
        if (server.HasExited) return;
        using (var kill = Process.Start("kill", ["-TERM", server.Id.ToString(CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await server.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            server.Kill();
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
