using System.Buffers.Binary;
using System.Text;

namespace Iris.Ingestion;

/// <summary>
/// The metadata chunks of a PNG, copied into a small PNG for MetadataExtractor, whose PNG reader allocates whatever
/// length a chunk claims (2 GB for a 300-byte file that says so) and inflates compressed chunks without limit (a
/// 300 KB zTXt chunk became 1.3 GB). Left out: image data; compressed chunks (zTXt, iCCP, iTXt with its compression
/// flag set), which hold nothing Iris reads (EXIF is in eXIf, XMP in an uncompressed iTXt); and everything from a
/// chunk that runs past the end of the file on. At most <see cref="MaxMetadataBytes"/> are kept.
/// </summary>
internal static class PngMetadataChunks
{
    private const int MaxMetadataBytes = 16 * 1024 * 1024;

    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] End = [0, 0, 0, 0, (byte)'I', (byte)'E', (byte)'N', (byte)'D', 0xAE, 0x42, 0x60, 0x82];

    /// <summary>A PNG of the signature, the kept chunks of <paramref name="stream"/> (seekable, a PNG), and IEND.</summary>
    public static MemoryStream Read(Stream stream)
    {
        var output = new MemoryStream();
        output.Write(Signature);
        stream.Position = Signature.Length;
        Span<byte> header = stackalloc byte[8];
        long kept = 0;
        while (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length)
        {
            long length = BinaryPrimitives.ReadUInt32BigEndian(header);
            var type = Encoding.ASCII.GetString(header[4..]);
            if (type == "IEND" || length + 4 > stream.Length - stream.Position) break; // the end, or a chunk claiming more than is left
            if (type is "IDAT" or "zTXt" or "iCCP" || kept + length > MaxMetadataBytes)
            {
                stream.Seek(length + 4, SeekOrigin.Current);
                continue;
            }
            var chunk = new byte[length + 4]; // data and CRC
            stream.ReadExactly(chunk);
            if (type == "iTXt" && IsCompressedText(chunk.AsSpan(0, (int)length))) continue;
            kept += length;
            output.Write(header);
            output.Write(chunk);
        }
        output.Write(End);
        output.Position = 0;
        return output;
    }

    /// <summary>
    /// iTXt: a keyword of at most 79 bytes, 0, the compression flag (1: compressed), ...; a chunk not laid out so
    /// (MetadataExtractor would read its flag elsewhere) counts as compressed, to be left out.
    /// </summary>
    private static bool IsCompressedText(ReadOnlySpan<byte> data)
    {
        var keywordEnd = data.IndexOf((byte)0);
        return keywordEnd is < 0 or > 79 || keywordEnd + 1 >= data.Length || data[keywordEnd + 1] != 0;
    }
}
