using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Amazon.S3.Model;
using Iris.Testing;
using Iris.Tests.Servers;
using Xunit.Abstractions;

namespace Iris.Server.Tests;

/// <summary>
/// Iris as several nodes on PostgreSQL and S3 (s3rver): two API nodes (<c>iris serve --no-workers</c>) and two worker
/// nodes (<c>iris worker</c>), 500 images (480 file:// paths and 20 uploads). One worker is SIGKILLed mid-run and
/// PostgreSQL is stopped in immediate mode (a crash to its clients) and started again mid-run. Afterwards every image
/// is completed in exactly one record, both API nodes answer the same, every preview is served and is in the bucket,
/// and the surviving nodes are up. Runs alone: it kills processes and times that by progress.
/// </summary>
[Collection(CrashSafetyCollection.Name)]
public sealed class MultiNodeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int FileImages = 480;
    private const int Uploads = 20;
    private const int Total = FileImages + Uploads;
    private const string Bucket = "iris-nodes";
    private const string BlobPrefix = "cluster/";
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(240);

    private readonly string _root = Directory.CreateTempSubdirectory("iris-nodes-").FullName;
    private readonly string _clientId = "nodes-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<(string Name, IrisServerProcess Node)> _nodes = [];
    private PostgresServer? _pg;
    private S3rverServer? _s3;
    private string _database = "";

    private string FilesDir => Path.Combine(_root, "files");

    public async Task InitializeAsync()
    {
        _pg = await PostgresServer.StartAsync();
        _database = await _pg.CreateDatabaseAsync("iris");
        _s3 = await S3rverServer.StartAsync();
        await _s3.CreateBucketAsync(Bucket);
        Log("PostgreSQL and s3rver up");
    }

    private Task<IrisServerProcess> StartNodeAsync(string name, string command, params string[] extra)
    {
        var data = Directory.CreateDirectory(Path.Combine(_root, "node-" + name)).FullName;
        return IrisServerProcess.StartNodeAsync(command, data,
            [
                "--database", _database, "--blobs", $"s3://{Bucket}/{BlobPrefix}",
                "--s3-endpoint", _s3!.Endpoint, "--s3-region", S3rverServer.Region, "--s3-force-path-style",
                "--allow-root", FilesDir, "--lease", "5", "--rate-limit", "0", .. extra,
            ],
            new Dictionary<string, string>
            {
                ["IRIS_CLIENT_ID"] = _clientId,
                ["IRIS_CLIENT_SECRET"] = _secret,
                ["AWS_ACCESS_KEY_ID"] = S3rverServer.AccessKey,
                ["AWS_SECRET_ACCESS_KEY"] = S3rverServer.SecretKey,
            },
            _root);
    }

    [Fact]
    public async Task Two_api_and_two_worker_nodes_survive_a_killed_worker_and_a_database_crash()
    {
        // ---- 480 distinct PNGs on disk, 20 more to upload ----
        Directory.CreateDirectory(FilesDir);
        var files = new List<string>(FileImages);
        for (var i = 0; i < FileImages; i++)
        {
            var file = Path.Combine(FilesDir, $"img-{i:D4}.png");
            await File.WriteAllBytesAsync(file, TinyPng.Distinct(i, 320, 240));
            files.Add(file);
        }

        var api1 = await StartNodeAsync("api1", "serve", "--no-workers");
        var api2 = await StartNodeAsync("api2", "serve", "--no-workers");
        var worker1 = await StartNodeAsync("w1", "worker", "--workers", "2");
        var worker2 = await StartNodeAsync("w2", "worker", "--workers", "2");
        _nodes.AddRange([("api1", api1), ("api2", api2), ("w1", worker1), ("w2", worker2)]);
        Log("four nodes healthy");

        // A worker node serves its probe and nothing else.
        using (var probe = new HttpClient { BaseAddress = worker1.BaseUri })
        {
            Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/healthz")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await probe.GetAsync("/api/v1/datasets")).StatusCode);
        }

        using var http1 = Client(api1);
        using var http2 = Client(api2);
        var datasetId = await http1.CreateDatasetIdAsync(encoder: "none");
        var added = await http2.AddPathsAsync(datasetId, [.. files.Select(ServerFixture.FileUri)]);
        var ids = IrisHttp.Ids(added);
        for (var i = 0; i < Uploads; i++)
        {
            var upload = Expect.Ok(await UploadsTests.UploadAsync(http1, datasetId,
                UploadsTests.Part.File(TinyPng.Distinct(10_000 + i, 320, 240), $"upload-{i:D2}.png", "image/png")));
            ids[IrisHttp.SourcePath(upload)] = IrisHttp.AssetId(upload);
        }
        Assert.Equal(Total, ids.Count);
        Log($"added {ids.Count} images through two API nodes");

        // ---- SIGKILL one worker mid-run ----
        var atKill = await WaitForCompletedAsync(http1, datasetId, Total / 5);
        worker1.KillHard();
        Log($"worker 1 killed with {atKill} completed");
        Assert.True(atKill < Total, "Everything finished before the kill; the test proves nothing.");

        // ---- PostgreSQL crashes (immediate stop) and comes back ----
        var atCrash = await WaitForCompletedAsync(http1, datasetId, atKill + Total / 5);
        await _pg!.StopAsync("immediate");
        Log($"PostgreSQL stopped (immediate) with {atCrash} completed");
        Assert.True(atCrash < Total, "Everything finished before the database crash; the test proves nothing.");
        var anyId = ids.Values.First();
        foreach (var api in new[] { http1, http2 })
        {
            // An outage answers 503 with an ErrorResponse, quickly, and never a stack trace.
            var clock = Stopwatch.StartNew();
            var during = await api.GetAsync($"/api/v0/images/{anyId}/metadata");
            Assert.Equal(503, during.Code);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"The outage answer took {clock.Elapsed}.");
            Assert.False(string.IsNullOrEmpty(IrisHttp.Str(during.Json["detail"])));
            Assert.DoesNotContain("   at ", during.Text);
        }
        foreach (var node in new[] { api1, worker2 })
        {
            // Readiness says so too, on API and worker nodes; liveness stays fine.
            using var probe = new HttpClient { BaseAddress = node.BaseUri };
            using var ready = await probe.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("catalog", await ready.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/healthz")).StatusCode);
        }
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.All(_nodes.Where(n => n.Name != "w1"), n => Assert.False(n.Node.HasExited, $"{n.Name} exited during the outage.\n{n.Node.Output}"));
        await _pg.StartAgainAsync();
        Log("PostgreSQL started again");

        // ---- everything finishes by itself ----
        var statuses1 = await WaitForAllTerminalAsync(http1, datasetId, [.. ids.Keys]);
        Log("every image terminal");
        var notCompleted = statuses1.Values.Where(s => IrisHttp.Str(s["status"]) != "completed").ToList();
        Assert.True(notCompleted.Count == 0, $"{notCompleted.Count} images did not complete, e.g. " + string.Join("; ", notCompleted.Take(5).Select(s => s.ToJsonString())));
        Assert.All(ids, pair => Assert.Equal(pair.Value, IrisHttp.Str(statuses1[pair.Key]["coactiveImageId"])));

        // One record per image, and the dataset counts them.
        Assert.Equal(Total.ToString(), (await _pg.PsqlAsync("SELECT count(*) FROM images", "iris")).Trim());
        Assert.Equal($"{Total}", (await _pg.PsqlAsync("SELECT count(DISTINCT path) FROM images", "iris")).Trim());
        Assert.Equal("0", (await _pg.PsqlAsync("SELECT count(*) FROM ingestion_jobs", "iris")).Trim());
        Assert.Equal(Total, (await http2.GetDatasetAsync(datasetId))["image_count"]!.GetValue<int>());

        // Both API nodes give the same answers.
        var statuses2 = await http2.StatusesAsync(datasetId, ids.Keys);
        Assert.All(ids.Keys, path => Assert.Equal(Stable(statuses1[path]), Stable(statuses2[path])));
        foreach (var chunk in ids.Values.Chunk(250))
        {
            var one = Expect.Ok(await http1.PostAsync("/api/v0/images/metadata", new JsonObject { ["coactiveImageIds"] = J.Strings(chunk) }));
            var two = Expect.Ok(await http2.PostAsync("/api/v0/images/metadata", new JsonObject { ["coactiveImageIds"] = J.Strings(chunk) }));
            Assert.Equal(one.ToJsonString(), two.ToJsonString());
        }

        // Every preview is served, the same by both nodes, and is an object in the bucket.
        var previewKeys = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var key in ListAsync(BlobPrefix + "previews/")) previewKeys.Add(key);
        var uploadKeys = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var key in ListAsync(BlobPrefix + "uploads/")) uploadKeys.Add(key);
        Assert.Equal(Uploads, uploadKeys.Count);
        Assert.Equal(Total, previewKeys.Count);
        foreach (var id in ids.Values)
        {
            var (statusA, a) = await http1.GetBytesAsync($"/api/v1/images/{id}/preview");
            var (statusB, b) = await http2.GetBytesAsync($"/api/v1/images/{id}/preview");
            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (statusA, statusB));
            Assert.True(a.Length > 100 && a.AsSpan().SequenceEqual(b), $"Preview of {id} differs between the nodes.");
            var n = id.Replace("-", "", StringComparison.Ordinal);
            Assert.Contains($"{BlobPrefix}previews/{n[^2..]}/{n}", previewKeys);
        }

        // The survivors are up.
        foreach (var (name, node) in _nodes.Where(n => n.Name != "w1"))
        {
            Assert.False(node.HasExited, $"{name} exited.\n{node.Output}");
            using var probe = new HttpClient { BaseAddress = node.BaseUri };
            Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/healthz")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/readyz")).StatusCode);
        }
        Log("checked");

        // A credential made on one API node works on the other; revoked on one, the other refuses it within 5 s.
        var createdClient = await http1.PostAsync("/api/v1/auth-management/clients", new JsonObject { ["name"] = "rotating" });
        Expect.Status(createdClient, 201);
        var created = createdClient.Json;
        using var rotating = new IrisHttp(api2.BaseUri, $"Bearer {IrisHttp.Str(created["client_id"])}:{IrisHttp.Str(created["client_secret"])}");
        Assert.Equal(200, (await rotating.GetAsync($"/api/v1/datasets/{datasetId}")).Code);
        Assert.Equal(200, (await http1.DeleteAsync($"/api/v1/auth-management/clients/{IrisHttp.Str(created["client_id"])}")).Code);
        var revokedAt = Stopwatch.StartNew();
        while ((await rotating.GetAsync($"/api/v1/datasets/{datasetId}")).Code != 401)
        {
            Assert.True(revokedAt.Elapsed < TimeSpan.FromSeconds(7), "The other API node still takes a revoked credential after 7 s.");
            await Task.Delay(100);
        }
        Log($"revocation seen by the other API node after {revokedAt.Elapsed.TotalSeconds:0.0} s");

        // SIGTERM: a worker stops within its grace and then some; its images are taken up by the others.
        var stopped = Stopwatch.StartNew();
        Assert.Equal(0, await worker2.StopAsync(TimeSpan.FromSeconds(30)));
        Log($"worker 2 stopped by SIGTERM in {stopped.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>A status entry without its event time (both nodes read the same row; the comparison is of everything).</summary>
    private static string Stable(JsonObject status) => status.ToJsonString();

    private async IAsyncEnumerable<string> ListAsync(string prefix)
    {
        string? token = null;
        do
        {
            var page = await _s3!.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix, ContinuationToken = token });
            foreach (var o in page.S3Objects ?? []) yield return o.Key;
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
    }

    private IrisHttp Client(IrisServerProcess node) => new(node.BaseUri, $"Bearer {_clientId}:{_secret}");

    /// <summary>Waits for the dataset's completed count to reach <paramref name="count"/>; outages (503) are waited out.</summary>
    private async Task<long> WaitForCompletedAsync(IrisHttp http, string datasetId, long count)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var response = await http.GetAsync($"/api/v1/datasets/{datasetId}");
            if (response.Code == 200 && response.Json["image_count"]!.GetValue<long>() is var completed && completed >= count) return completed;
            Assert.True(clock.Elapsed < DrainTimeout, $"Fewer than {count} images completed in {DrainTimeout.TotalSeconds} s.\n{Outputs()}");
            await Task.Delay(50);
        }
    }

    private async Task<Dictionary<string, JsonObject>> WaitForAllTerminalAsync(IrisHttp http, string datasetId, List<string> paths)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var latest = await http.StatusesAsync(datasetId, paths);
                var open = latest.Values.Where(e => IrisHttp.Str(e["status"]) is not ("completed" or "error")).ToList();
                if (open.Count == 0) return latest;
                Assert.True(clock.Elapsed < DrainTimeout,
                    $"{open.Count} images not terminal {DrainTimeout.TotalSeconds} s after the restart, e.g. "
                    + string.Join("; ", open.Take(5).Select(e => e.ToJsonString())) + "\n" + Outputs());
            }
            catch (Xunit.Sdk.XunitException) when (clock.Elapsed < DrainTimeout)
            {
                // 503 while the nodes reconnect to the restarted database
            }
            await Task.Delay(200);
        }
    }

    private string Outputs() => string.Join("\n", _nodes.Select(n => $"---- {n.Name} ----\n{Tail(n.Node.Output)}"));

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];

    private void Log(string message) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.00} s  {message}");

    public async Task DisposeAsync()
    {
        foreach (var (name, node) in _nodes)
        {
            output.WriteLine($"---- {name} output ----\n{Tail(node.Output)}");
            node.Dispose();
        }
        if (_s3 is not null) await _s3.DisposeAsync();
        if (_pg is not null) await _pg.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
