using System.Text;
using Iris.Ingestion;
using Iris.Models;
using Iris.Sources;
using MetadataExtractor;

namespace Iris.Core.Tests;

public sealed class MetadataTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private static Dictionary<string, string> Tags(string path, string format)
    {
        var tags = new Dictionary<string, string>();
        ImageMetadata.AddTags(ImageMetadata.ReadDirectories(path, format), tags);
        return tags;
    }

    [Fact]
    public void ExifOfAJpegCutShortIsStillRead()
    {
        var path = Corpus.File("exif-fragments/2007-05-12-08-19-07-sep-2007-05-12-08-19-07a.jpg");
        // MetadataExtractor alone gives up on this file...
        Assert.ThrowsAny<IOException>(() => ImageMetadataReader.ReadMetadata(path));
        // ...the segment walk keeps the EXIF segment that is complete.
        var tags = Tags(path, "jpeg");
        Assert.False(string.IsNullOrEmpty(tags["Make"]));
        Assert.Matches(@"^2007:05:12 08:19:07$", tags["DateTimeOriginal"]);
    }

    [Fact]
    public void XmpBasicsAreRead()
    {
        const string xmp = """
            <x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
            <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="4">
            <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Fjord at dawn</rdf:li></rdf:Alt></dc:title>
            <dc:creator><rdf:Seq><rdf:li>Jörg Müller</rdf:li></rdf:Seq></dc:creator>
            <dc:subject><rdf:Bag><rdf:li>fjord</rdf:li><rdf:li>dawn</rdf:li></rdf:Bag></dc:subject>
            </rdf:Description></rdf:RDF></x:xmpmeta>
            """;
        var path = _tmp.File("xmp.jpg", Generated.Jpeg(10, 10, Generated.XmpSegment(xmp)));
        var tags = Tags(path, "jpeg");
        Assert.Equal("Fjord at dawn", tags["Title"]);
        Assert.Equal("Jörg Müller", tags["Creator"]);
        Assert.Equal("fjord, dawn", tags["Subject"]);
        Assert.Equal("4", tags["Rating"]);
    }

    [Fact]
    public async Task DamagedMetadataDoesNotFailAnImageThatProbedFine()
    {
        // An APP1 segment that claims to be EXIF but holds garbage, put in front of a real JPEG's segments.
        byte[] app1 = [0xFF, 0xE1, 0x00, 0x13, .. "Exif\0\0MM\0*"u8, 0xFF, 0xFF, 0xFF, 0xF0, 1, 2, 3];
        var jpeg = File.ReadAllBytes(Corpus.File("go-image/video-001.jpeg"));
        byte[] bytes = [.. jpeg[..2], .. app1, .. jpeg[2..]];
        var metadata = Jobs.Metadata(await Jobs.RunFile(_tmp.File("odd-exif.jpg", bytes)));
        Assert.Equal(150, metadata.GetProperty("width").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, metadata.GetProperty("orientation").ValueKind);
    }

    [Fact]
    public async Task MetadataStageKeepsGoingWhenTheReaderThrows()
    {
        var path = _tmp.File("not-really.tif", Encoding.ASCII.GetBytes("II*\0 this is not a TIFF at all"));
        var context = new IngestionContext(Jobs.For("file://" + path))
        {
            Source = new SourceFile(path, isTemporary: false),
            Probe = new ImageProbe("tiff", "image/tiff", 10, 10),
        };
        await new MetadataStage(TimeProvider.System).RunAsync(context, CancellationToken.None);
        var stored = Assert.Single(context.Events);
        Assert.Equal(EventTypes.MetadataStored, stored.EventType);
        Assert.Empty(context.Exif);
        Assert.Null(context.Orientation);
    }
}
