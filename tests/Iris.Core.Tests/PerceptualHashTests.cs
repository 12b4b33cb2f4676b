using Iris.Ingestion;
using NetVips;

namespace Iris.Core.Tests;

public sealed class PerceptualHashTests
{
    private static DecodedImage Decoded(Image image)
    {
        using var bytes = image.Cast(Enums.BandFormat.Uchar);
        return new DecodedImage(bytes.Width, bytes.Height, bytes.Bands, bytes.WriteToMemory<byte>());
    }

    private static DecodedImage Corpus(string relative, int maxSide = PreviewStage.MaxSide)
    {
        var path = Iris.Core.Tests.Corpus.File(relative);
        var probe = new HeaderProber().ProbeAsync(path, CancellationToken.None).AsTask().Result;
        return new VipsDecoder().Decode(path, probe, maxSide, CancellationToken.None);
    }

    [Fact]
    public void DistanceCountsDifferingBits()
    {
        Assert.Equal(0, PerceptualHash.Distance(0x1234, 0x1234));
        Assert.Equal(64, PerceptualHash.Distance(0, -1));
        Assert.Equal(2, PerceptualHash.Distance(long.MinValue, 1));
    }

    [Fact]
    public void TheSamePictureAtAnotherSizeOrCodecIsNear()
    {
        var original = PerceptualHash.Compute(Corpus("imaging/branches.jpg"));
        Assert.Equal(original, PerceptualHash.Compute(Corpus("imaging/branches.jpg")));
        Assert.InRange(PerceptualHash.Distance(original, PerceptualHash.Compute(Corpus("imaging/branches.png"))), 0, 6);
        Assert.InRange(PerceptualHash.Distance(original, PerceptualHash.Compute(Corpus("imaging/branches.jpg", maxSide: 64))), 0, 8);
    }

    [Fact]
    public void DifferentPicturesAreFar()
    {
        var pictures = new[] { "imaging/branches.jpg", "imaging/flowers.png", "x-image/yellow_rose.lossy.webp", "go-image/video-001.png", "x-image/go-turns-two-280x360.jpeg" }
            .Select(p => PerceptualHash.Compute(Corpus(p))).ToArray();
        for (var i = 0; i < pictures.Length; i++)
        {
            for (var j = i + 1; j < pictures.Length; j++)
                Assert.True(PerceptualHash.Distance(pictures[i], pictures[j]) > 16, $"{i} and {j}: {PerceptualHash.Distance(pictures[i], pictures[j])}");
        }
    }

    [Fact]
    public void TinyAndTransparentImagesHash()
    {
        // Smaller than the 32×32 grid: each cell takes the pixel it falls in.
        using var tiny = Image.Black(3, 2, bands: 3) + new double[] { 10, 200, 30 };
        Assert.Equal(PerceptualHash.Compute(Decoded(tiny)), PerceptualHash.Compute(Decoded(tiny)));

        // Fully transparent pixels count as white, whatever colour they hold.
        using var gradient = Image.Identity().Resize(0.125, vscale: 64).ExtractArea(0, 0, 32, 32);
        using var clear = gradient.Bandjoin(gradient, gradient, Image.Black(32, 32));
        using var white = Image.Black(32, 32, bands: 3) + 255;
        using var opaqueWhite = white.Bandjoin(Image.Black(32, 32) + 255);
        Assert.Equal(PerceptualHash.Compute(Decoded(opaqueWhite)), PerceptualHash.Compute(Decoded(clear)));
    }
}
