using System.Collections.Concurrent;
using System.Text.Json;
using Iris.Blobs;
using Iris.Ingestion;
using Iris.Models;
using Xunit.Abstractions;

namespace Iris.Core.Tests.Hostile;

/// <summary>The default pipeline over a temporary allowed root, with a file blob store, as the server runs it.</summary>
internal sealed class HostilePipeline : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly ConcurrentDictionary<Guid, Exception> _bugs = new();

    public HostilePipeline()
    {
        FilesDir = Directory.CreateDirectory(System.IO.Path.Combine(_tmp.Path, "files")).FullName;
        Options = new IrisOptions { DataDirectory = System.IO.Path.Combine(_tmp.Path, "data"), AllowedRoots = [FilesDir] };
        Blobs = new FileBlobStore(System.IO.Path.Combine(Options.DataDirectory, "blobs"));
        Temp = new TempFolder(System.IO.Path.Combine(Options.DataDirectory, "tmp"));
        Pipeline = IngestionPipeline.CreateDefault(Options, Blobs, Temp, new Iris.Sources.S3Access(Options), TimeProvider.System, Jobs.Embedder, (job, e) => _bugs[job.ImageId] = e);
    }

    public string FilesDir { get; }
    public IrisOptions Options { get; }
    public FileBlobStore Blobs { get; }
    public TempFolder Temp { get; }

    /// <summary>Where the folder store keeps a blob (its layout: the key below the root).</summary>
    public string BlobPath(string key) => System.IO.Path.Combine(Options.DataDirectory, "blobs", key);
    public IngestionPipeline Pipeline { get; }

    public string Write(string name, byte[] bytes)
    {
        var path = System.IO.Path.Combine(FilesDir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>The exception behind an <c>unknown</c> outcome of that image (the pipeline reports bugs), if any.</summary>
    public Exception? BugOf(Guid imageId) => _bugs.TryRemove(imageId, out var e) ? e : null;

    /// <summary>
    /// Runs one file within the server's per-image time limit (<see cref="IrisOptions.ImageTimeout"/>): the pipeline
    /// rethrows when that token fires, which fails the test here. Any exception the pipeline called a bug fails it too.
    /// </summary>
    public async Task<IngestionOutcome> RunAsync(string name, byte[] bytes)
    {
        var path = Write(name, bytes);
        var job = Jobs.For(Jobs.FileUri(path));
        using var limit = new CancellationTokenSource(Options.ImageTimeout);
        IngestionOutcome outcome;
        try
        {
            outcome = await Pipeline.RunAsync(job, limit.Token);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            throw new Xunit.Sdk.XunitException($"{name} did not finish within the {Options.ImageTimeout.TotalSeconds:0} s per-image limit.");
        }
        if (BugOf(job.ImageId) is { } bug) throw new Xunit.Sdk.XunitException($"{name}: the pipeline hit a bug: {bug}");
        return outcome;
    }

    public void Dispose() => _tmp.Dispose();
}

/// <summary>Generated hostile files (see <see cref="HostileFiles"/>) through the real default pipeline.</summary>
public sealed class HostileFileTests(ITestOutputHelper output) : IDisposable
{
    private readonly HostilePipeline _iris = new();

    public void Dispose() => _iris.Dispose();

    public static TheoryData<string> FailingFiles() => [.. HostileFiles.Failing().Select(f => f.Name)];

    private static HostileFile Named(string name) => HostileFiles.Failing().Single(f => f.Name == name);

    /// <summary>A sentence for a person: no exception names, stack traces, server paths, or file contents.</summary>
    private void AssertReadableReason(string name, IngestionOutcome outcome)
    {
        var reason = outcome.ErrorReason ?? "";
        Assert.True(reason.Length >= 20 && reason.EndsWith('.') && (char.IsUpper(reason[0]) || char.IsDigit(reason[0])), $"{name}: not a sentence: '{reason}'");
        Assert.DoesNotContain("Exception", reason);
        Assert.DoesNotContain("   at ", reason);
        Assert.DoesNotContain('\n', reason);
        Assert.DoesNotContain(_iris.FilesDir, reason);
        Assert.DoesNotContain("root:", reason); // nothing of /etc/passwd, whatever the file tried
    }

    [Theory]
    [MemberData(nameof(FailingFiles))]
    public async Task EveryHostileFileEndsInErrorWithItsCodeAndAReason(string name)
    {
        var file = Named(name);
        var outcome = await _iris.RunAsync(file.Name, file.Bytes);
        output.WriteLine($"{file.What} ({file.Bytes.Length:N0} bytes): {outcome.Status}/{outcome.ErrorCode}: {outcome.ErrorReason}");

        Assert.True(outcome.Status == ImageStatus.Error && outcome.ErrorCode == file.ExpectedErrorCode,
            $"{file.What}: expected error/{file.ExpectedErrorCode}, got {outcome.Status}/{outcome.ErrorCode}: {outcome.ErrorReason}");
        AssertReadableReason(name, outcome);
        Assert.Equal(EventTypes.Error, outcome.Events[^1].EventType);
        Assert.Null(outcome.PreviewKey);
        Assert.Null(outcome.PerceptualHash);
        Assert.DoesNotContain("root:", outcome.TechnicalMetadataJson ?? "");
    }

    [Theory]
    [InlineData("zero-bytes.jpg", "The file is empty (0 bytes).")]
    [InlineData("text.jpg", "The file is not an image Iris can read (it looks like text).")]
    [InlineData("text.png", "The file is not an image Iris can read (it looks like text).")]
    [InlineData("page.jpg", "The file is not an image Iris can read (it looks like HTML).")]
    [InlineData("page.png", "The file is not an image Iris can read (it looks like HTML).")]
    [InlineData("xxe.svg", "The file is not an image Iris can read (it looks like an SVG drawing, which Iris does not read).")]
    [InlineData("xxe-svg.png", "The file is not an image Iris can read (it looks like an SVG drawing, which Iris does not read).")]
    public async Task FilesThatAreNotImagesAreNamedForWhatTheyAre(string name, string reason)
    {
        var outcome = await _iris.RunAsync(name, Named(name).Bytes);
        Assert.Equal((ErrorCodes.UnsupportedFormat, reason), (outcome.ErrorCode, outcome.ErrorReason));
        // Refused on its first bytes: nothing was parsed, so there is no format and no technical metadata.
        Assert.Null(outcome.TechnicalMetadataJson);
        Assert.DoesNotContain(outcome.Events, e => e.EventType is EventTypes.KindDetermined or EventTypes.MetadataStored or EventTypes.Stored);
    }

    [Theory]
    [InlineData("truncated.jpg", "JPEG")]
    [InlineData("truncated.png", "PNG")]
    [InlineData("bad-crc.png", "PNG")]
    public async Task DamagedImagesFailTheirDecodeWithAReasonNamingTheDamage(string name, string format)
    {
        var file = Named(name);
        var outcome = await _iris.RunAsync(name, file.Bytes);
        Assert.Equal(ErrorCodes.UnsupportedFormat, outcome.ErrorCode);
        Assert.StartsWith($"The {format} file does not decode completely", outcome.ErrorReason);
        Assert.Contains("damaged or cut short", outcome.ErrorReason);
        // The header was fine, so it got as far as decoding, and what was learned on the way is kept.
        Assert.Equal([EventTypes.FileDownloaded, EventTypes.KindDetermined, EventTypes.MetadataStored, EventTypes.Error],
            outcome.Events.Select(e => e.EventType));
        var metadata = JsonDocument.Parse(outcome.TechnicalMetadataJson!).RootElement;
        Assert.Equal((format.ToLowerInvariant(), 96, 64, (long)file.Bytes.Length),
            (metadata.GetProperty("format").GetString(), metadata.GetProperty("width").GetInt32(),
             metadata.GetProperty("height").GetInt32(), metadata.GetProperty("sizeBytes").GetInt64()));
    }

    [Fact]
    public async Task TheDamagedFilesAreMadeFromImagesThatDecodeWhenIntact()
    {
        // Otherwise the tests above would pass for the wrong reason.
        foreach (var (name, bytes) in new[] { ("intact.jpg", HostileFiles.BaselineJpeg()), ("intact.png", HostileFiles.SmallPng()) })
        {
            var outcome = await _iris.RunAsync(name, bytes);
            Assert.True(outcome.Status == ImageStatus.Completed, $"{name}: {outcome.ErrorCode}: {outcome.ErrorReason}");
            Assert.NotNull(outcome.PreviewKey);
        }
    }

    [Theory]
    [InlineData("huge-sof.jpg", "jpeg", 65_500, "65500×65500 is 4290.3 megapixels; the limit is 100 megapixels.")]
    [InlineData("bomb.png", "png", 20_000, "20000×20000 is 400 megapixels; the limit is 100 megapixels.")]
    [InlineData("frame-bomb.gif", "gif", 65_535, "65535×65535 is 4294.8 megapixels; the limit is 100 megapixels.")]
    [InlineData("frame-bomb-20k.gif", "gif", 20_000, "20000×20000 is 400 megapixels; the limit is 100 megapixels.")]
    public async Task PixelBombsAreRefusedFromTheHeaderBeforeAnythingDecodes(string name, string format, int side, string reason)
    {
        var file = Named(name);
        if (name == "bomb.png") Assert.InRange(file.Bytes.Length, 100_000, 1_000_000); // a small file claiming 400 MB of pixels
        var outcome = await _iris.RunAsync(name, file.Bytes);
        Assert.Equal((ErrorCodes.ResolutionOutOfSpec, reason), (outcome.ErrorCode, outcome.ErrorReason));
        // Stopped by the probe: no kind_determined, and neither the metadata nor the decoding stage ran.
        Assert.Equal([EventTypes.FileDownloaded, EventTypes.Error], outcome.Events.Select(e => e.EventType));
        var metadata = JsonDocument.Parse(outcome.TechnicalMetadataJson!).RootElement;
        Assert.Equal((format, side, side), (metadata.GetProperty("format").GetString(),
            metadata.GetProperty("width").GetInt32(), metadata.GetProperty("height").GetInt32()));
    }

    [Fact]
    public void TheZeroPngIsAValidPngWithRightChecksums()
    {
        // Checked on a small one (same writer): libvips decodes it strictly, so the bomb is a real image, not a broken one.
        var png = HostileFiles.ZeroPng(300, 200);
        using var image = NetVips.Image.NewFromBuffer(png, access: NetVips.Enums.Access.Sequential, failOn: NetVips.Enums.FailOn.Warning);
        Assert.Equal((300, 200, 1), (image.Width, image.Height, image.Bands));
        Assert.Equal(0, image.Max());
    }

    [Fact]
    public async Task TheSvgNeverReadsLocalFiles()
    {
        foreach (var name in new[] { "xxe.svg", "xxe-svg.png" })
        {
            var outcome = await _iris.RunAsync(name, Named(name).Bytes);
            Assert.Equal(ErrorCodes.UnsupportedFormat, outcome.ErrorCode);
            var everything = string.Join("\n", [outcome.ErrorReason, outcome.TechnicalMetadataJson, .. outcome.Events.Select(e => e.Detail)]);
            Assert.DoesNotContain("root:", everything);
            Assert.DoesNotContain("/bin/", everything);
            Assert.DoesNotContain(outcome.Events, e => e.EventType == EventTypes.Stored);
        }
    }

    [Fact]
    public async Task AbsurdExifNeitherCrashesNorHangsAndNoGarbageIsEmitted()
    {
        var bytes = HostileFiles.JpegWithAbsurdExif();
        var outcome = await _iris.RunAsync("absurd-exif.jpg", bytes);

        // The pixels are intact: the image completes, with its preview.
        Assert.True(outcome.Status == ImageStatus.Completed, $"{outcome.ErrorCode}: {outcome.ErrorReason}");
        Assert.NotNull(outcome.PreviewKey);
        Assert.NotNull(File.Exists(_iris.BlobPath(outcome.PreviewKey!)) ? outcome.PreviewKey : null);
        var metadata = JsonDocument.Parse(outcome.TechnicalMetadataJson!).RootElement;
        Assert.Equal((96, 64), (metadata.GetProperty("width").GetInt32(), metadata.GetProperty("height").GetInt32()));

        // Orientation 65535 is no orientation; the tags whose counts and offsets point past the end are dropped,
        // the loops are not followed forever, and the one sane tag is kept.
        Assert.Equal(JsonValueKind.Null, metadata.GetProperty("orientation").ValueKind);
        var exif = metadata.GetProperty("exif").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(new Dictionary<string, string?> { ["Make"] = HostileFiles.AbsurdExifMake }, exif);
        Assert.True(outcome.TechnicalMetadataJson!.Length < 1024, $"technical metadata of {outcome.TechnicalMetadataJson!.Length} characters");
        // The metadata stage noted nothing: what could not be read was skipped, not an exception.
        Assert.Null(outcome.Events.Single(e => e.EventType == EventTypes.MetadataStored).Detail);
    }
}

/// <summary>
/// Memory while refusing the pixel bombs. Alone in its collection, which xunit runs after the parallel ones, so
/// no other test's allocations are counted. Bounds, not timings.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostileMemoryCollection
{
    public const string Name = "Hostile files, memory";
}

[Collection(HostileMemoryCollection.Name)]
public sealed class HostileFileMemoryTests(ITestOutputHelper output) : IDisposable
{
    private const long Bound = 200L * 1024 * 1024;

    private readonly HostilePipeline _iris = new();

    public void Dispose() => _iris.Dispose();

    [Theory]
    [InlineData("bomb.png")]
    [InlineData("huge-sof.jpg")]
    [InlineData("frame-bomb.gif")]
    [InlineData("frame-bomb-20k.gif")]
    public async Task RefusingAPixelBombStaysWithinBoundedMemory(string name)
    {
        var file = HostileFiles.Failing().Single(f => f.Name == name); // generated before measuring
        // Warm up: the first run loads libvips and MetadataExtractor, which is not this file's cost.
        await _iris.RunAsync("warm-up.jpg", HostileFiles.BaselineJpeg());
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var workingSetBefore = Environment.WorkingSet;
        long peak = workingSetBefore;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, Environment.WorkingSet);
                try { await Task.Delay(2, stop.Token); } catch (OperationCanceledException) { }
            }
        });

        var outcome = await _iris.RunAsync(name, file.Bytes);
        await stop.CancelAsync();
        await sampler;
        peak = Math.Max(peak, Environment.WorkingSet);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        output.WriteLine($"{name}: {allocated / 1048576.0:0.##} MB allocated, working set {workingSetBefore / 1048576.0:0} MB, peak +{(peak - workingSetBefore) / 1048576.0:0.#} MB");
        Assert.Equal(ErrorCodes.ResolutionOutOfSpec, outcome.ErrorCode);
        Assert.True(allocated < Bound, $"{name}: {allocated / 1048576.0:0.#} MB allocated by managed code");
        Assert.True(peak - workingSetBefore < Bound,
            $"{name}: the working set grew by {(peak - workingSetBefore) / 1048576.0:0.#} MB (from {workingSetBefore / 1048576.0:0} MB)");
    }
}
