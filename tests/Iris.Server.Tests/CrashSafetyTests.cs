using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Iris.Server.Tests;

/// <summary>Runs alone (no other collection in parallel): it kills its own server and times its kill by progress.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CrashSafetyCollection
{
    public const string Name = "Crash safety";
}

/// <summary>
/// SIGKILL in the middle of a 2,000-image ingestion, then a restart on the same data folder: every image
/// ends completed or error exactly once, in exactly one record, with no temporary file left and a catalog
/// that passes SQLite's integrity and foreign key checks.
/// </summary>
[Collection(CrashSafetyCollection.Name)]
public sealed class CrashSafetyTests(ITestOutputHelper output) : IDisposable
{
    private const int GoodImages = 2000;
    private const int ListedGood = 996; // request 1 lists 996 good + 4 bad paths; request 2's dataPath holds the rest
    private const int KillAfterCompleted = 400;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(120);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "iris-crash-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _clientId = "crash-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private IrisServerProcess? _server;

    private string DataDir => Path.Combine(_root, "data");
    private string FilesDir => Path.Combine(_root, "files");

    [Fact]
    public async Task Sigkill_mid_ingestion_then_restart_finishes_every_image_once()
    {
        // ---- files: 2,000 distinct PNGs and six bad paths with known outcomes ----
        var listedDir = Directory.CreateDirectory(Path.Combine(FilesDir, "listed")).FullName;
        var folderDir = Directory.CreateDirectory(Path.Combine(FilesDir, "folder")).FullName;
        Directory.CreateDirectory(DataDir);
        var good = new List<string>(GoodImages);
        for (var i = 0; i < GoodImages; i++)
        {
            var file = Path.Combine(i < ListedGood ? listedDir : folderDir, $"img-{i:D4}.png");
            await File.WriteAllBytesAsync(file, TinyPng.Distinct(i, 96, 64));
            good.Add(file);
        }
        Assert.Equal(GoodImages, good.Select(f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))).Distinct().Count());

        var text = Path.Combine(listedDir, "img-0300-text.jpg");
        await File.WriteAllTextAsync(text, "This is plain text, not a JPEG.\n");
        var escape = Path.Combine(listedDir, "img-0600-escape.jpg");
        File.CreateSymbolicLink(escape, "/etc/hostname");
        var zero = Path.Combine(folderDir, "img-1300-zero.png");
        await File.WriteAllBytesAsync(zero, []);
        var huge = Path.Combine(folderDir, "img-1700-huge.png");
        await File.WriteAllBytesAsync(huge, TinyPng.HeaderOnly(20_000, 20_000)); // 400 MP by its header
        var expectedErrors = new Dictionary<string, string>
        {
            [FileUri(text)] = "unsupported_format",
            [FileUri(escape)] = "permission_denied",
            [FileUri(Path.Combine(listedDir, "img-0900-missing.png"))] = "file_not_found",
            ["ftp://127.0.0.1/img-0100-ftp.jpg"] = "unsupported_uri_scheme",
            [FileUri(zero)] = "unsupported_format",
            [FileUri(huge)] = "resolution_out_of_spec",
        };
        var listedBad = expectedErrors.Keys.Where(p => !p.StartsWith(FileUri(folderDir), StringComparison.Ordinal)).ToList();
        Assert.Equal(4, listedBad.Count);

        // Request 1: the listed good files with the four bad paths spread among them.
        var request1 = good.Take(ListedGood).Select(FileUri).ToList();
        for (var k = 0; k < listedBad.Count; k++) request1.Insert(100 + 250 * k, listedBad[k]);
        Assert.Equal(1000, request1.Count);
        Log($"generated {GoodImages} PNGs + {expectedErrors.Count} bad paths");

        // ---- first server: add everything, kill it with SIGKILL mid-way ----
        _server = await StartAsync();
        Log($"server 1 (pid {_server.Pid}) healthy");
        string datasetId;
        using var uploadCancel = new CancellationTokenSource();
        Task stalledUpload;
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        var jobs = new List<string>();
        using (var http = Client())
        {
            datasetId = await http.CreateDatasetIdAsync(encoder: "none");
            // Two ingest jobs: a list of images and a folder.
            jobs.Add(IrisHttp.Str(Expect.Ok(await http.PostAsync("/api/v1/ingestion/images", new JsonObject
            {
                ["dataset_id"] = datasetId,
                ["images"] = new JsonArray(request1.Select(p => (JsonNode)new JsonObject { ["source_path"] = p }).ToArray()),
            }))["id"]));
            var bucket = await http.PostAsync("/api/v1/ingestion/buckets", new JsonObject { ["dataset_id"] = datasetId, ["path"] = FileUri(folderDir) + "/" });
            Expect.Status(bucket, 202);
            jobs.Add(IrisHttp.Str(bucket.Json["id"]));
            foreach (var job in jobs) await CollectAsync(http, ids, job);
            Log($"added {ids.Count} images in 2 jobs");

            var expectedPaths = request1.Concat(good.Skip(ListedGood).Select(FileUri)).Append(FileUri(zero)).Append(FileUri(huge)).ToHashSet();
            Assert.True(expectedPaths.SetEquals(ids.Keys), "The two add requests did not record exactly the expected paths.");
            Assert.Equal(ids.Count, ids.Values.Distinct().Count());

            // An upload cut off by the kill: its bytes are in a temporary file the restart must remove.
            stalledUpload = StartStalledUpload(datasetId, uploadCancel.Token);
            await WaitForAsync(() => TempFiles().Count > 0, "the stalled upload's temporary file");
            Log($"an upload is stalled mid-body ({TempFiles().Count} file in tmp/)");

            long completed;
            while ((completed = await CompletedCountAsync(http, datasetId)) < KillAfterCompleted)
            {
                Assert.False(_server.HasExited, $"The server exited by itself.\n{_server.Output}");
                Assert.True(_clock.Elapsed < TimeSpan.FromSeconds(90), $"Only {completed} images completed in 90 s.");
                await Task.Delay(10);
            }
            _server.KillHard();
            Log($"SIGKILL sent to pid {_server.Pid} after the API showed {completed} completed");
        }
        _server.Dispose();
        _server = null;
        await uploadCancel.CancelAsync();
        await stalledUpload;

        var (atKill, inFlight) = Peek();
        Log("catalog right after the kill: " + string.Join(", ", atKill.Select(p => $"{p.Key}={p.Value}"))
            + $", {inFlight.Count} leased jobs; {TempFiles().Count} file in tmp/");
        Assert.True(TempFiles().Count > 0, "The stalled upload's temporary file is gone before the restart; the test no longer checks its cleanup.");
        var terminalAtKill = atKill.GetValueOrDefault("completed") + atKill.GetValueOrDefault("error");
        Assert.True(terminalAtKill > 0 && terminalAtKill < ids.Count,
            $"The kill did not land mid-ingestion ({terminalAtKill} of {ids.Count} terminal); the test proves nothing.");

        // ---- second server on the same data folder: a client retries request 1, then everything finishes ----
        _server = await StartAsync();
        Log($"server 2 (pid {_server.Pid}) healthy on the same data folder");
        Dictionary<string, JsonObject> statuses;
        using (var http = Client())
        {
            var retried = Expect.Ok(await http.PostAsync("/api/v1/ingestion/images", new JsonObject
            {
                ["dataset_id"] = datasetId,
                ["images"] = new JsonArray(good.Take(ListedGood).Select(f => (JsonNode)new JsonObject { ["source_path"] = FileUri(f) }).ToArray()),
            }));
            jobs.Add(IrisHttp.Str(retried["id"]));
            foreach (var asset in retried["details"]!["assets"]!.AsArray())
                Assert.True(ids[IrisHttp.Str(asset!["asset"]!["source_path"])] == IrisHttp.Str(asset["asset_id"]),
                    $"Adding an existing path again made another image: {asset.ToJsonString()}");

            statuses = await WaitForAllTerminalAsync(http, datasetId, ids.Keys.ToList());
            Log($"all {statuses.Count} images terminal");

            // Every job ends completed with exact counts: the first two counted across the kill, the retry at once or as its images finished.
            var folderErrors = expectedErrors.Count - listedBad.Count;
            var expected = new (long Total, long Errored)[] { (request1.Count, listedBad.Count), (GoodImages - ListedGood + folderErrors, folderErrors), (ListedGood, 0) };
            for (var j = 0; j < jobs.Count; j++)
            {
                var job = await WaitForJobAsync(http, jobs[j]);
                Assert.True(IrisHttp.Str(job["status"]) == "completed" && job["total_assets"]!.GetValue<long>() == expected[j].Total
                            && job["errored_assets"]!.GetValue<long>() == expected[j].Errored
                            && job["processed_assets"]!.GetValue<long>() == expected[j].Total - expected[j].Errored,
                    $"Job {j + 1} after the restart: {job.ToJsonString()}");
                Expect.Timestamp(job["finished_dt"], "finished_dt");
            }
            Log("the three jobs ended completed with exact counts");

            foreach (var (path, entry) in statuses)
            {
                Assert.True(IrisHttp.Str(entry["coactiveImageId"]) == ids[path], $"Status of {path} has another id: {entry.ToJsonString()}");
                if (expectedErrors.TryGetValue(path, out var code)) Expect.ErrorStatus(entry, code);
                else Expect.CompletedStatus(entry);
            }

            // Every good image's one record describes its own bytes (also those cut off by the kill).
            var byId = good.ToDictionary(f => ids[FileUri(f)]);
            foreach (var chunk in byId.Keys.Chunk(1000))
            {
                var data = Expect.Ok(await http.PostAsync("/api/v0/images/metadata",
                    new JsonObject { ["coactiveImageIds"] = J.Strings(chunk) }))["data"]!.AsArray();
                Assert.Equal(chunk.Length, data.Count);
                foreach (var asset in data) Expect.CompletedFrom(asset, byId[IrisHttp.Str(asset!["coactiveImageId"])]);
            }
            Assert.Equal(GoodImages, (await http.GetDatasetAsync(datasetId))["image_count"]!.GetValue<long>());

            // The images the kill interrupted were processed again from scratch: a complete preview each.
            foreach (var id in inFlight.Where(byId.ContainsKey))
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/images/{id}/preview");
                request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {_clientId}:{_secret}");
                using var raw = new HttpClient { BaseAddress = _server.BaseUri };
                using var preview = await raw.SendAsync(request);
                var bytes = await preview.Content.ReadAsByteArrayAsync();
                Assert.True(preview.IsSuccessStatusCode && preview.Content.Headers.ContentType?.MediaType?.StartsWith("image/", StringComparison.Ordinal) == true
                            && bytes.Length > 0, $"Preview of {byId[id]} (processing when killed): {(int)preview.StatusCode}, {bytes.Length} bytes");
            }
        }
        var exitCode = await _server.StopAsync(TimeSpan.FromSeconds(20));
        Assert.True(exitCode == 0, $"iris serve exited with {exitCode} after SIGTERM.\n{_server.Output}");
        _server.Dispose();
        _server = null;
        Log("server 2 stopped by SIGTERM");

        // ---- the catalog file itself, read directly ----
        CheckCatalog(datasetId, ids, expectedErrors.Keys.ToHashSet());
        CheckNoTemporaryFiles();
        Log("catalog and data folder checked");
    }

    private void CheckCatalog(string datasetId, Dictionary<string, string> ids, HashSet<string> badPaths)
    {
        using var db = Open(readOnly: true);
        Assert.Equal("ok", Scalar<string>(db, "PRAGMA integrity_check"));
        using (var fk = Command(db, "PRAGMA foreign_key_check").ExecuteReader())
            Assert.False(fk.Read(), "PRAGMA foreign_key_check reports a dangling reference.");

        Assert.Equal(ids.Count, Scalar<long>(db, "SELECT count(*) FROM images"));
        Assert.Equal(0L, Scalar<long>(db, "SELECT count(*) FROM (SELECT 1 FROM images GROUP BY dataset_id, path HAVING count(*) > 1)"));
        Assert.Equal(0L, Scalar<long>(db, "SELECT count(*) FROM ingestion_jobs"));
        Assert.Equal(0L, Scalar<long>(db, "SELECT count(*) FROM ingest_job_assets WHERE outcome IS NULL"));
        Assert.Equal(0L, Scalar<long>(db, "SELECT count(*) FROM ingest_jobs WHERE status <> 'completed' OR processed_assets + errored_assets <> total_assets"));
        Assert.Equal(0L, Scalar<long>(db, "SELECT count(*) FROM images WHERE status NOT IN ('completed', 'error')"));

        // One record per path with the id the API gave; one received and one terminal event each, matching the status.
        using var rows = Command(db, """
            SELECT i.id, i.path, i.status, i.latest_event_type, i.error_code,
                   (SELECT count(*) FROM image_events e WHERE e.image_id = i.id AND e.event_type = 'received'),
                   (SELECT count(*) FROM image_events e WHERE e.image_id = i.id AND e.event_type IN ('completed', 'error')),
                   (SELECT e.event_type FROM image_events e WHERE e.image_id = i.id AND e.event_type IN ('completed', 'error'))
            FROM images i
            """).ExecuteReader();
        var seen = 0;
        while (rows.Read())
        {
            seen++;
            var (id, path, status) = (rows.GetGuid(0).ToString(), rows.GetString(1), rows.GetString(2));
            var what = $"{path} ({status})";
            Assert.True(ids.TryGetValue(path, out var apiId) && apiId == id, $"{what}: id {id} is not the one the API answered.");
            Assert.True(status == (badPaths.Contains(path) ? "error" : "completed"), $"{what}: unexpected status.");
            Assert.True(rows.GetInt64(5) == 1, $"{what}: {rows.GetInt64(5)} 'received' events.");
            Assert.True(rows.GetInt64(6) == 1, $"{what}: {rows.GetInt64(6)} terminal events (completed/error); exactly one expected.");
            Assert.True(rows.GetString(7) == status, $"{what}: its terminal event is '{rows.GetString(7)}'.");
            Assert.True(!rows.IsDBNull(3) && rows.GetString(3) == status, $"{what}: latest event is not '{status}'.");
            Assert.True(rows.IsDBNull(4) == (status == "completed"), $"{what}: error_code does not fit the status.");
        }
        Assert.Equal(ids.Count, seen);

        using var count = Command(db, "SELECT completed_count FROM datasets WHERE id = @id");
        count.Parameters.AddWithValue("@id", Guid.Parse(datasetId).ToByteArray());
        Assert.Equal((long)GoodImages, (long)count.ExecuteScalar()!);
    }

    /// <summary>No partial download, upload or preview anywhere under the data folder; stored blobs are at most one per image.</summary>
    private void CheckNoTemporaryFiles()
    {
        var files = Directory.EnumerateFiles(DataDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(DataDir, f)).ToList();
        Log("data folder holds: " + string.Join(", ", files
            .GroupBy(f => string.Join('/', f.Split(Path.DirectorySeparatorChar).Take(2)))
            .Select(g => g.Count() == 1 ? g.Key : $"{g.Key}/… ({g.Count()} files)")));
        var temporary = files.Where(f =>
            f.Split(Path.DirectorySeparatorChar).SkipLast(1).Any(d => d.Contains("tmp", StringComparison.OrdinalIgnoreCase) || d.Contains("temp", StringComparison.OrdinalIgnoreCase))
            || Path.GetExtension(f) is ".tmp" or ".part" or ".partial" or ".download").ToList();
        Assert.True(temporary.Count == 0, "Temporary files survived the crash and restart: " + string.Join(", ", temporary.Take(20)));
        var blobs = files.Count(f => f.StartsWith("blobs" + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        Assert.True(blobs <= GoodImages, $"{blobs} stored blobs for {GoodImages} completed images: an interrupted attempt left its output behind.");
    }

    private List<string> TempFiles()
    {
        var tmp = Path.Combine(DataDir, "tmp");
        return Directory.Exists(tmp) ? [.. Directory.EnumerateFiles(tmp)] : [];
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"Waited 10 s for {what}.");
            await Task.Delay(10);
        }
    }

    /// <summary>POSTs a multipart upload that sends 256 KB of a file and then stalls until cancelled (the kill ends it).</summary>
    private Task StartStalledUpload(string datasetId, CancellationToken ct)
    {
        var client = new HttpClient { BaseAddress = _server!.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/datasets/{datasetId}/uploads")
        {
            Content = new StalledMultipart("crash-boundary", TinyPng.Distinct(GoodImages + 1, 512, 170)),
        };
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {_clientId}:{_secret}");
        return Task.Run(async () =>
        {
            using (client)
            using (request)
            {
                try
                {
                    using var response = await client.SendAsync(request, ct);
                    Assert.Fail($"The stalled upload was answered ({(int)response.StatusCode}) before the kill.");
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
                {
                    // expected: the server died under it
                }
            }
        }, CancellationToken.None);
    }

    /// <summary>One file part whose bytes are sent but whose closing boundary never comes.</summary>
    private sealed class StalledMultipart : HttpContent
    {
        private readonly byte[] _start;

        public StalledMultipart(string boundary, byte[] file)
        {
            var head = System.Text.Encoding.ASCII.GetBytes(
                $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"stalled.png\"\r\nContent-Type: image/png\r\n\r\n");
            _start = [.. head, .. file.AsSpan(0, Math.Min(file.Length, 256 * 1024))];
            Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={boundary}");
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken ct)
        {
            await stream.WriteAsync(_start, ct);
            await stream.FlushAsync(ct);
            await Task.Delay(Timeout.Infinite, ct);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>Images per status, and the images whose jobs were leased (being processed) when the server died.</summary>
    private (Dictionary<string, long> Counts, List<string> InFlight) Peek()
    {
        using var db = Open(readOnly: true);
        var counts = new Dictionary<string, long>();
        using (var r = Command(db, "SELECT status, count(*) FROM images GROUP BY status").ExecuteReader())
            while (r.Read()) counts[r.GetString(0)] = r.GetInt64(1);
        var inFlight = new List<string>();
        using (var r = Command(db, "SELECT image_id FROM ingestion_jobs WHERE lease_expires_at IS NOT NULL").ExecuteReader())
            while (r.Read()) inFlight.Add(r.GetGuid(0).ToString());
        return (counts, inFlight);
    }

    private async Task<Dictionary<string, JsonObject>> WaitForAllTerminalAsync(IrisHttp http, string datasetId, List<string> paths)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var latest = await http.StatusesAsync(datasetId, paths);
            var open = latest.Values.Where(e => IrisHttp.Str(e["status"]) is not ("completed" or "error")).ToList();
            if (open.Count == 0 && latest.Count == paths.Count) return latest;
            Assert.False(_server!.HasExited, $"The restarted server exited.\n{_server.Output}");
            Assert.True(clock.Elapsed < DrainTimeout,
                $"{open.Count} images still not terminal {DrainTimeout.TotalSeconds} s after the restart, e.g. "
                + string.Join("; ", open.Take(5).Select(e => e.ToJsonString())));
            await Task.Delay(200);
        }
    }

    private static async Task<long> CompletedCountAsync(IrisHttp http, string datasetId) =>
        (await http.GetDatasetAsync(datasetId))["image_count"]!.GetValue<long>();

    /// <summary>path → asset id of every asset of the job, from its status pages.</summary>
    private static async Task CollectAsync(IrisHttp http, Dictionary<string, string> ids, string jobId)
    {
        for (var offset = 0; ; offset += 1000)
        {
            var data = Expect.Ok(await http.GetAsync($"/api/v1/ingestion/jobs/{jobId}/status?offset={offset}&limit=1000"))["data"]!["assets"]!["data"]!.AsArray();
            if (data.Count == 0) return;
            foreach (var asset in data)
                Assert.True(ids.TryAdd(IrisHttp.Str(asset!["source_path"]), IrisHttp.Str(asset["asset_id"])), $"One path answered twice: {asset.ToJsonString()}");
        }
    }

    private static async Task<JsonNode> WaitForJobAsync(IrisHttp http, string jobId)
    {
        var deadline = DateTime.UtcNow + DrainTimeout;
        while (true)
        {
            var job = Expect.Ok(await http.GetAsync($"/api/v1/ingestion/jobs/{jobId}"));
            if (IrisHttp.Str(job["status"]) is "completed" or "failed" || DateTime.UtcNow > deadline) return job;
            await Task.Delay(200);
        }
    }

    private Task<IrisServerProcess> StartAsync() =>
        IrisServerProcess.StartAsync(DataDir, [FilesDir], _clientId, _secret, _root);

    private IrisHttp Client() => new(_server!.BaseUri, $"Bearer {_clientId}:{_secret}");

    private SqliteConnection Open(bool readOnly)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(DataDir, "catalog.db"),
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        db.Open();
        return db;
    }

    private static SqliteCommand Command(SqliteConnection db, string sql)
    {
        var command = db.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private static T Scalar<T>(SqliteConnection db, string sql)
    {
        using var command = Command(db, sql);
        return (T)command.ExecuteScalar()!;
    }

    private static string FileUri(string absolutePath) => ServerFixture.FileUri(absolutePath);

    private void Log(string message) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.00} s  {message}");

    public void Dispose()
    {
        if (_server is not null)
        {
            output.WriteLine("server output:\n" + _server.Output);
            _server.Dispose();
        }
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a leftover temp folder is harmless
        }
    }
}

