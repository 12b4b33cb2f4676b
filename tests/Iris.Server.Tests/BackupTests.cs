using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Iris.Testing;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Iris.Server.Tests;

/// <summary>
/// <c>iris backup</c> during an ingestion: a server started on the copy has every image that was completed when the
/// backup began, with its metadata, preview and upload bytes; the images in flight finish there; the copied catalog
/// passes SQLite's integrity check. The original server keeps ingesting meanwhile.
/// </summary>
[Collection(CrashSafetyCollection.Name)]
public sealed class BackupTests(ITestOutputHelper output) : IDisposable
{
    private const int Files = 300;
    private const int Uploads = 10;

    private readonly string _root = Directory.CreateTempSubdirectory("iris-backup-").FullName;
    private readonly string _clientId = "backup-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
    private readonly List<IrisServerProcess> _servers = [];

    private string FilesDir => Path.Combine(_root, "files");

    [Fact]
    public async Task A_backup_taken_during_an_ingestion_starts_a_server_with_everything_that_was_done()
    {
        Directory.CreateDirectory(FilesDir);
        var paths = new List<string>();
        for (var i = 0; i < Files; i++)
        {
            var file = Path.Combine(FilesDir, $"img-{i:D4}.png");
            await File.WriteAllBytesAsync(file, TinyPng.Distinct(i, 480, 320));
            paths.Add(ServerFixture.FileUri(file));
        }
        var data = Path.Combine(_root, "data");
        var original = await StartAsync(data);
        using var http = Client(original);
        var datasetId = await http.CreateDatasetIdAsync(encoder: "none");
        for (var i = 0; i < Uploads; i++)
        {
            var uploaded = Expect.Ok(await UploadsTests.UploadAsync(http, datasetId, UploadsTests.Part.File(TinyPng.Distinct(5000 + i, 64, 64), $"up-{i}.png", "image/png")));
            paths.Add(IrisHttp.SourcePath(uploaded, 0));
        }
        await http.AddPathsAsync(datasetId, [.. paths.Take(Files)]);

        // Mid-way: what is completed now must be in the copy.
        var clock = Stopwatch.StartNew();
        Dictionary<string, JsonObject> before;
        while (true)
        {
            before = await http.StatusesAsync(datasetId, paths);
            var done = before.Values.Count(s => IrisHttp.Str(s["status"]) == "completed");
            if (done >= 60) break;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "Ingestion did not get going.");
            await Task.Delay(20);
        }
        var completedBefore = before.Where(p => IrisHttp.Str(p.Value["status"]) == "completed").Select(p => p.Key).ToList();
        Assert.True(completedBefore.Count < paths.Count, "Everything completed before the backup; the test proves nothing.");

        var copy = Path.Combine(_root, "copy");
        var backup = await IrisTestServer.RunIrisAsync(["backup", "--data", data, "--out", copy], _root);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        output.WriteLine(backup.Stdout);
        Assert.Contains("integrity ok", backup.Stdout);
        Assert.False(original.HasExited);
        var after = await http.StatusesAsync(datasetId, paths);
        Assert.All(completedBefore, p => Assert.Equal("completed", IrisHttp.Str(after[p]["status"]))); // the original carried on

        using (var db = new SqliteConnection($"Data Source={Path.Combine(copy, "catalog.db")};Pooling=False"))
        {
            db.Open();
            using var check = db.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", (string)check.ExecuteScalar()!);
        }

        // A server on the copy: everything completed before is there as it was; the rest finishes there.
        var restored = await StartAsync(copy);
        using var http2 = Client(restored);
        var terminal = await http2.WaitForTerminalAsync(datasetId, paths);
        foreach (var path in completedBefore)
        {
            var id = IrisHttp.Str(before[path]["coactiveImageId"]);
            Assert.Equal(id, IrisHttp.Str(terminal[path]["coactiveImageId"]));
            var one = await http.GetImageAsync(id);
            var two = await http2.GetImageAsync(id);
            Assert.Equal(one.ToJsonString(), two.ToJsonString());
            var (statusOne, previewOne) = await http.GetBytesAsync($"/api/v1/images/{id}/preview");
            var (statusTwo, previewTwo) = await http2.GetBytesAsync($"/api/v1/images/{id}/preview");
            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (statusOne, statusTwo));
            Assert.True(previewOne.AsSpan().SequenceEqual(previewTwo), $"The preview of {path} differs in the copy.");
        }
        Assert.All(terminal.Values, s => Assert.Equal("completed", IrisHttp.Str(s["status"])));
        // The upload bytes are in the copy: every upload completed there, and its blob is a file of the copy.
        foreach (var path in paths.Skip(Files))
        {
            var sha = path["upload://".Length..].Split('/')[0];
            Assert.True(File.Exists(Path.Combine(copy, "blobs", "uploads", "sha256", sha[..2], sha)), $"The upload {path} is missing from the copy.");
        }
    }

    private async Task<IrisServerProcess> StartAsync(string data)
    {
        Directory.CreateDirectory(data);
        var server = await IrisServerProcess.StartAsync(data, [FilesDir], _clientId, _secret, _root);
        _servers.Add(server);
        return server;
    }

    private IrisHttp Client(IrisServerProcess server) => new(server.BaseUri, $"Bearer {_clientId}:{_secret}");

    public void Dispose()
    {
        foreach (var server in _servers)
        {
            output.WriteLine(server.Output.Length > 3000 ? server.Output[^3000..] : server.Output);
            server.Dispose();
        }
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
