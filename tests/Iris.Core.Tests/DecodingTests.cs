using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Iris.Ingestion;
using Iris.Models;
using NetVips;

namespace Iris.Core.Tests;

/// <summary>Strict decoding by both engines, broken files through the pipeline, and the loaders that must stay blocked.</summary>
public sealed class DecodingTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    public static TheoryData<string> Engines() => ["vips", "skia"];

    private static IImageDecoder Engine(string name) => name == "vips" ? new VipsDecoder() : new SkiaDecoder();

    private static ImageProbe Probe(string path) => new HeaderProber().ProbeAsync(path, CancellationToken.None).AsTask().Result;

    private static byte[] Cut(string corpusFile, double fraction)
    {
        var bytes = File.ReadAllBytes(Corpus.File(corpusFile));
        return bytes[..(int)(bytes.Length * fraction)];
    }

    /// <summary>The PNG with the CRC of its first IDAT chunk changed (the data itself is intact).</summary>
    private static byte[] WithBrokenIdatCrc(byte[] png)
    {
        var bytes = (byte[])png.Clone();
        var position = 8;
        while (position + 12 <= bytes.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(position));
            if (Encoding.ASCII.GetString(bytes, position + 4, 4) == "IDAT")
            {
                bytes[position + 8 + length] ^= 0x5A;
                return bytes;
            }
            position += 12 + length;
        }
        throw new InvalidOperationException("no IDAT chunk");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void JpegCutShortFailsInBothEngines(string engine)
    {
        var path = _tmp.File("cut.jpg", Cut("imaging/branches.jpg", 0.6));
        var e = Assert.Throws<IngestionException>(() => Engine(engine).Decode(path, Probe(path), 256, CancellationToken.None));
        Assert.Equal(ErrorCodes.UnsupportedFormat, e.ErrorCode);
        Assert.StartsWith("The JPEG file does not decode completely", e.Message);
        Assert.DoesNotContain(_tmp.Path, e.Message); // no server paths in reasons
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void OrientationIsAppliedAlikeByBothEngines(string engine)
    {
        // orientation_1..8.jpg store the same picture turned and mirrored so that each shows like orientation_0.jpg.
        var decoder = Engine(engine);
        var upright = Decode(decoder, "imaging/orientation_0.jpg");
        for (var n = 1; n <= 8; n++)
        {
            var shown = Decode(decoder, $"imaging/orientation_{n}.jpg");
            Assert.Equal((upright.Width, upright.Height), (shown.Width, shown.Height));
            Assert.True(MeanDifference(upright, shown) < 12, $"orientation_{n}.jpg differs by {MeanDifference(upright, shown):0.0} per channel");
        }
    }

    [Fact]
    public void BothEnginesMakeTheSamePictureOfAJpeg()
    {
        var vips = Decode(new VipsDecoder(), "exif-tagged/img-0003-00002.jpg");
        var skia = Decode(new SkiaDecoder(), "exif-tagged/img-0003-00002.jpg");
        Assert.Equal((vips.Width, vips.Height, vips.Bands), (skia.Width, skia.Height, skia.Bands));
        Assert.True(MeanDifference(vips, skia) < 6, $"differ by {MeanDifference(vips, skia):0.0} per channel");
        Assert.InRange(PerceptualHash.Distance(PerceptualHash.Compute(vips), PerceptualHash.Compute(skia)), 0, 4);
    }

    [Fact]
    public void GreyAndAlphaKeepTheirBands()
    {
        Assert.Equal(1, Decode(new SkiaDecoder(), "go-image/video-005.gray.jpeg").Bands);
        Assert.Equal(1, Decode(new VipsDecoder(), "go-image/video-005.gray.jpeg").Bands);
        Assert.Equal(4, Decode(new VipsDecoder(), "pngsuite/basn6a08.png").Bands);
        Assert.Equal(2, Decode(new VipsDecoder(), "pngsuite/basn4a08.png").Bands);
        Assert.Equal(3, Decode(new SkiaDecoder(), "x-image/video-001.bmp").Bands);
    }

    [Fact]
    public void AnSvgIsNeverLoadedEvenWhenHandedToLibvips()
    {
        // The prober refuses SVG; even past it, libvips' SVG loader (which can fetch other files) stays blocked.
        var path = _tmp.File("drawing.png", Encoding.UTF8.GetBytes(
            """<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="red"/></svg>"""));
        var e = Assert.Throws<IngestionException>(() =>
            new VipsDecoder().Decode(path, new ImageProbe("png", "image/png", 40, 40), 256, CancellationToken.None));
        Assert.Equal(ErrorCodes.UnsupportedFormat, e.ErrorCode);
    }

    [Fact]
    public void DecodingStopsWhenCancelled()
    {
        var path = Path.Combine(_tmp.Path, "big.png");
        using (var noise = Image.Gaussnoise(4000, 4000, sigma: 40))
        using (var bytes = noise.Cast(Enums.BandFormat.Uchar))
            bytes.Pngsave(path, compression: 1);
        var probe = Probe(path);
        using var cts = new CancellationTokenSource();
        // Cancelled from a thread of its own while the decode (about a tenth of a second) runs: pool timers can lag under load.
        var canceller = new Thread(() => { Thread.Sleep(2); cts.Cancel(); });
        canceller.Start();
        Assert.ThrowsAny<OperationCanceledException>(() => new VipsDecoder().Decode(path, probe, 256, cts.Token));
        canceller.Join();
        Assert.ThrowsAny<OperationCanceledException>(() => new SkiaDecoder().Decode(Corpus.File("x-image/video-001.bmp"),
            Probe(Corpus.File("x-image/video-001.bmp")), 256, new CancellationToken(canceled: true)));
    }

    [Fact]
    public void SkiaRefusesADecodeOfAnotherSizeThanProbed()
    {
        var path = Corpus.File("x-image/video-001.bmp");
        var e = Assert.Throws<IngestionException>(() =>
            new SkiaDecoder().Decode(path, new ImageProbe("bmp", "image/bmp", 15, 10), 256, CancellationToken.None));
        Assert.Contains("150×103", e.Message);
    }

    // ---- broken files through the whole pipeline: error, the technical metadata learned before kept ----

    public static TheoryData<string, string, string> BrokenFiles() => new()
    {
        { "cut.jpg", "jpeg", "exif-tagged/img-0003-00002.jpg" },
        { "cut.png", "png", "imaging/branches.png" },
        { "crc.png", "png", "imaging/branches.png" },
        { "cut.gif", "gif", "go-image/video-001.gif" },
        { "cut.webp", "webp", "x-image/yellow_rose.lossy.webp" },
        { "cut.tiff", "tiff", "exif-tagged/img-0003-00000.tif" },
        { "cut.bmp", "bmp", "x-image/video-001.bmp" },
    };

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public async Task BrokenFilesEndInErrorAndKeepWhatWasRead(string name, string format, string original)
    {
        var bytes = name.StartsWith("crc", StringComparison.Ordinal)
            ? WithBrokenIdatCrc(File.ReadAllBytes(Corpus.File(original)))
            : Cut(original, 0.6);
        var path = _tmp.File(name, bytes);
        using var blobs = new FakeBlobStore();
        var outcome = await Jobs.Pipeline(new IrisOptions { AllowedRoots = [_tmp.Path] }, blobs).RunAsync(Jobs.For(Jobs.FileUri(path)), CancellationToken.None);

        Assert.Equal(ImageStatus.Error, outcome.Status);
        Assert.Equal(ErrorCodes.UnsupportedFormat, outcome.ErrorCode);
        Assert.StartsWith($"The {DecodeFailures.Name(format)} file does not decode completely", outcome.ErrorReason);
        Assert.EndsWith("Re-export it or add an intact copy.", outcome.ErrorReason);
        Assert.Equal([EventTypes.FileDownloaded, EventTypes.KindDetermined, EventTypes.MetadataStored, EventTypes.Error],
            outcome.Events.Select(e => e.EventType));
        Assert.Null(outcome.PreviewKey);
        Assert.Null(outcome.PerceptualHash);

        var metadata = JsonDocument.Parse(outcome.TechnicalMetadataJson!).RootElement;
        Assert.Equal(format, metadata.GetProperty("format").GetString());
        Assert.Equal(bytes.Length, metadata.GetProperty("sizeBytes").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), metadata.GetProperty("sha256").GetString());
        Assert.Equal(metadata.GetProperty("sha256").GetString(), outcome.Sha256);
        if (name == "cut.jpg")
        {
            // The EXIF before the image data is still read and kept.
            Assert.Equal(7, metadata.GetProperty("orientation").GetInt32());
            Assert.False(string.IsNullOrEmpty(metadata.GetProperty("exif").GetProperty("Make").GetString()));
        }
    }

    [Fact]
    public async Task ZeroBytesEndInErrorBeforeDecoding()
    {
        var outcome = await Jobs.RunFile(_tmp.File("zero.jpg", []));
        Assert.Equal((ImageStatus.Error, ErrorCodes.UnsupportedFormat, "The file is empty (0 bytes)."),
            (outcome.Status, outcome.ErrorCode, outcome.ErrorReason));
        Assert.Null(outcome.TechnicalMetadataJson);
    }

    private static DecodedImage Decode(IImageDecoder decoder, string relative)
    {
        var path = Corpus.File(relative);
        return decoder.Decode(path, Probe(path), 256, CancellationToken.None);
    }

    /// <summary>Mean absolute difference per channel of two images of the same size and bands.</summary>
    private static double MeanDifference(DecodedImage a, DecodedImage b)
    {
        Assert.Equal(a.Pixels.Length, b.Pixels.Length);
        long sum = 0;
        for (var i = 0; i < a.Pixels.Length; i++) sum += Math.Abs(a.Pixels[i] - b.Pixels[i]);
        return (double)sum / a.Pixels.Length;
    }
}
