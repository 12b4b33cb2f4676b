using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Iris.Testing;

namespace Iris.Server.Tests;

/// <summary>
/// GET /api/v1/ingestion/datasets/{dataset_id}/assets/status/stream: a dataset's counts as server-sent events,
/// authenticated and scoped like every route, moving while images are ingested, ending when the client or the server goes.
/// </summary>
[Collection(IrisServerCollection.Name)]
public sealed class ProgressStreamTests(ServerFixture server)
{
    private static string StreamUrl(string datasetId) => $"/api/v1/ingestion/datasets/{datasetId}/assets/status/stream";

    [Fact]
    public async Task Without_a_credential_it_is_403_and_with_a_wrong_one_401()
    {
        var datasetId = await server.Http.CreateDatasetIdAsync();
        Expect.Error(await server.Anonymous.GetAsync(StreamUrl(datasetId)), 403, "Not authenticated");
        using var wrong = new IrisHttp(server.BaseUri, $"Bearer {server.ClientId}:not-the-secret");
        Expect.Error(await wrong.GetAsync(StreamUrl(datasetId)), 401, "Invalid authentication credentials");
    }

    [Fact]
    public async Task Another_organizations_dataset_and_an_unknown_one_are_404_and_a_bad_id_422()
    {
        var datasetId = await server.Http.CreateDatasetIdAsync();
        using var other = server.ClientFor(await server.OtherOrgAsync());
        Expect.Error(await other.GetAsync(StreamUrl(datasetId)), 404, "Dataset not found");
        Expect.Error(await server.Http.GetAsync(StreamUrl(Guid.NewGuid().ToString())), 404, "Dataset not found");
        Assert.Equal(422, (await server.Http.GetAsync(StreamUrl("not-a-uuid"))).Code);
    }

    [Fact]
    public async Task The_counts_move_while_the_dataset_ingests_and_end_as_the_count_route_says()
    {
        var datasetId = await server.Http.CreateDatasetIdAsync();
        var paths = Directory.GetFiles(server.Corpus("imaging")).Order(StringComparer.Ordinal).Select(ServerFixture.FileUri).ToArray();
        using var stream = await SseStream.OpenAsync(server.BaseUri, server.ClientId + ":" + server.ClientSecret, StreamUrl(datasetId));
        Assert.Equal("text/event-stream", stream.MediaType);

        var first = await stream.NextCountsAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((0L, 0L, 0L), (first["total"]!.GetValue<long>(), first["completed"]!.GetValue<long>(), first["error"]!.GetValue<long>()));
        Assert.Equal(datasetId, first["dataset_id"]!.GetValue<string>());

        await server.Http.AddPathsAsync(datasetId, paths);
        var seen = new List<JsonObject> { first };
        while (!(seen[^1]["total"]!.GetValue<long>() == paths.Length && seen[^1]["in_progress"]!.GetValue<long>() == 0))
            seen.Add(await stream.NextCountsAsync(TimeSpan.FromSeconds(60)));

        // Each event differs from the one before it; the finished count only grows; the last agrees with the count route.
        var finished = seen.Select(e => e["completed"]!.GetValue<long>() + e["error"]!.GetValue<long>()).ToList();
        Assert.Equal(finished.Order(), finished);
        Assert.True(seen.Count >= 2, "no event after the first");
        for (var i = 1; i < seen.Count; i++) Assert.NotEqual(seen[i - 1].ToJsonString(), seen[i].ToJsonString());
        foreach (var e in seen)
        {
            Assert.Equal(e["pending"]!.GetValue<long>() + e["processing_started"]!.GetValue<long>(), e["in_progress"]!.GetValue<long>());
            Assert.Equal(e["completed"]!.GetValue<long>() + e["error"]!.GetValue<long>() + e["in_progress"]!.GetValue<long>(), e["total"]!.GetValue<long>());
            Assert.True(e["throughput"]!.GetValue<double>() >= 0);
        }
        Assert.Contains(seen, e => e["throughput"]!.GetValue<double>() > 0);
        var counts = Expect.Ok(await server.Http.GetAsync($"/api/v1/ingestion/datasets/{datasetId}/assets/status/count"))["data"]!;
        foreach (var key in new[] { "completed", "error", "in_progress", "pending", "processing_started", "total" })
            Assert.Equal(counts[key]!.GetValue<long>(), seen[^1][key]!.GetValue<long>());
    }

