using System.Text.Json;
using Iris.Models;

namespace Iris.Core.Tests;

/// <summary>The whole pipeline over the shared corpus, read in place through file:/// paths.</summary>
public sealed class CorpusPipelineTests
{
    private static readonly string[] ImageExtensions = [".png", ".jpeg", ".jpg", ".gif", ".webp", ".tiff", ".tif", ".bmp"];

    public static TheoryData<string> DecodableFiles()
    {
        var data = new TheoryData<string>();
        foreach (var folder in new[] { "go-image", "x-image", "pngsuite", "imaging", "exif-tagged" })
        {
            foreach (var file in Directory.EnumerateFiles(Corpus.File(folder)).Order(StringComparer.Ordinal))
            {
                if (ImageExtensions.Contains(Path.GetExtension(file))) data.Add(Path.GetRelativePath(Corpus.Root, file));
            }
        }
        return data;
    }

    [Fact]
    public void CorpusIsThere() => Assert.True(DecodableFiles().Count > 150, $"corpus at {Corpus.Root}");

    [Theory]
    [MemberData(nameof(DecodableFiles))]
    public async Task EveryDecodableFileCompletes(string relative)
    {
        var path = Corpus.File(relative);
        var outcome = await Jobs.RunFile(path);
        var metadata = Jobs.Metadata(outcome);

        var expectedFormat = Path.GetExtension(path) switch
        {
            ".jpg" or ".jpeg" => "jpeg",
            ".tif" or ".tiff" => "tiff",
            var ext => ext[1..],
        };
        Assert.Equal(expectedFormat, metadata.GetProperty("format").GetString());
        Assert.Equal("image/" + expectedFormat, metadata.GetProperty("mimeType").GetString());
        Assert.True(metadata.GetProperty("width").GetInt32() > 0);
        Assert.True(metadata.GetProperty("height").GetInt32() > 0);
        Assert.Equal(new FileInfo(path).Length, metadata.GetProperty("sizeBytes").GetInt64());
        Assert.Matches("^[0-9a-f]{64}$", metadata.GetProperty("sha256").GetString());
        Assert.Equal(JsonValueKind.Object, metadata.GetProperty("exif").ValueKind);

        Assert.Equal(
            [EventTypes.FileDownloaded, EventTypes.KindDetermined, EventTypes.MetadataStored, EventTypes.Stored, EventTypes.Completed],
            outcome.Events.Select(e => e.EventType));
        Assert.All(outcome.Events, e => Assert.Null(e.Detail));
    }

    public static TheoryData<string> ExifTagged() =>
        [.. ExpectedExif().Select(e => e.GetProperty("name").GetString()!)];

    private static List<JsonElement> ExpectedExif() =>
        [.. JsonDocument.Parse(File.ReadAllText(Corpus.File("exif-tagged/expected.json"))).RootElement.EnumerateArray()];

    [Theory]
    [MemberData(nameof(ExifTagged))]
    public async Task ExifTaggedFilesMatchExifTool(string name)
    {
        var expected = ExpectedExif().Single(e => e.GetProperty("name").GetString() == name);
        var metadata = Jobs.Metadata(await Jobs.RunFile(Corpus.File("exif-tagged/" + name)));

        var format = expected.GetProperty("FileType").GetString() switch
        {
            "Extended WEBP" or "WEBP" => "webp",
            var type => type!.ToLowerInvariant(),
        };
        Assert.Equal(format, metadata.GetProperty("format").GetString());
        Assert.Equal(expected.GetProperty("ImageWidth").GetInt32(), metadata.GetProperty("width").GetInt32());
        Assert.Equal(expected.GetProperty("ImageHeight").GetInt32(), metadata.GetProperty("height").GetInt32());
        Assert.Equal(expected.GetProperty("FileSize").GetInt64(), metadata.GetProperty("sizeBytes").GetInt64());
        Assert.Equal(expected.GetProperty("sha256").GetString(), metadata.GetProperty("sha256").GetString());
        Assert.Equal(expected.GetProperty("Orientation").GetInt32(), metadata.GetProperty("orientation").GetInt32());
        var exif = metadata.GetProperty("exif");
        foreach (var tag in new[] { "Make", "Model", "DateTimeOriginal", "Artist" })
            Assert.Equal(expected.GetProperty(tag).GetString(), exif.GetProperty(tag).GetString());
    }

