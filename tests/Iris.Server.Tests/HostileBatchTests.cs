using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Iris.Core.Tests.Hostile;
using Iris.Testing;
using Xunit.Abstractions;

namespace Iris.Server.Tests;

/// <summary>
/// Every generated hostile file (<see cref="HostileFiles"/>) and three good corpus images in ONE batch, black-box, on a
/// server of its own (so its process id is known and its memory is its own): each hostile file ends in its error
/// code with a reason; the good images, and the two hostile files whose pixels are intact (absurd EXIF, a zTXt
/// decompression bomb), complete with previews; and the server's peak RSS stays bounded.
/// </summary>
public sealed class HostileBatchTests(ITestOutputHelper output) : IDisposable
{
    // An idle server is about 100-150 MB; one 20,000² GIF frame allowed through used to add 1.6 GB, the PNG text bomb 1.1 GB.
    private const long MaxPeakRssBytes = 600L * 1024 * 1024;

    private static readonly string[] GoodCorpusFiles = ["imaging/branches.jpg", "x-image/video-001.png", "go-image/video-001.gif"];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "iris-hostile-" + Guid.NewGuid().ToString("N")[..12]);
    private IrisServerProcess? _server;

    public void Dispose()
    {
        _server?.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Hostile_files_in_one_batch_end_in_their_errors_while_good_images_complete_and_memory_stays_bounded()
    {
        var files = Directory.CreateDirectory(Path.Combine(_root, "files")).FullName;
        var data = Directory.CreateDirectory(Path.Combine(_root, "data")).FullName;
        var expected = new Dictionary<string, HostileFile>();
        foreach (var file in HostileFiles.Failing())
        {
            var path = Path.Combine(files, file.Name);
            await File.WriteAllBytesAsync(path, file.Bytes);
            expected[ServerFixture.FileUri(path)] = file;
        }
        var absurdExif = Path.Combine(files, "absurd-exif.jpg");
        await File.WriteAllBytesAsync(absurdExif, HostileFiles.JpegWithAbsurdExif());
        var textBomb = Path.Combine(files, "text-bomb.png"); // intact pixels, 300 MB of zTXt in 300 KB: used to cost 1.1 GB of RSS
        await File.WriteAllBytesAsync(textBomb, HostileFiles.PngWithTextBomb(300));
        var good = GoodCorpusFiles.Select(f => Path.Combine(TestEnvironment.CorpusRoot, f)).Append(absurdExif).Append(textBomb).ToList();

        var clientId = "hostile-" + Guid.NewGuid().ToString("N")[..12];
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _server = await IrisServerProcess.StartAsync(data, [files, TestEnvironment.CorpusRoot], clientId, secret, _root);
        using var http = new IrisHttp(_server.BaseUri, $"Bearer {clientId}:{secret}");

        var datasetId = await http.CreateDatasetIdAsync();
        var paths = expected.Keys.Concat(good.Select(ServerFixture.FileUri)).ToArray();
        var added = await http.AddPathsAsync(datasetId, paths);
        var ids = IrisHttp.Ids(added);
        var statuses = await http.WaitForTerminalAsync(datasetId, paths);

        foreach (var (path, file) in expected)
        {
            var entry = statuses[path];
            output.WriteLine($"{file.Name}: {entry["status"]} {entry["errorCode"]}: {entry["errorReason"]}");
            Expect.ErrorStatus(entry, file.ExpectedErrorCode);
            Assert.DoesNotContain("root:", entry.ToJsonString()); // the SVG's /etc/passwd never shows
            Expect.Error(await http.GetAsync($"/api/v1/images/{ids[path]}/preview"), 404);
        }

        foreach (var file in good)
        {
            var path = ServerFixture.FileUri(file);
            Expect.CompletedStatus(statuses[path]);
            Expect.CompletedFrom(await http.GetImageAsync(ids[path]), file);
            using var client = new HttpClient { BaseAddress = _server.BaseUri };
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/images/{ids[path]}/preview");
            request.Headers.TryAddWithoutValidation("Authorization", http.Authorization);
            using var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"preview of {file}: {(int)response.StatusCode}");
            using var preview = NetVips.Image.NewFromBuffer(await response.Content.ReadAsByteArrayAsync());
            Assert.True(preview.Width is > 0 and <= 256 && preview.Height is > 0 and <= 256, $"preview of {file}: {preview.Width}×{preview.Height}");
        }

        // The absurd EXIF left only its one sane tag, and no orientation.
        var exifAsset = await http.GetImageAsync(ids[ServerFixture.FileUri(absurdExif)]);
        Expect.JsonEqual(new JsonObject { ["Make"] = HostileFiles.AbsurdExifMake }, exifAsset["technicalMetadata"]!["exif"], "exif of absurd-exif.jpg");
        Expect.Null(exifAsset["technicalMetadata"], "orientation");

        // VmHWM is the process' peak resident set since it started: it covers the whole batch, not just this moment.
        var (rss, peak) = RssOf(_server.Pid);
        output.WriteLine($"server pid {_server.Pid}: VmRSS {rss / 1048576.0:0} MB, VmHWM {peak / 1048576.0:0} MB");
        Assert.True(peak < MaxPeakRssBytes,
            $"the server's peak RSS was {peak / 1048576.0:0} MB (bound {MaxPeakRssBytes / 1048576} MB) after the hostile batch");
        Expect.Ok(await http.GetAsync("/healthz"));
    }

    /// <summary>VmRSS and VmHWM of a process, in bytes, from /proc/PID/status.</summary>
    private static (long Rss, long Peak) RssOf(int pid)
    {
        long Field(string[] lines, string name)
        {
            var line = lines.Single(l => l.StartsWith(name + ":", StringComparison.Ordinal));
            return long.Parse(line[(name.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024; // kB
        }
        var status = File.ReadAllLines($"/proc/{pid}/status");
        return (Field(status, "VmRSS"), Field(status, "VmHWM"));
    }
}
