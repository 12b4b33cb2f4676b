using Iris.Ingestion;
using Iris.Models;

namespace Iris.Core.Tests;

public sealed class ProbeTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private async Task<ImageProbe> Probe(byte[] bytes) =>
        await new HeaderProber().ProbeAsync(_tmp.File(Guid.NewGuid().ToString("N"), bytes), CancellationToken.None);

    private async Task<IngestionException> Refused(byte[] bytes)
    {
        var e = await Assert.ThrowsAsync<IngestionException>(() => Probe(bytes));
        Assert.Equal(ErrorCodes.UnsupportedFormat, e.ErrorCode);
        return e;
    }

    public static TheoryData<string, byte[], string, int, int> Headers() => new()
    {
        { "png", Generated.Png(640, 480), "image/png", 640, 480 },
        { "gif", Generated.Gif(32, 16), "image/gif", 32, 16 },
        { "bmp", Generated.Bmp(300, 200), "image/bmp", 300, 200 },
        { "bmp", Generated.Bmp(300, -200), "image/bmp", 300, 200 }, // top-down rows
        { "tiff", Generated.Tiff(1234, 567), "image/tiff", 1234, 567 },
        { "jpeg", Generated.Jpeg(800, 600), "image/jpeg", 800, 600 },
        { "webp", Generated.WebP("VP8X", [0, 0, 0, 0, 0x1F, 0x03, 0x00, 0xCF, 0x00, 0x00]), "image/webp", 800, 208 },
        { "webp", Generated.WebP("VP8L", [0x2F, 0x1F, 0x03, 0x33, 0x00]), "image/webp", 800, 205 },
        { "webp", Generated.WebP("VP8 ", [0, 0, 0, 0x9D, 0x01, 0x2A, 0x20, 0x03, 0x58, 0x02]), "image/webp", 800, 600 },
        { "avif", Generated.Heif(["avif", "mif1", "miaf"], (160, 90), (1920, 1080)), "image/avif", 1920, 1080 },
        { "heif", Generated.Heif(["heic", "mif1"], (4032, 3024), (320, 240)), "image/heif", 4032, 3024 },
        { "avif", Generated.Heif(["mif1", "avif"], (64, 64)), "image/avif", 64, 64 },
    };

    [Theory]
    [MemberData(nameof(Headers))]
    public async Task ReadsFormatAndSizeFromTheHeader(string format, byte[] bytes, string mime, int width, int height)
    {
        Assert.Equal(new ImageProbe(format, mime, width, height), await Probe(bytes));
    }

    [Theory]
    [InlineData("<!DOCTYPE html><html><body>Not found</body></html>", "it looks like HTML")]
    [InlineData("\n  <html lang=\"en\"><head></head></html>", "it looks like HTML")]
    [InlineData("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>", "SVG")]
    [InlineData("{\"error\": \"AccessDenied\"}", "JSON")]
    [InlineData("just some words\nand more", "it looks like text")]
    [InlineData("%PDF-1.7 ...", "PDF")]
    public async Task NonImagesAreNamedWhenPossible(string content, string expected)
    {
        var e = await Refused(System.Text.Encoding.UTF8.GetBytes(content));
        Assert.StartsWith("The file is not an image Iris can read", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task RandomBytesAreNotAnImage()
    {
        var bytes = new byte[4096];
        new Random(42).NextBytes(bytes);
        bytes[0] = 0x00;
        var e = await Refused(bytes);
        Assert.Contains("match none of JPEG", e.Message);
    }

    [Fact]
    public async Task ISOVideoIsNotAnImage()
    {
        var e = await Refused(Generated.Heif(["isom", "mp41"], (10, 10)));
        Assert.Contains("video", e.Message);
    }

    [Fact]
    public async Task CutShortHeadersAreRefused()
    {
        Assert.Contains("cut short", (await Refused(Generated.Png(10, 10)[..20])).Message);
        Assert.Contains("cut short", (await Refused(Generated.Gif(10, 10)[..8])).Message);
        Assert.Contains("cut short", (await Refused(Generated.WebP("VP8X", [0, 0, 0, 0, 1]))).Message);
        var jpeg = Generated.Jpeg(10, 10);
        Assert.Contains("no image header", (await Refused(jpeg[..4])).Message);
        Assert.Contains("ends before its image data", (await Refused(jpeg[..17])).Message);
    }

    [Fact]
    public async Task ZeroSizesAreRefused()
    {
        Assert.Contains("no valid image size", (await Refused(Generated.Png(0, 10))).Message);
        Assert.Contains("no valid image size", (await Refused(Generated.Jpeg(10, 0))).Message);
        Assert.Contains("no image size", (await Refused(Generated.Heif(["avif"]))).Message);
        Assert.Contains("TIFF", (await Refused([.. "II*\0"u8, 0xFF, 0xFF, 0, 0])).Message);
    }

    [Fact]
    public async Task StrayBytesBetweenJpegSegmentsAreSkipped()
    {
        var clean = Generated.Jpeg(320, 240, (0xE0, "JFIF\0\x01\x02\0\0\x01\0\x01\0\0"u8.ToArray()));
        byte[] withStray = [.. clean[..20], 0x00, 0x00, .. clean[20..]]; // two zero bytes after the APP0 segment
        Assert.Equal(new ImageProbe("jpeg", "image/jpeg", 320, 240), await Probe(withStray));
    }
}
