using Iris.Testing;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Iris.Ingestion;
using Iris.Models;
using Iris.Sources;
using Iris.Tests.Servers;

namespace Iris.Core.Tests.Sources;

/// <summary>HttpSource against a real HTTP server on 127.0.0.1 (the guard lifted, or allowing that one address).</summary>
public sealed class HttpSourceTests : IAsyncLifetime, IDisposable
{
    private readonly LoopbackHttpServer _server = new();
    private readonly FakeBlobStore _blobs = new();
    private readonly byte[] _png = Generated.Png(3, 2);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _blobs.Dispose();

    private static IrisOptions Options(long maxImageBytes = 64 * 1024, int retries = 2, int timeoutMs = 2000) => new()
    {
        AllowPrivateNetwork = true,
        MaxImageBytes = maxImageBytes,
        HttpTimeout = TimeSpan.FromMilliseconds(timeoutMs),
        HttpRetries = retries,
        HttpRetryDelay = TimeSpan.FromMilliseconds(10),
    };

    /// <summary>The guard on, with only the test server's address let through.</summary>
    private static NetworkGuard GuardAllowingTheServer() => new(allowPrivateNetwork: false, [IPAddress.Loopback]);

    private async Task<SourceFile> Fetch(string url, IrisOptions? options = null, NetworkGuard? guard = null)
    {
        options ??= Options();
        using var source = new HttpSource(options, _blobs.Temp, guard ?? new NetworkGuard(options.AllowPrivateNetwork));
        return await source.FetchAsync(Jobs.For(url), CancellationToken.None);
    }

    private async Task<IngestionException> Fails(string url, string code, IrisOptions? options = null, NetworkGuard? guard = null)
    {
        var e = await Assert.ThrowsAsync<IngestionException>(() => Fetch(url, options, guard));
        Assert.True(code == e.ErrorCode, $"{url}: expected {code}, got {e.ErrorCode}: {e.Message}");
        Assert.Empty(TempFiles()); // a failed download leaves nothing behind
        return e;
    }

    private IEnumerable<string> TempFiles() => _blobs.TempFiles();

    private string Serve(string name, LoopbackHttpServer.Handler handler) => _server.Map(LoopbackHttpServer.UniquePath(name), handler);

    private static string TargetOf(string url) => new Uri(url).PathAndQuery;

    [Theory]
    [InlineData(BodyFraming.ContentLength)]
    [InlineData(BodyFraming.Chunked)]
    [InlineData(BodyFraming.Close)]
    public async Task ImageIsDownloadedToATemporaryFile(BodyFraming framing)
    {
        var body = RandomNumberGenerator.GetBytes(40_000);
        var url = Serve("photo.jpg", x => x.SendAsync(200, body, "image/jpeg", framing));
        var file = await Fetch(url);
        Assert.True(file.IsTemporary);
        Assert.Equal(body, await File.ReadAllBytesAsync(file.LocalPath));
        await file.DisposeAsync();
        Assert.Empty(TempFiles());
    }

    [Fact]
    public async Task PercentEncodedPathsAreSentAsWritten()
    {
        var path = $"/{Guid.NewGuid():N}/100%25%20sure%2Bplus%26%C3%A9.png?v=1&x=%2F";
        var url = _server.Map(path, x => x.SendAsync(200, _png, "image/png"));
        await using var file = await Fetch(url);
        Assert.Equal(_png, await File.ReadAllBytesAsync(file.LocalPath));
        Assert.Equal(1, _server.Hits(path));
    }

    [Theory]
    [InlineData(404, ErrorCodes.FileNotFound)]
    [InlineData(410, ErrorCodes.FileNotFound)]
    [InlineData(401, ErrorCodes.PermissionDenied)]
    [InlineData(403, ErrorCodes.PermissionDenied)]
    [InlineData(400, ErrorCodes.BrokenUrl)]
    [InlineData(405, ErrorCodes.BrokenUrl)]
    public async Task PermanentStatusesEndAtOnce(int status, string code)
    {
        var url = Serve("x.jpg", x => x.SendAsync(status, "nope"u8.ToArray(), "text/plain"));
        var e = await Fails(url, code);
        Assert.Contains($"answered {status}", e.Message);
        Assert.Equal(1, _server.Hits(TargetOf(url)));
    }