/// <summary>Small valid PNGs written from scratch (zlib from the BCL, CRC-32 here), for tests that need many distinct images.</summary>
internal static class TinyPng
{
    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <summary>An RGB image whose pixels depend on <paramref name="seed"/>: no two seeds give the same bytes or picture.</summary>
    public static byte[] Distinct(int seed, int width, int height)
    {
        var raw = new byte[height * (1 + width * 3)];
        var i = 0;
        for (var y = 0; y < height; y++)
        {
            raw[i++] = 0; // filter: none
            for (var x = 0; x < width; x++)
            {
                raw[i++] = (byte)(x * 255 / width + seed);
                raw[i++] = (byte)(y * 255 / height + seed * 7);
                raw[i++] = (byte)((x / 8 + y / 8) % 2 == 0 ? seed >> 3 : 255 - (seed >> 3));
            }
        }
        return Encode(width, height, Deflate(raw));
    }

    /// <summary>A PNG whose header claims <paramref name="width"/>×<paramref name="height"/> but holds one tiny row of data.</summary>
    public static byte[] HeaderOnly(int width, int height) => Encode(width, height, Deflate([0, 0, 0, 0]));

    private static byte[] Deflate(byte[] raw)
    {
        using var buffer = new MemoryStream();
        using (var z = new ZLibStream(buffer, CompressionLevel.Fastest, leaveOpen: true)) z.Write(raw);
        return buffer.ToArray();
    }

    private static byte[] Encode(int width, int height, byte[] idat)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // truecolour RGB
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR"u8, ihdr);
        Chunk(png, "IDAT"u8, idat);
        Chunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        png.Write(type);
        png.Write(data);
        var crc = 0xFFFFFFFFu;
        foreach (var b in type) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        foreach (var b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc ^ 0xFFFFFFFFu);
        png.Write(word);
    }
}