    [Fact]
    public async Task The_stream_ends_on_the_server_when_the_client_goes_and_for_the_client_when_the_server_stops()
    {
        var metricsPort = TestEnvironment.FreePort();
        var clientId = "progress-" + Guid.NewGuid().ToString("N")[..8];
        var secret = Guid.NewGuid().ToString("N");
        var dataDir = Path.Combine(Path.GetTempPath(), "iris-progress-" + Guid.NewGuid().ToString("N")[..12]);
        using var node = await IrisServerProcess.StartNodeAsync("serve", dataDir, ["--metrics-urls", $"http://127.0.0.1:{metricsPort}"],
            new Dictionary<string, string> { ["IRIS_CLIENT_ID"] = clientId, ["IRIS_CLIENT_SECRET"] = secret }, Path.GetTempPath());
        try
        {
            using var http = new IrisHttp(node.BaseUri, $"Bearer {clientId}:{secret}");
            var datasetId = await http.CreateDatasetIdAsync();
            using var scrape = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
            var idle = await ActiveRequestsAsync(scrape);

            // Open, then the client goes: the server's request ends (it holds nothing until the next heartbeat).
            using (var stream = await SseStream.OpenAsync(node.BaseUri, $"{clientId}:{secret}", StreamUrl(datasetId)))
            {
                await stream.NextCountsAsync(TimeSpan.FromSeconds(10));
                Assert.Equal(idle + 1, await ActiveRequestsAsync(scrape, until: n => n == idle + 1));
            }
            Assert.Equal(idle, await ActiveRequestsAsync(scrape, until: n => n == idle));

            // Open, then the server stops: the stream ends at once, and the stop does not wait out the shutdown timeout.
            using var open = await SseStream.OpenAsync(node.BaseUri, $"{clientId}:{secret}", StreamUrl(datasetId));
            await open.NextCountsAsync(TimeSpan.FromSeconds(10));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var stopped = node.StopAsync(TimeSpan.FromSeconds(30));
            await open.EndAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(0, await stopped);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the server took {clock.Elapsed.TotalSeconds:0.0} s to stop");
        }
        finally
        {
            try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// ASP.NET Core's http.server.active_requests, summed over its labels; with <paramref name="until"/>, scraped again
    /// (the exporter caches a scrape for a moment) until the value satisfies it or 10 s have passed.
    /// </summary>
    private static async Task<long> ActiveRequestsAsync(HttpClient scrape, Func<long, bool>? until = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        for (;;)
        {
            var text = await scrape.GetStringAsync("/metrics");
            var active = text.Split('\n')
                .Where(l => l.StartsWith("http_server_active_requests{", StringComparison.Ordinal))
                .Sum(l => (long)double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
            if (until is null || until(active) || DateTime.UtcNow > deadline) return active;
            await Task.Delay(200);
        }
    }

    /// <summary>A server-sent events reader over one HTTP response, in the order the events arrive.</summary>
    private sealed class SseStream : IDisposable
    {
        private readonly HttpClient _client;
        private readonly HttpResponseMessage _response;
        private readonly Channel<(string Type, string Data)> _events = Channel.CreateUnbounded<(string, string)>();
        private readonly Task _reader;
        private readonly CancellationTokenSource _stop = new();

        private SseStream(HttpClient client, HttpResponseMessage response, Stream body)
        {
            _client = client;
            _response = response;
            _reader = Task.Run(() => ReadAsync(body));
        }

        public string? MediaType => _response.Content.Headers.ContentType?.MediaType;

        public static async Task<SseStream> OpenAsync(Uri baseUri, string token, string url)
        {
            var client = new HttpClient { BaseAddress = baseUri, Timeout = Timeout.InfiniteTimeSpan };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return new SseStream(client, response, await response.Content.ReadAsStreamAsync());
        }

        public async Task<JsonObject> NextCountsAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            for (;;)
            {
                var (type, data) = await _events.Reader.ReadAsync(cts.Token);
                if (type == "counts") return JsonNode.Parse(data)!.AsObject();
            }
        }

        /// <summary>Waits until the server ends the response.</summary>
        public async Task EndAsync(TimeSpan timeout) => await _reader.WaitAsync(timeout);

        private async Task ReadAsync(Stream body)
        {
            try
            {
                using var reader = new StreamReader(body, Encoding.UTF8);
                string type = "message";
                var data = new StringBuilder();
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    if (line.Length == 0)
                    {
                        if (data.Length > 0) _events.Writer.TryWrite((type, data.ToString()));
                        type = "message";
                        data.Clear();
                    }
                    else if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line["event: ".Length..];
                    else if (line.StartsWith("data: ", StringComparison.Ordinal)) data.Append(line["data: ".Length..]);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or HttpRequestException)
            {
                // The connection went: the stream is over.
            }
            finally
            {
                _events.Writer.TryComplete();
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _response.Dispose();
            _client.Dispose();
        }
    }
}
