using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Iris.Ingestion;
using Iris.Models;

namespace Iris.Core.Tests.Hostile;

/// <summary>
/// Metadata readers must not trust sizes in the file: MetadataExtractor's PNG reader allocated a chunk's claimed
/// length (2 GB for a 300-byte file) and inflated zTXt without limit (1.3 GB from 300 KB), so Iris hands it only
/// the chunks worth reading (<see cref="PngMetadataChunks"/>). Allocations are counted on the reading thread, so
/// tests running alongside do not disturb them.
/// </summary>
public sealed class HostileMetadataTests : IDisposable
{
    private const long MB = 1024 * 1024;

    private readonly HostilePipeline _iris = new();

    public void Dispose() => _iris.Dispose();

    /// <summary>Bytes allocated by reading the file's metadata directories (whatever the reader thinks of the file).</summary>
    private static long AllocatedReadingMetadata(string path, string format)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            ImageMetadata.ReadDirectories(path, format);
        }
        catch (Exception e) when (e is IOException or MetadataExtractor.ImageProcessingException)
        {
            // damaged metadata may throw; the metadata stage notes it and goes on
        }
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Theory]
    [InlineData(0x7FFF_FFF0u)]
    [InlineData(0x4000_0000u)]
    [InlineData(0x0010_0000u)]
    public async Task APngChunkClaimingMoreThanTheFileHoldsIsNotAllocated(uint length)
    {
        var bytes = HostileFiles.PngWithLyingChunkLength(length);
        var path = _iris.Write("lying.png", bytes);
        var allocated = AllocatedReadingMetadata(path, "png");
        Assert.True(allocated < MB, $"{allocated / (double)MB:0.#} MB allocated reading the metadata of a {bytes.Length}-byte PNG");

        var outcome = await _iris.RunAsync("lying.png", bytes);
        Assert.Equal((ImageStatus.Error, ErrorCodes.UnsupportedFormat), (outcome.Status, outcome.ErrorCode));
        Assert.StartsWith("The PNG file does not decode completely", outcome.ErrorReason);
    }

    [Fact]
    public async Task ACompressedTextBombInAPngIsNotInflated()
    {
        var bytes = HostileFiles.PngWithTextBomb(200);
        Assert.InRange(bytes.Length, 50_000, 500_000); // 200 MB of text in a few hundred KB
        var path = _iris.Write("text-bomb.png", bytes);
        var allocated = AllocatedReadingMetadata(path, "png");
        Assert.True(allocated < 4 * MB, $"{allocated / (double)MB:0.#} MB allocated reading the metadata");

        // The pixels are intact: the image completes, without the text nobody reads.
        var outcome = await _iris.RunAsync("text-bomb.png", bytes);
        var metadata = Jobs.Metadata(outcome);
        Assert.Equal((96, 64), (metadata.GetProperty("width").GetInt32(), metadata.GetProperty("height").GetInt32()));
        Assert.Null(outcome.Events.Single(e => e.EventType == EventTypes.MetadataStored).Detail);
    }

    [Fact]
    public void ExifAndXmpOfAPngAreStillRead()
    {
        const string xmp = """
            <x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
            <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
            <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Fjord at dawn</rdf:li></rdf:Alt></dc:title>
            </rdf:Description></rdf:RDF></x:xmpmeta>
            """;
        byte[] itxt = [.. "XML:com.adobe.xmp\0"u8, 0, 0, 0, 0, .. Encoding.UTF8.GetBytes(xmp)]; // uncompressed, no language
        var compressedNote = new MemoryStream();
        using (var zlib = new ZLibStream(compressedNote, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write("a note"u8);
        byte[] ztxt = [.. "Comment\0"u8, 0, .. compressedNote.ToArray()];
        var png = HostileFiles.WithChunksAfterIhdr(HostileFiles.SmallPng(), ("eXIf", TiffWithMake("Iris test camera")), ("zTXt", ztxt), ("iTXt", itxt));
        var path = _iris.Write("tagged.png", png);

        var tags = new Dictionary<string, string>();
        ImageMetadata.AddTags(ImageMetadata.ReadDirectories(path, "png"), tags);
        Assert.Equal("Iris test camera", tags.GetValueOrDefault("Make"));
        Assert.Equal("Fjord at dawn", tags.GetValueOrDefault("Title"));
    }

    /// <summary>A big-endian TIFF (EXIF block) with IFD0 holding only Make.</summary>
    private static byte[] TiffWithMake(string make)
    {
        var text = Encoding.ASCII.GetBytes(make + "\0");
        var tiff = new byte[8 + 2 + 12 + 4 + text.Length];
        "MM\0*"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(10), 0x010F); // Make
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(12), 2); // ASCII
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(14), (uint)text.Length);
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(18), 26); // after the IFD and its next-IFD offset (0)
        text.CopyTo(tiff, 26);
        return tiff;
    }
}
