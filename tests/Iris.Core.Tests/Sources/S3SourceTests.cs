using Iris.Testing;
using System.Security.Cryptography;
using Amazon.Runtime;
using Iris.Ingestion;
using Iris.Models;
using Iris.Sources;
using Iris.Tests.Servers;

namespace Iris.Core.Tests.Sources;

/// <summary>One s3rver for the S3 tests, with a bucket of objects made once.</summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    public const string Bucket = "iris-source-tests";

    /// <summary>Keys that must come back exactly: percent signs, plus, spaces, '&amp;', '#', '?', non-ASCII.</summary>
    public static readonly string[] OddKeys =
    [
        "odd/100% sure+plus & space#hash?.jpg",
        "odd/%2541 looks-encoded.png",
        "odd/ünï/çødé 写真.gif",
    ];

    public S3rverServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await S3rverServer.StartAsync();
        await Server.CreateBucketAsync(Bucket);
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync(); // null when s3rver could not start
    }

    public IrisOptions Options(long maxImageBytes = 1024 * 1024) => new()
    {
        S3Endpoint = Server.Endpoint,
        S3Region = S3rverServer.Region,
        S3ForcePathStyle = true,
        MaxImageBytes = maxImageBytes,
        HttpTimeout = TimeSpan.FromSeconds(5),
        HttpRetries = 2,
        HttpRetryDelay = TimeSpan.FromMilliseconds(10),
    };

    public static S3Access Access(IrisOptions options, string accessKey = S3rverServer.AccessKey) =>
        new(options, new BasicAWSCredentials(accessKey, S3rverServer.SecretKey));
}