    [Fact]
    public async Task ServerErrorThenSuccessIsRetried()
    {
        var calls = 0;
        var url = Serve("flaky.png", x => Interlocked.Increment(ref calls) == 1
            ? x.SendAsync(500, "oops"u8.ToArray(), "text/plain")
            : x.SendAsync(200, _png, "image/png"));
        await using var file = await Fetch(url);
        Assert.Equal(_png, await File.ReadAllBytesAsync(file.LocalPath));
        Assert.Equal(2, _server.Hits(TargetOf(url)));
    }

    [Fact]
    public async Task AlwaysUnavailableEndsAsBrokenUrlAfterTheRetries()
    {
        var url = Serve("down.png", x => x.SendAsync(503, "busy"u8.ToArray(), "text/plain"));
        var e = await Fails(url, ErrorCodes.BrokenUrl, Options(retries: 3));
        Assert.Contains("answered 503", e.Message);
        Assert.Contains("gave up after 4 attempts", e.Message);
        Assert.Equal(4, _server.Hits(TargetOf(url)));
    }

    [Fact]
    public async Task TooManyRequestsWaitsForRetryAfter()
    {
        var calls = 0;
        var url = Serve("limited.png", x => Interlocked.Increment(ref calls) == 1
            ? x.SendAsync(429, null, null, BodyFraming.ContentLength, ("Retry-After", "1"))
            : x.SendAsync(200, _png, "image/png"));
        var clock = Stopwatch.StartNew();
        await using var file = await Fetch(url);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(950), $"retried after {clock.Elapsed}, not after the 1 s asked");
        Assert.Equal(2, _server.Hits(TargetOf(url)));
    }

    [Fact]
    public async Task RetryAfterLongerThanIrisWaitsEndsAtOnce()
    {
        var url = Serve("later.png", x => x.SendAsync(429, null, null, BodyFraming.ContentLength, ("Retry-After", "3600")));
        var e = await Fails(url, ErrorCodes.BrokenUrl);
        Assert.Contains("retry after 3600 s", e.Message);
        Assert.Equal(1, _server.Hits(TargetOf(url)));
    }

    [Fact]
    public async Task ServerThatNeverAnswersTimesOut()
    {
        var url = Serve("silent.png", x => Task.Delay(TimeSpan.FromSeconds(30), x.Stopping));
        var e = await Fails(url, ErrorCodes.BrokenUrl, Options(retries: 1, timeoutMs: 300));
        Assert.Contains("did not answer within 300 ms", e.Message);
        Assert.Equal(2, _server.Hits(TargetOf(url)));
    }

    [Fact]
    public async Task BodyThatStallsTimesOut()
    {
        var url = Serve("stall.png", async x =>
        {
            await x.SendHeadAsync(200, BodyFraming.ContentLength, 1000, "image/png");
            await x.SendBodyAsync(_png, BodyFraming.ContentLength);
            await Task.Delay(TimeSpan.FromSeconds(30), x.Stopping);
        });
        var e = await Fails(url, ErrorCodes.BrokenUrl, Options(retries: 0, timeoutMs: 1000));
        Assert.Contains("stopped sending data for 1 s", e.Message);
    }

    [Fact]
    public async Task SlowBodyThatKeepsComingIsNotCut()
    {
        // Fifteen pieces 100 ms apart: 1.5 s in all, over a 1 s timeout that each arriving piece restarts.
        var url = Serve("trickle.bin", async x =>
        {
            await x.SendHeadAsync(200, BodyFraming.Chunked, null, "application/octet-stream");
            for (var i = 0; i < 15; i++)
            {
                await x.SendBodyAsync(new byte[] { (byte)i }, BodyFraming.Chunked);
                await Task.Delay(100, x.Stopping);
            }
            await x.EndBodyAsync(BodyFraming.Chunked);
        });
        await using var file = await Fetch(url, Options(retries: 0, timeoutMs: 1000));
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (byte)i), await File.ReadAllBytesAsync(file.LocalPath));
    }

    [Fact]
    public async Task ClosedPortIsBrokenUrlAfterTheRetries()
    {
        var e = await Fails($"http://127.0.0.1:{TestEnvironment.FreePort()}/x.jpg", ErrorCodes.BrokenUrl);
        Assert.Contains("could not be reached", e.Message);
        Assert.Contains("gave up after 3 attempts", e.Message);
    }

    /// <summary>A chain of <paramref name="hops"/> redirects (mixed kinds, relative and absolute) ending at the PNG.</summary>
    private string Chain(int hops)
    {
        var folder = $"/{Guid.NewGuid():N}";
        _server.Map($"{folder}/end.png", x => x.SendAsync(200, _png, "image/png"));
        int[] kinds = [301, 302, 303, 307, 308];
        for (var i = 0; i < hops; i++)
        {
            var next = i + 1 == hops ? "end.png" : $"hop{i + 1}";
            var status = kinds[i % kinds.Length];
            var location = i % 2 == 0 ? next : _server.Url($"{folder}/{next}");
            _server.Map($"{folder}/hop{i}", x => x.RedirectAsync(location, status));
        }
        return _server.Url($"{folder}/hop0");
    }

    [Fact]
    public async Task FiveRedirectsAreFollowed()
    {
        await using var file = await Fetch(Chain(5));
        Assert.Equal(_png, await File.ReadAllBytesAsync(file.LocalPath));
    }

    [Fact]
    public async Task SixRedirectsAreBrokenUrl()
    {
        var e = await Fails(Chain(6), ErrorCodes.BrokenUrl);
        Assert.Contains("at most 5 redirects", e.Message);
    }

    [Fact]
    public async Task RedirectWithoutLocationIsBrokenUrl()
    {
        var url = Serve("nowhere", x => x.SendAsync(302));
        var e = await Fails(url, ErrorCodes.BrokenUrl);
        Assert.Contains("without a Location", e.Message);
    }

    [Fact]
    public async Task TheGuardRefusesLoopbackBeforeConnecting()
    {
        var url = Serve("private.png", x => x.SendAsync(200, _png, "image/png"));
        var e = await Fails(url, ErrorCodes.PermissionDenied, Options(), new NetworkGuard(allowPrivateNetwork: false));
        Assert.Contains("loopback", e.Message);
        Assert.Contains("--allow-private-network", e.Message);
        Assert.Equal(0, _server.Hits(TargetOf(url)));
    }

    [Theory]
    [InlineData("http://127.0.0.2:{port}/x.png", "loopback")]
    [InlineData("http://[::1]:{port}/x.png", "loopback")]
    [InlineData("http://[::ffff:127.0.0.1]:{port}/x.png", "IPv4-mapped")]
    [InlineData("http://0.0.0.0:{port}/x.png", "unspecified")]
    public async Task TheGuardChecksEveryRedirectTarget(string target, string kind)
    {
        var location = target.Replace("{port}", _server.Port.ToString());
        var url = Serve("to-private", x => x.RedirectAsync(location));
        var e = await Fails(url, ErrorCodes.PermissionDenied, guard: GuardAllowingTheServer());
        Assert.Contains(kind, e.Message);
        Assert.Equal(1, _server.Hits(TargetOf(url))); // the first hop, allowed, was fetched
    }

    [Fact]
    public async Task OversizedBodyWithALengthIsRefusedBeforeDownloading()
    {
        var url = Serve("huge.jpg", x => x.SendHeadAsync(200, BodyFraming.ContentLength, 10_000_000, "image/jpeg"));
        var e = await Fails(url, ErrorCodes.FileTooLarge);
        Assert.Contains("9.5 MB; the limit is 64 KB", e.Message);
    }

    [Theory]
    [InlineData(BodyFraming.Chunked)]
    [InlineData(BodyFraming.Close)]
    public async Task OversizedBodyWithoutALengthIsCutAtTheCap(BodyFraming framing)
    {
        var url = Serve("huge.bin", x => x.SendAsync(200, new byte[200_000], "application/octet-stream", framing));
        var e = await Fails(url, ErrorCodes.FileTooLarge);
        Assert.Contains("larger than the limit of 64 KB", e.Message);
    }

    [Fact]
    public async Task HtmlServedAsHtmlIsUnknownContentType()
    {
        var url = Serve("page", x => x.SendAsync(200, "<!DOCTYPE html><html><body>Sign in</body></html>"u8.ToArray(), "text/html; charset=utf-8"));
        var e = await Fails(url, ErrorCodes.UnknownContentType);
        Assert.Contains("served as text/html and its bytes look like HTML", e.Message);
    }

    [Fact]
    public async Task AnImageServedWithAWrongTypeIsKeptForTheProbe()
    {
        var url = Serve("mislabelled", x => x.SendAsync(200, _png, "text/plain"));
        await using var file = await Fetch(url);
        Assert.Equal(_png, await File.ReadAllBytesAsync(file.LocalPath));
    }

    [Theory]
    [InlineData("http://user:secret@127.0.0.1/x.jpg", ErrorCodes.PermissionDenied, "user name or password")]
    [InlineData("http://user@127.0.0.1/x.jpg", ErrorCodes.PermissionDenied, "user name or password")]
    [InlineData("http:///x.jpg", ErrorCodes.UnsupportedUriScheme, "not a valid http(s) URL")]
    [InlineData("http://exa mple.com/x.jpg", ErrorCodes.UnsupportedUriScheme, "not a valid http(s) URL")]
    public async Task MalformedOrCredentialedUrlsAreRefused(string url, string code, string reason)
    {
        var e = await Fails(url, code);
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [InlineData("https://a.example/x", "http://b.example/y", ErrorCodes.PermissionDenied, "downgrade")]
    [InlineData("http://a.example/x", "ftp://b.example/y", ErrorCodes.PermissionDenied, "only to http(s)")]
    [InlineData("http://a.example/x", "file:///etc/passwd", ErrorCodes.PermissionDenied, "only to http(s)")]
    [InlineData("http://a.example/x", "http://u:p@b.example/y", ErrorCodes.PermissionDenied, "user name or password")]
    public void RedirectRules(string from, string to, string code, string reason)
    {
        var e = Assert.Throws<IngestionException>(() => HttpSource.NextHop(new Uri(from), new Uri(to), 302, 0, 5));
        Assert.Equal(code, e.ErrorCode);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void AllowedRedirectsResolveRelativeLocations()
    {
        Assert.Equal(new Uri("https://b.example/y"), HttpSource.NextHop(new Uri("http://a.example/x"), new Uri("https://b.example/y"), 301, 0, 5));
        Assert.Equal(new Uri("https://a.example/dir/z?q=1"),
            HttpSource.NextHop(new Uri("https://a.example/dir/x"), new Uri("z?q=1", UriKind.Relative), 307, 4, 5));
    }

    [Fact]
    public async Task TheFetchStageHashesTheDownloadedBytes()
    {
        var bytes = await File.ReadAllBytesAsync(Corpus.File("imaging/orientation_6.jpg"));
        var url = Serve("orientation-6.jpg", x => x.SendAsync(200, bytes, "image/jpeg"));
        var options = Options(maxImageBytes: 10 * 1024 * 1024);
        using var source = new HttpSource(options, _blobs.Temp);
        var fetch = new FetchStage(new SourceResolver(new UploadSource(_blobs, _blobs.Temp), [source]), options, TimeProvider.System);
        var context = new IngestionContext(Jobs.For(url));
        await fetch.RunAsync(context, CancellationToken.None);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), context.Sha256);
        await context.Source!.DisposeAsync();
        Assert.Empty(TempFiles());
    }
}
