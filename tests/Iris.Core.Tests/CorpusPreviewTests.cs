using System.Text.Json;
using Iris.Blobs;
using Iris.Ingestion;
using Iris.Models;
using NetVips;

namespace Iris.Core.Tests;

/// <summary>
/// Every corpus file through the whole pipeline, decode and preview included: what the corpus README says
/// must complete completes with an upright preview and a hash; the broken EXIF fragments end in error.
/// </summary>
public sealed class CorpusPreviewTests
{
    private static readonly string[] FragmentsWithImageData = ["f2-exif.jpg", "f4-exif.jpg", "f6-exif.jpg", "f8-exif.jpg", "has-lens-info.jpg"];

    public static TheoryData<string> MustComplete()
    {
        var data = new TheoryData<string>();
        foreach (var folder in new[] { "go-image", "x-image", "imaging", "exif-tagged" })
        {
            foreach (var file in Directory.EnumerateFiles(Corpus.File(folder)).Order(StringComparer.Ordinal))
            {
                if (Path.GetExtension(file) != ".json") data.Add(Path.GetRelativePath(Corpus.Root, file));
            }
        }
        foreach (var file in Directory.EnumerateFiles(Corpus.File("pngsuite"), "*.png").Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(Corpus.Root, file));
        foreach (var name in FragmentsWithImageData) data.Add("exif-fragments/" + name);
        return data;
    }

    public static TheoryData<string> MustFail() =>
        [.. Directory.EnumerateFiles(Corpus.File("exif-fragments")).Select(Path.GetFileName).Where(n => !FragmentsWithImageData.Contains(n))
            .Order(StringComparer.Ordinal).Select(n => "exif-fragments/" + n)];

    [Fact]
    public void TheCorpusHasBothKinds()
    {
        Assert.True(MustComplete().Count > 160, $"{MustComplete().Count} files in the corpus at {Corpus.Root}");
        Assert.True(MustFail().Count > 20);
    }

    [Theory]
    [MemberData(nameof(MustComplete))]
    public async Task CompletesWithAnUprightPreviewAndAHash(string relative)
    {
        using var blobs = new FakeBlobStore();
        var path = Corpus.File(relative);
        var job = Jobs.For(Jobs.FileUri(path));
        var outcome = await Jobs.Pipeline(new IrisOptions { AllowedRoots = [Corpus.Root] }, blobs).RunAsync(job, CancellationToken.None);
        var metadata = Jobs.Metadata(outcome);

        Assert.Equal(BlobKeys.Preview(job.ImageId), outcome.PreviewKey);
        Assert.NotNull(outcome.PerceptualHash);
        Assert.Equal(metadata.GetProperty("sha256").GetString(), outcome.Sha256);

        using var preview = await Previews.LoadAsync(blobs, outcome.PreviewKey!);
        int width = metadata.GetProperty("width").GetInt32(), height = metadata.GetProperty("height").GetInt32();
        var orientation = metadata.GetProperty("orientation").ValueKind == JsonValueKind.Number ? metadata.GetProperty("orientation").GetInt32() : 1;
        if (orientation >= 5) (width, height) = (height, width); // shown turned by a quarter
        Previews.AssertFits(preview, width, height);
    }

    [Theory]
    [MemberData(nameof(MustFail))]
    public async Task FragmentsWithoutImageDataEndInErrorWithoutAPreview(string relative)
    {
        using var blobs = new FakeBlobStore();
        var outcome = await Jobs.Pipeline(new IrisOptions { AllowedRoots = [Corpus.Root] }, blobs)
            .RunAsync(Jobs.For(Jobs.FileUri(Corpus.File(relative))), CancellationToken.None);
        Assert.Equal(ImageStatus.Error, outcome.Status);
        Assert.Equal(ErrorCodes.UnsupportedFormat, outcome.ErrorCode);
        Assert.Contains("JPEG", outcome.ErrorReason);
        Assert.Null(outcome.PreviewKey);
        Assert.Null(outcome.PerceptualHash);
        Assert.Null(await blobs.OpenReadAsync(BlobKeys.Preview(outcome.ImageId)));
    }
}

internal static class Previews
{
    public static async Task<Image> LoadAsync(IBlobStore blobs, string key)
    {
        await using var stream = await blobs.OpenReadAsync(key) ?? throw new Xunit.Sdk.XunitException($"no blob {key}");
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        var bytes = copy.ToArray();
        var image = Image.NewFromBuffer(bytes);
        // JPEG for opaque pictures, WebP (with its alpha) for transparent ones.
        var loader = (string)image.Get("vips-loader");
        Assert.Equal(PreviewEncoder.MimeTypeOf(bytes) == PreviewEncoder.WebpMimeType ? "webpload_buffer" : "jpegload_buffer", loader);
        Assert.Equal(loader == "webpload_buffer", image.HasAlpha());
        return image;
    }

    /// <summary>The preview has the shown aspect of a <paramref name="width"/>×<paramref name="height"/> picture, longest side 256 or less, never enlarged.</summary>
    public static void AssertFits(Image preview, int width, int height)
    {
        var longest = Math.Max(width, height);
        var expectedLongest = Math.Min(longest, PreviewStage.MaxSide);
        Assert.Equal(expectedLongest, Math.Max(preview.Width, preview.Height));
        Assert.Equal(width >= height, preview.Width >= preview.Height);
        // Rounding may move the shorter side by one pixel.
        var expectedShort = (double)Math.Min(width, height) * expectedLongest / longest;
        Assert.InRange(Math.Min(preview.Width, preview.Height), Math.Floor(expectedShort) - 1, Math.Ceiling(expectedShort) + 1);
    }
}
