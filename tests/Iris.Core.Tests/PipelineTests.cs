using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Iris.Blobs;
using Iris.Ingestion;
using Iris.Models;
using Iris.Sources;

namespace Iris.Core.Tests;

public sealed class PipelineTests : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly FakeBlobStore _blobs = new();

    public void Dispose()
    {
        _tmp.Dispose();
        _blobs.Dispose();
    }

    private static void AssertError(IngestionOutcome outcome, string code, params string[] events)
    {
        AssertErrorKeepingMetadata(outcome, code, events);
        Assert.Null(outcome.TechnicalMetadataJson);
    }

    private static void AssertErrorKeepingMetadata(IngestionOutcome outcome, string code, params string[] events)
    {
        Assert.Equal(ImageStatus.Error, outcome.Status);
        Assert.True(code == outcome.ErrorCode, $"expected {code}, got {outcome.ErrorCode}: {outcome.ErrorReason}");
        Assert.Equal([.. events, EventTypes.Error], outcome.Events.Select(e => e.EventType));
    }

    [Theory]
    [InlineData("<!DOCTYPE html>\n<html><head><title>404</title></head></html>", "HTML")]
    [InlineData("hello, this is not a picture", "text")]
    public async Task TextSavedAsJpegIsUnsupported(string content, string kind)
    {
        var outcome = await Jobs.RunFile(_tmp.File("fake.jpg", Encoding.UTF8.GetBytes(content)));
        AssertError(outcome, ErrorCodes.UnsupportedFormat, EventTypes.FileDownloaded);
        Assert.Equal($"The file is not an image Iris can read (it looks like {kind}).", outcome.ErrorReason);
    }

    [Fact]
    public async Task EmptyFileIsUnsupported()
    {
        var outcome = await Jobs.RunFile(_tmp.File("empty.png", []));
        AssertError(outcome, ErrorCodes.UnsupportedFormat);
        Assert.Equal("The file is empty (0 bytes).", outcome.ErrorReason);
    }

    [Fact]
    public async Task HugeResolutionIsOutOfSpecBeforeAnyDecoding()
    {
        var outcome = await Jobs.RunFile(_tmp.File("bomb.png", Generated.Png(20000, 20000)));
        AssertErrorKeepingMetadata(outcome, ErrorCodes.ResolutionOutOfSpec, EventTypes.FileDownloaded);
        Assert.Equal("20000×20000 is 400 megapixels; the limit is 100 megapixels.", outcome.ErrorReason);
        // What the header told is kept, so the answer shows why: format and the claimed size.
        var metadata = JsonDocument.Parse(outcome.TechnicalMetadataJson!).RootElement;
        Assert.Equal(("png", 20000, 20000), (metadata.GetProperty("format").GetString(), metadata.GetProperty("width").GetInt32(), metadata.GetProperty("height").GetInt32()));
    }

    [Fact]
    public async Task AnOverlongSideIsOutOfSpecEvenUnderThePixelLimit()
    {
        // 2,097,184×32 is 67 megapixels, but decoding memory grows with the width (it took 3.4 GB).
        var outcome = await Jobs.RunFile(_tmp.File("strip.png", Generated.Png(2_097_184, 32)));
        AssertErrorKeepingMetadata(outcome, ErrorCodes.ResolutionOutOfSpec, EventTypes.FileDownloaded);
        Assert.Equal("2097184×32 has a side of 2,097,184 pixels; the limit is 32,768.", outcome.ErrorReason);
    }

    [Fact]
    public async Task HeaderSizeIsReportedForAGeneratedImage()
    {
        // A header with no real pixels: decoding fails, the size and hash read before are kept.
        var path = _tmp.File("ok.png", Generated.Png(8000, 12000));
        var outcome = await Jobs.RunFile(path);
        Assert.Equal((ImageStatus.Error, ErrorCodes.UnsupportedFormat), (outcome.Status, outcome.ErrorCode));
        var metadata = JsonDocument.Parse(outcome.TechnicalMetadataJson!).RootElement;
        Assert.Equal(8000, metadata.GetProperty("width").GetInt32());
        Assert.Equal(12000, metadata.GetProperty("height").GetInt32());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), metadata.GetProperty("sha256").GetString());
    }

    [Theory]
    [InlineData("ftp://example.com/a.jpg", "ftp:// scheme")]
    [InlineData("foo.jpg", "is not a URI")]
    [InlineData("/abs/path.jpg", "is not a URI")]
    [InlineData("C:\\photos\\a.jpg", "is not a URI")]
    public async Task UnsupportedSchemes(string path, string reason)
    {
        var outcome = await Jobs.Pipeline(new IrisOptions()).RunAsync(Jobs.For(path), CancellationToken.None);
        AssertError(outcome, ErrorCodes.UnsupportedUriScheme);
        Assert.Contains(reason, outcome.ErrorReason);
    }

    private string AddUpload(byte[] bytes)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        _blobs.Add(BlobKeys.Upload(sha), bytes);
        return sha;
    }

    [Theory]
    [InlineData(true, "upload://{sha}/photo.jpg")]
    [InlineData(true, "s3://bucket/any/path/the/user/chose.jpg")] // the blob wins over the path's scheme
    [InlineData(false, "upload://{sha}/photo.jpg")] // a store without local files: copied to a temp file
    public async Task UploadsAreReadFromTheBlobStore(bool localFiles, string path)
    {
        using var blobs = new FakeBlobStore(localFiles);
        var bytes = File.ReadAllBytes(Corpus.File("imaging/orientation_6.jpg"));
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        blobs.Add(BlobKeys.Upload(sha), bytes);

        var outcome = await Jobs.Pipeline(new IrisOptions(), blobs).RunAsync(Jobs.For(path.Replace("{sha}", sha), sha), CancellationToken.None);
        var metadata = Jobs.Metadata(outcome);
        Assert.Equal(sha, metadata.GetProperty("sha256").GetString());
        Assert.Equal(6, metadata.GetProperty("orientation").GetInt32());
        Assert.Empty(blobs.TempFiles()); // temp copy deleted
    }

    [Fact]
    public async Task MissingUploadIsNotFound()
    {
        var sha = new string('a', 64);
        var outcome = await Jobs.Pipeline(new IrisOptions(), _blobs).RunAsync(Jobs.For($"upload://{sha}/x.jpg", sha), CancellationToken.None);
        AssertError(outcome, ErrorCodes.FileNotFound);
        var noBlob = await Jobs.Pipeline(new IrisOptions(), _blobs).RunAsync(Jobs.For($"upload://{sha}/x.jpg"), CancellationToken.None);
        AssertError(noBlob, ErrorCodes.FileNotFound);
    }

    [Fact]
    public async Task UploadLargerThanTheLimitIsTooLarge()
    {
        var sha = AddUpload(Generated.Png(10, 10));
        var outcome = await Jobs.Pipeline(new IrisOptions { MaxImageBytes = 20 }, _blobs).RunAsync(Jobs.For("upload://x", sha), CancellationToken.None);
        AssertError(outcome, ErrorCodes.FileTooLarge);
    }

    [Fact]
    public async Task FileOutsideTheRootsFailsWithPermissionDenied()
    {
        var options = new IrisOptions { AllowedRoots = [Corpus.File("imaging")] };
        var outcome = await Jobs.Pipeline(options).RunAsync(Jobs.For("file:///etc/passwd"), CancellationToken.None);
        AssertError(outcome, ErrorCodes.PermissionDenied);
        Assert.Equal("file:///etc/passwd is outside the folders this server may read (--allow-root).", outcome.ErrorReason);
    }

    private sealed class ThrowingStage(Exception exception) : IIngestionStage
    {
        public string EventType => EventTypes.Stored;
        public ValueTask RunAsync(IngestionContext context, CancellationToken ct) => throw exception;
    }

    [Fact]
    public async Task BugsEndAsUnknownWithoutAStackTrace()
    {
        Exception? logged = null;
        var bug = new InvalidOperationException("secret internals");
        var pipeline = new IngestionPipeline([new ThrowingStage(bug)], TimeProvider.System, (_, e) => logged = e);
        var outcome = await pipeline.RunAsync(Jobs.For("file:///x.jpg"), CancellationToken.None);
        AssertError(outcome, ErrorCodes.Unknown);
        Assert.Equal("Internal error while processing the image (InvalidOperationException).", outcome.ErrorReason);
        Assert.Same(bug, logged);
    }

    [Fact]
    public async Task CancellationIsRethrownAndTheSourceIsReleased()
    {
        using var blobs = new FakeBlobStore(localFiles: false);
        var sha = Convert.ToHexStringLower(SHA256.HashData("x"u8));
        blobs.Add(BlobKeys.Upload(sha), "x"u8.ToArray());
        using var cts = new CancellationTokenSource();
        var stages = new IIngestionStage[]
        {
            new FetchStage(new SourceResolver(new IrisOptions(), blobs, blobs.Temp, new S3Access(new IrisOptions())), new IrisOptions(), TimeProvider.System),
            new ThrowingStage(new OperationCanceledException(cts.Token)),
        };
        await cts.CancelAsync();
        var pipeline = new IngestionPipeline(stages, TimeProvider.System);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.RunAsync(Jobs.For("upload://x", sha), cts.Token));

        // An OperationCanceledException that is not the worker stopping is just an error.
        var other = await new IngestionPipeline([new ThrowingStage(new OperationCanceledException())], TimeProvider.System)
            .RunAsync(Jobs.For("upload://x", sha), CancellationToken.None);
        AssertError(other, ErrorCodes.Unknown);
    }

    [Fact]
    public async Task TemporarySourceIsDeletedAfterTheRun()
    {
        using var blobs = new FakeBlobStore(localFiles: false);
        var bytes = Generated.Png(4, 4);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        blobs.Add(BlobKeys.Upload(sha), bytes);
        string? seen = null;
        var spy = new SpyStage(c => seen = c.Source!.LocalPath);
        var pipeline = new IngestionPipeline(
            [new FetchStage(new SourceResolver(new IrisOptions(), blobs, blobs.Temp, new S3Access(new IrisOptions())), new IrisOptions(), TimeProvider.System), spy],
            TimeProvider.System);
        var outcome = await pipeline.RunAsync(Jobs.For("upload://x", sha), CancellationToken.None);
        Assert.NotNull(seen);
        Assert.False(File.Exists(seen));
        // The spy never set a probe, so building the metadata is a bug: unknown.
        AssertError(outcome, ErrorCodes.Unknown, EventTypes.FileDownloaded, EventTypes.Stored);
    }

    private sealed class SpyStage(Action<IngestionContext> spy) : IIngestionStage
    {
        public string EventType => EventTypes.Stored;
        public ValueTask RunAsync(IngestionContext context, CancellationToken ct)
        {
            spy(context);
            context.Events.Add(new ImageEvent(EventType, DateTimeOffset.UtcNow));
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task EventsUseTheGivenClock()
    {
        var clock = new FixedClock(new DateTimeOffset(2026, 11, 28, 15, 11, 45, TimeSpan.Zero));
        var options = new IrisOptions { AllowedRoots = [Corpus.File("imaging")] };
        var outcome = await IngestionPipeline.CreateDefault(options, _blobs, _blobs.Temp, new S3Access(options), clock, Jobs.Embedder)
            .RunAsync(Jobs.For(Jobs.FileUri(Corpus.File("imaging/branches.png"))), CancellationToken.None);
        Assert.Equal(5, outcome.Events.Count);
        Assert.All(outcome.Events, e => Assert.Equal(clock.GetUtcNow(), e.At));
        var json = JsonDocument.Parse(outcome.TechnicalMetadataJson!).RootElement;
        Assert.Equal("png", json.GetProperty("format").GetString());
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