public sealed class S3SourceTests(S3rverFixture s3) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly FakeBlobStore _blobs = new();

    public void Dispose() => _blobs.Dispose();

    private static byte[] RandomBytes(int length) => RandomNumberGenerator.GetBytes(length);

    private async Task<SourceFile> Fetch(string path, IrisOptions? options = null, string accessKey = S3rverServer.AccessKey)
    {
        using var access = S3rverFixture.Access(options ?? s3.Options(), accessKey);
        return await new S3Source(access, _blobs.Temp).FetchAsync(Jobs.For(path), CancellationToken.None);
    }

    private async Task<IngestionException> Fails(string path, string code, IrisOptions? options = null, string accessKey = S3rverServer.AccessKey)
    {
        var e = await Assert.ThrowsAsync<IngestionException>(() => Fetch(path, options, accessKey));
        Assert.True(code == e.ErrorCode, $"{path}: expected {code}, got {e.ErrorCode}: {e.Message}");
        return e;
    }

    private string TempFolder => _blobs.Temp.Path;

    [Fact]
    public async Task ObjectIsDownloadedToATemporaryFileWithItsExactBytes()
    {
        var bytes = RandomBytes(300_000);
        await s3.Server.PutAsync(S3rverFixture.Bucket, "plain/photo.jpg", bytes);

        var file = await Fetch($"s3://{S3rverFixture.Bucket}/plain/photo.jpg");
        Assert.True(file.IsTemporary);
        Assert.Equal(TempFolder, Path.GetDirectoryName(file.LocalPath));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(file.LocalPath));
        await file.DisposeAsync();
        Assert.False(File.Exists(file.LocalPath));
    }

    [Fact]
    public async Task KeysWithOddCharactersRoundTrip()
    {
        foreach (var key in S3rverFixture.OddKeys)
        {
            var bytes = RandomBytes(1000 + key.Length);
            await s3.Server.PutAsync(S3rverFixture.Bucket, key, bytes);
            await using var file = await Fetch(S3Access.PathOf(S3rverFixture.Bucket, key));
            var read = await File.ReadAllBytesAsync(file.LocalPath);
            Assert.True(bytes.AsSpan().SequenceEqual(read), key);
        }
        // The key is literal: "%2541" is not decoded to "%41" or "A".
        await Fails($"s3://{S3rverFixture.Bucket}/odd/%41 looks-encoded.png", ErrorCodes.FileNotFound);
    }

    [Fact]
    public async Task MissingKeyIsFileNotFound()
    {
        var e = await Fails($"s3://{S3rverFixture.Bucket}/no/such/key.jpg", ErrorCodes.FileNotFound);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public async Task MissingBucketIsFileNotFoundNamingTheBucket()
    {
        var e = await Fails("s3://no-such-bucket-here/a.jpg", ErrorCodes.FileNotFound);
        Assert.Contains("The bucket 'no-such-bucket-here' does not exist", e.Message);
    }

    [Fact]
    public async Task WrongCredentialsArePermissionDenied()
    {
        await s3.Server.PutAsync(S3rverFixture.Bucket, "secret/a.jpg", RandomBytes(100));
        var e = await Fails($"s3://{S3rverFixture.Bucket}/secret/a.jpg", ErrorCodes.PermissionDenied, accessKey: "NOT-A-KNOWN-KEY");
        Assert.Contains("InvalidAccessKeyId", e.Message);
        Assert.Contains("refused", e.Message);
    }

    [Fact]
    public async Task ObjectLargerThanTheCapIsFileTooLarge()
    {
        await s3.Server.PutAsync(S3rverFixture.Bucket, "big/b.jpg", RandomBytes(5000));
        var e = await Fails($"s3://{S3rverFixture.Bucket}/big/b.jpg", ErrorCodes.FileTooLarge, s3.Options(maxImageBytes: 4999));
        Assert.Contains("the limit is", e.Message);
        Assert.Empty(Directory.EnumerateFiles(TempFolder, "tmp-*"));
    }

    [Fact]
    public async Task UnreachableEndpointIsBrokenUrlAfterTheRetries()
    {
        var options = s3.Options();
        options.S3Endpoint = $"http://127.0.0.1:{TestEnvironment.FreePort()}"; // nothing listens there
        var e = await Fails($"s3://{S3rverFixture.Bucket}/a.jpg", ErrorCodes.BrokenUrl, options);
        Assert.Contains("could not be reached", e.Message);
        Assert.Contains("gave up after 3 attempts", e.Message);
    }

    [Theory]
    [InlineData("s3://")]
    [InlineData("s3:///key.jpg")]
    [InlineData("s3://bucket")]
    [InlineData("s3://bucket/")]
    [InlineData("s3://bu cket/key.jpg")]
    public async Task MalformedPathsAreUnsupportedUriScheme(string path)
    {
        var e = await Fails(path, ErrorCodes.UnsupportedUriScheme);
        Assert.Contains("s3://bucket/key", e.Message);
    }

    [Fact]
    public void OptionsBecomeTheClientConfiguration()
    {
        var config = S3Access.CreateConfig(new IrisOptions
        {
            S3Endpoint = "http://127.0.0.1:9000", S3Region = "eu-west-3", S3ForcePathStyle = true, HttpTimeout = TimeSpan.FromSeconds(7),
        });
        Assert.Equal("http://127.0.0.1:9000", config.ServiceURL.TrimEnd('/'));
        Assert.Equal("eu-west-3", config.AuthenticationRegion);
        Assert.True(config.ForcePathStyle);
        Assert.Equal(0, config.MaxErrorRetry);
        Assert.Equal(TimeSpan.FromSeconds(7), config.Timeout);

        var aws = S3Access.CreateConfig(new IrisOptions { S3Region = "ap-south-1" });
        Assert.Equal("ap-south-1", aws.RegionEndpoint?.SystemName);
        Assert.Null(aws.ServiceURL);
        Assert.False(aws.ForcePathStyle);
    }

    [Fact]
    public async Task TheFetchStageHashesTheBytesOfAnS3Image()
    {
        var bytes = await File.ReadAllBytesAsync(Corpus.File("imaging/orientation_6.jpg"));
        await s3.Server.PutAsync(S3rverFixture.Bucket, "pipeline/orientation 6.jpg", bytes, "image/jpeg");
        var options = s3.Options(maxImageBytes: 10 * 1024 * 1024);
        var fetch = new FetchStage(
            new SourceResolver(new UploadSource(_blobs, _blobs.Temp), [new S3Source(S3rverFixture.Access(options), _blobs.Temp)]), options, TimeProvider.System);
        var context = new IngestionContext(Jobs.For($"s3://{S3rverFixture.Bucket}/pipeline/orientation 6.jpg"));
        await fetch.RunAsync(context, CancellationToken.None);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), context.Sha256);
        Assert.Equal(bytes.Length, context.SizeBytes);
        await context.Source!.DisposeAsync();
    }
}

