using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Iris.Testing;
using Iris.Tests.Servers;

namespace Iris.Server.Tests;

/// <summary>What operators run Iris with: Prometheus metrics on a listener of their own, JSON logs, the readiness probe.</summary>
public sealed class OperationsTests
{
    private static IrisHttp Http(IrisTestServer server) => new(server.BaseUri, $"Bearer {server.Credential.AccessToken}");

    [Fact]
    public async Task Metrics_are_served_on_their_own_listener_and_count_what_ingestion_did()
    {
        var metricsPort = TestEnvironment.FreePort();
        await using var server = await IrisTestServer.StartAsync(extraArgs: ["--metrics-urls", $"http://127.0.0.1:{metricsPort}"]);
        using var http = Http(server);
        var datasetId = await http.CreateDatasetIdAsync();
        var good = ServerFixture.FileUri(Path.Combine(IrisTestServer.CorpusRoot, "imaging", "orientation_6.jpg"));
        var missing = ServerFixture.FileUri(Path.Combine(IrisTestServer.CorpusRoot, "imaging", $"missing-{Guid.NewGuid():N}.jpg"));
        await http.AddPathsAsync(datasetId, good, missing);
        await http.WaitForTerminalAsync(datasetId, good, missing);

        using var scrape = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
        var text = "";
        // The counters are exported as they are recorded; the queue-depth gauge within its sampling interval.
        for (var attempt = 0; attempt < 40 && !(text.Contains("iris_ingestion_images_total{", StringComparison.Ordinal) && text.Contains("iris_ingestion_queue_depth", StringComparison.Ordinal)); attempt++)
        {
            using var response = await scrape.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            text = await response.Content.ReadAsStringAsync();
            await Task.Delay(250);
        }
        var lines = text.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("iris_ingestion_images_total{", StringComparison.Ordinal) && l.Contains("status=\"completed\"", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("iris_ingestion_images_total{", StringComparison.Ordinal) && l.Contains("error_code=\"file_not_found\"", StringComparison.Ordinal) && l.Contains("status=\"error\"", StringComparison.Ordinal));
        foreach (var stage in new[] { "fetch", "probe", "metadata", "preview" })
            Assert.Contains(lines, l => l.StartsWith("iris_ingestion_stage_duration_seconds_bucket{", StringComparison.Ordinal) && l.Contains($"stage=\"{stage}\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("iris_ingestion_queue_depth", StringComparison.Ordinal) && l.EndsWith(" 0", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("iris_ingestion_in_flight", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("http_server_request_duration_seconds_bucket{", StringComparison.Ordinal));
        Assert.Contains("# TYPE iris_ingestion_images_total counter", text);

        // The metrics listener serves /metrics and nothing else; the API's listener has no /metrics.
        Assert.Equal(HttpStatusCode.NotFound, (await scrape.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await scrape.GetAsync($"/api/v0/images/{Guid.NewGuid()}/metadata")).StatusCode);
        using var api = new HttpClient { BaseAddress = server.BaseUri };
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Traces_go_to_the_otlp_endpoint_the_standard_variable_names()
    {
        await using var collector = new LoopbackHttpServer();
        var spans = new System.Collections.Concurrent.ConcurrentQueue<byte[]>();
        collector.Map("/v1/traces", async exchange =>
        {
            // OTLP over HTTP: one protobuf ExportTraceServiceRequest per POST; its strings are plain UTF-8.
            var length = int.Parse(exchange.Header("Content-Length") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            var body = new byte[length];
            await exchange.Stream.ReadExactlyAsync(body, exchange.Stopping);
            spans.Enqueue(body);
            await exchange.SendAsync(200, [], "application/x-protobuf");
        });
        await using var server = await IrisTestServer.StartAsync(environment: new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Url(""),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });
        using var http = Http(server);
        var datasetId = await http.CreateDatasetIdAsync();
        var good = ServerFixture.FileUri(Path.Combine(IrisTestServer.CorpusRoot, "imaging", "orientation_3.jpg"));
        await http.AddPathsAsync(datasetId, good);
        await http.WaitForTerminalAsync(datasetId, good);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        bool Seen(string text) => spans.Any(b => System.Text.Encoding.UTF8.GetString(b).Contains(text, StringComparison.Ordinal));
        while (!(Seen("ingest image") && Seen("/api/v1/datasets")) && clock.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(100);
        Assert.True(Seen("ingest image"), "No span of an ingested image reached the collector.");
        Assert.True(Seen("/api/v1/datasets"), "No span of an HTTP request reached the collector.");
        Assert.True(Seen("iris"), "The spans do not name the service.");
    }

    [Fact]
    public async Task Bad_metrics_urls_are_refused_at_start()
    {
        foreach (var (value, expected) in new[] { ("http://127.0.0.1", "with a port"), ("ftp://127.0.0.1:9", "with a port") })
        {
            var result = await IrisTestServer.RunIrisAsync(["serve", "--metrics-urls", value, "--data", Path.Combine(Path.GetTempPath(), "iris-never-" + Guid.NewGuid().ToString("N"))], Path.GetTempPath());
            Assert.Equal(2, result.ExitCode);
            Assert.Contains(expected, result.Stderr);
        }
    }

    [Fact]
    public async Task Json_logs_are_one_object_per_line_with_the_image_id_and_never_a_secret()
    {
        await using var server = await IrisTestServer.StartAsync(bootstrapCredential: false, extraArgs: ["--log-format", "json"],
            environment: new Dictionary<string, string> { ["Logging__LogLevel__Iris"] = "Debug" });
        using var http = Http(server);
        var datasetId = await http.CreateDatasetIdAsync();
        var good = ServerFixture.FileUri(Path.Combine(IrisTestServer.CorpusRoot, "imaging", "orientation_8.jpg"));
        var added = await http.AddPathsAsync(datasetId, good);
        var imageId = IrisHttp.AssetId(added, 0);
        await http.WaitForTerminalAsync(datasetId, good);
        await Task.Delay(500); // the console logger writes on its own thread

        var stdout = server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("[stderr]", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(stdout);
        var records = stdout.Select(line =>
        {
            try
            {
                return JsonNode.Parse(line)!.AsObject();
            }
            catch (JsonException e)
            {
                throw new Xunit.Sdk.XunitException($"Not one JSON object per line ({e.Message}): {line}");
            }
        }).ToList();
        Assert.All(records, r =>
        {
            Assert.True(DateTimeOffset.TryParse(r["Timestamp"]!.GetValue<string>(), out _), r.ToJsonString());
            Assert.False(string.IsNullOrEmpty(r["LogLevel"]?.GetValue<string>()));
            Assert.NotNull(r["Message"]);
        });
        Assert.Contains(records, r => r["Message"]!.GetValue<string>().Contains(server.Credential.ClientId, StringComparison.Ordinal));
        Assert.Contains(records, r => r.ToJsonString().Contains(imageId, StringComparison.Ordinal) && r["Scopes"] is JsonArray);
        Assert.DoesNotContain(server.Credential.ClientSecret, server.Output);
    }

    [Fact]
    public async Task Readiness_answers_ready_when_the_catalog_and_blob_store_do()
    {
        await using var server = await IrisTestServer.StartAsync();
        using var probe = new HttpClient { BaseAddress = server.BaseUri };
        using var ready = await probe.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready", JsonNode.Parse(await ready.Content.ReadAsStringAsync())!["status"]!.GetValue<string>());
        using var live = await probe.GetAsync("/healthz");
        Assert.Equal("ok", JsonNode.Parse(await live.Content.ReadAsStringAsync())!["status"]!.GetValue<string>());
    }
}