    [Theory]
    [InlineData(0)] [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)]
    [InlineData(5)] [InlineData(6)] [InlineData(7)] [InlineData(8)]
    public async Task OrientationIsRead(int n)
    {
        var metadata = Jobs.Metadata(await Jobs.RunFile(Corpus.File($"imaging/orientation_{n}.jpg")));
        var orientation = metadata.GetProperty("orientation");
        if (n == 0) Assert.Equal(JsonValueKind.Null, orientation.ValueKind);
        else Assert.Equal(n, orientation.GetInt32());
    }

    public static TheoryData<string> ExifFragments() =>
        [.. Directory.EnumerateFiles(Corpus.File("exif-fragments")).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    private static readonly string[] FragmentsWithImageData = ["f2-exif.jpg", "f4-exif.jpg", "f6-exif.jpg", "f8-exif.jpg", "has-lens-info.jpg"];

    [Theory]
    [MemberData(nameof(ExifFragments))]
    public async Task ExifFragmentsWithoutImageDataEndInError(string name)
    {
        var outcome = await Jobs.RunFile(Corpus.File("exif-fragments/" + name));
        if (FragmentsWithImageData.Contains(name))
        {
            var metadata = Jobs.Metadata(outcome);
            Assert.Equal("jpeg", metadata.GetProperty("format").GetString());
            Assert.NotEqual(JsonValueKind.Null, metadata.GetProperty("orientation").ValueKind);
        }
        else
        {
            Assert.Equal(ImageStatus.Error, outcome.Status);
            Assert.Equal(ErrorCodes.UnsupportedFormat, outcome.ErrorCode);
            Assert.Contains("JPEG", outcome.ErrorReason);
            Assert.Equal([EventTypes.FileDownloaded, EventTypes.Error], outcome.Events.Select(e => e.EventType));
            // The EXIF that could still be read is kept with the error, with what the header told of the size.
            Assert.NotNull(outcome.TechnicalMetadataJson);
            var metadata = JsonDocument.Parse(outcome.TechnicalMetadataJson).RootElement;
            Assert.Equal(("jpeg", "image/jpeg"), (metadata.GetProperty("format").GetString(), metadata.GetProperty("mimeType").GetString()));
            Assert.Equal(64, metadata.GetProperty("sha256").GetString()!.Length);
            if (outcome.ErrorReason!.Contains("(SOF segment)", StringComparison.Ordinal))
                Assert.Equal((JsonValueKind.Null, JsonValueKind.Null), (metadata.GetProperty("width").ValueKind, metadata.GetProperty("height").ValueKind));
            var exif = metadata.GetProperty("exif");
            Assert.True(exif.TryGetProperty("Make", out _) || exif.TryGetProperty("Model", out _) || exif.TryGetProperty("DateTimeOriginal", out _),
                $"{name}: no camera tags kept: {exif}");
        }
    }

    [Fact]
    public async Task LensInfoAndGpsAreRead()
    {
        var exif = Jobs.Metadata(await Jobs.RunFile(Corpus.File("exif-fragments/has-lens-info.jpg"))).GetProperty("exif");
        Assert.Equal("Apple", exif.GetProperty("Make").GetString());
        Assert.Equal("2014:09:01 15:03:47", exif.GetProperty("DateTimeOriginal").GetString());
        Assert.True(exif.TryGetProperty("LensModel", out _));
        Assert.Matches(@"^\d+(\.\d+)?$", exif.GetProperty("GPSLatitude").GetString());
        Assert.Matches("^[NS]$", exif.GetProperty("GPSLatitudeRef").GetString());
    }
}