public sealed class S3DataPathListerTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    private async Task<List<string>> List(string dataPath, int max = 100, int pageSize = 1000, string accessKey = S3rverServer.AccessKey)
    {
        using var access = S3rverFixture.Access(s3.Options(), accessKey);
        var lister = new S3DataPathLister(access, pageSize);
        var paths = new List<string>();
        await foreach (var path in lister.ListAsync(dataPath, max, CancellationToken.None)) paths.Add(path);
        return paths;
    }

    private async Task<string> Folder(params string[] names)
    {
        var folder = $"list-{Guid.NewGuid():N}/";
        foreach (var name in names) await s3.Server.PutAsync(S3rverFixture.Bucket, folder + name, [1, 2, 3]);
        return folder;
    }

    [Fact]
    public async Task ListsImagesBelowThePrefixAcrossPagesInKeyOrder()
    {
        var folder = await Folder("b.JPG", "a.png", "notes.txt", "sub/c.webp", "sub/deeper/d.tiff", "e.gif", "f.avif", "data.json", "g.heic");
        var listed = await List($"s3://{S3rverFixture.Bucket}/{folder}", pageSize: 2);
        string[] expected = ["a.png", "b.JPG", "e.gif", "f.avif", "g.heic", "sub/c.webp", "sub/deeper/d.tiff"];
        Assert.Equal(expected.Select(n => $"s3://{S3rverFixture.Bucket}/{folder}{n}"), listed);
    }

    [Fact]
    public async Task ListedPathsAreTheOnesTheSourceReads()
    {
        var folder = await Folder(S3rverFixture.OddKeys.Select(k => k.Replace('/', '_')).ToArray());
        var listed = await List($"s3://{S3rverFixture.Bucket}/{folder}");
        Assert.Equal(S3rverFixture.OddKeys.Select(k => $"s3://{S3rverFixture.Bucket}/{folder}{k.Replace('/', '_')}").Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task StopsOneAfterTheMaximum()
    {
        var folder = await Folder("1.jpg", "2.jpg", "3.jpg", "4.jpg", "5.jpg");
        Assert.Equal(4, (await List($"s3://{S3rverFixture.Bucket}/{folder}", max: 3, pageSize: 2)).Count);
    }

    [Fact]
    public async Task EmptyPrefixListsNothing()
    {
        Assert.Empty(await List($"s3://{S3rverFixture.Bucket}/nothing-here-{Guid.NewGuid():N}/"));
    }

    [Fact]
    public async Task MissingBucketIsADataPathError()
    {
        var e = await Assert.ThrowsAsync<DataPathException>(() => List("s3://no-such-bucket-for-listing/"));
        Assert.Contains("The bucket 'no-such-bucket-for-listing' does not exist", e.Message);
    }

    [Fact]
    public async Task WrongCredentialsAreADataPathError()
    {
        var e = await Assert.ThrowsAsync<DataPathException>(() => List($"s3://{S3rverFixture.Bucket}/", accessKey: "NOT-A-KNOWN-KEY"));
        Assert.Contains("refused", e.Message);
    }

    [Fact]
    public async Task MalformedPrefixIsADataPathError()
    {
        var e = await Assert.ThrowsAsync<DataPathException>(() => List("s3://"));
        Assert.Contains("s3://bucket/prefix/", e.Message);
    }
}

/// <summary>
/// Answers s3rver cannot give (AccessDenied, SlowDown, a stalled or unannounced body), from a loopback HTTP
/// server speaking the S3 protocol's path-style GET and its XML errors.
/// </summary>
public sealed class S3ErrorAnswerTests : IAsyncLifetime, IDisposable
{
    private readonly LoopbackHttpServer _server = new();
    private readonly FakeBlobStore _blobs = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _blobs.Dispose();

    private IrisOptions Options(long maxImageBytes = 1000) => new()
    {
        S3Endpoint = _server.Url(""),
        S3Region = "us-east-1",
        S3ForcePathStyle = true,
        MaxImageBytes = maxImageBytes,
        HttpTimeout = TimeSpan.FromSeconds(1),
        HttpRetries = 2,
        HttpRetryDelay = TimeSpan.FromMilliseconds(10),
    };

    private static byte[] Error(string code) =>
        System.Text.Encoding.UTF8.GetBytes($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{code}</Message><RequestId>r1</RequestId></Error>");

    private (string Path, string Target) Object(string name)
    {
        var key = $"k{Guid.NewGuid():N}/{name}";
        return ($"s3://fake-bucket/{key}", $"/fake-bucket/{key}");
    }

    private async Task<SourceFile> Fetch(string path, IrisOptions? options = null)
    {
        using var access = new S3Access(options ?? Options(), new BasicAWSCredentials("fake", "fake"));
        return await new S3Source(access, _blobs.Temp).FetchAsync(Jobs.For(path), CancellationToken.None);
    }

    private async Task<IngestionException> Fails(string path, string code, IrisOptions? options = null)
    {
        var e = await Assert.ThrowsAsync<IngestionException>(() => Fetch(path, options));
        Assert.True(code == e.ErrorCode, $"{path}: expected {code}, got {e.ErrorCode}: {e.Message}");
        return e;
    }

    [Fact]
    public async Task AccessDeniedIsPermissionDenied()
    {
        var (path, target) = Object("denied.jpg");
        _server.Map(target, x => x.SendAsync(403, Error("AccessDenied"), "application/xml"));
        var e = await Fails(path, ErrorCodes.PermissionDenied);
        Assert.Contains("AccessDenied", e.Message);
        Assert.Equal(1, _server.Hits(target)); // not retried
    }

    [Fact]
    public async Task SlowDownIsRetriedThenSucceeds()
    {
        var (path, target) = Object("busy.jpg");
        var calls = 0;
        _server.Map(target, x => Interlocked.Increment(ref calls) == 1
            ? x.SendAsync(503, Error("SlowDown"), "application/xml")
            : x.SendAsync(200, [9, 8, 7], "image/jpeg"));
        await using var file = await Fetch(path);
        Assert.Equal([9, 8, 7], await File.ReadAllBytesAsync(file.LocalPath));
        Assert.Equal(2, _server.Hits(target));
    }

    [Fact]
    public async Task AlwaysFailingIsBrokenUrlAfterTheRetries()
    {
        var (path, target) = Object("down.jpg");
        _server.Map(target, x => x.SendAsync(500, Error("InternalError"), "application/xml"));
        var e = await Fails(path, ErrorCodes.BrokenUrl);
        Assert.Contains("gave up after 3 attempts", e.Message);
        Assert.Equal(3, _server.Hits(target));
    }

    [Fact]
    public async Task BodyWithoutALengthIsCountedAgainstTheCap()
    {
        var (path, target) = Object("unannounced.jpg");
        _server.Map(target, x => x.SendAsync(200, new byte[5000], "image/jpeg", BodyFraming.Chunked));
        var e = await Fails(path, ErrorCodes.FileTooLarge);
        Assert.Contains("larger than the limit", e.Message);
    }

    [Fact]
    public async Task AnnouncedLengthOverTheCapIsRefusedBeforeTheBody()
    {
        var (path, target) = Object("announced.jpg");
        _server.Map(target, x => x.SendHeadAsync(200, BodyFraming.ContentLength, 2_000_000, "image/jpeg"));
        var e = await Fails(path, ErrorCodes.FileTooLarge);
        Assert.Contains("1.9 MB", e.Message);
    }

    [Fact]
    public async Task SlowBodyThatKeepsComingIsNotCut()
    {
        // Fifteen pieces 100 ms apart: 1.5 s in all, over a 1 s timeout that each arriving piece restarts.
        var (path, target) = Object("trickle.jpg");
        _server.Map(target, async x =>
        {
            await x.SendHeadAsync(200, BodyFraming.ContentLength, 15, "image/jpeg");
            for (var i = 0; i < 15; i++)
            {
                await x.SendBodyAsync(new[] { (byte)i }, BodyFraming.ContentLength);
                await Task.Delay(100, x.Stopping);
            }
        });
        await using var file = await Fetch(path);
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (byte)i), await File.ReadAllBytesAsync(file.LocalPath));
    }

    [Fact]
    public async Task StalledBodyIsBrokenUrl()
    {
        var (path, target) = Object("stalled.jpg");
        _server.Map(target, async x =>
        {
            await x.SendHeadAsync(200, BodyFraming.ContentLength, 100, "image/jpeg");
            await x.SendBodyAsync(new byte[10], BodyFraming.ContentLength);
            await Task.Delay(TimeSpan.FromSeconds(30), x.Stopping);
        });
        var e = await Fails(path, ErrorCodes.BrokenUrl);
        Assert.Contains("gave up after 3 attempts", e.Message);
        Assert.Empty(_blobs.TempFiles());
    }
}
