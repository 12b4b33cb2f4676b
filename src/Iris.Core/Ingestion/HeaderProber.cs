using System.Buffers.Binary;
using System.Text;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Tiff;
using Iris.Models;

namespace Iris.Ingestion;

/// <summary>
/// Reads format (from magic bytes) and stored width and height (from the header) without decoding any
/// pixels, so a huge or hostile file costs a few reads. It does not prove that the pixels decode.
/// </summary>
public sealed class HeaderProber : IImageProber
{
    private const int HeadBytes = 512;

    public ValueTask<ImageProbe> ProbeAsync(string localPath, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        using var stream = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.RandomAccess);
        var head = new byte[HeadBytes];
        var length = stream.ReadAtLeast(head, HeadBytes, throwOnEndOfStream: false);
        return ValueTask.FromResult(Probe(stream, head.AsSpan(0, length)));
    }

    private static ImageProbe Probe(Stream stream, ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty) throw Unsupported("The file is empty (0 bytes).");
        if (JpegHeader.HasSignature(head)) return Jpeg(stream);
        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return Png(head);
        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8)) return Gif(stream, head);
        if (head.StartsWith("RIFF"u8) && head.Length >= 12 && head[8..12].SequenceEqual("WEBP"u8)) return WebP(head);
        if (head.StartsWith("II*\0"u8) || head.StartsWith("MM\0*"u8)) return Tiff(stream);
        if (head.StartsWith("BM"u8)) return Bmp(head);
        if (head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8) && IsoBmff.ImageFormat(head) is { } format)
            return Heif(stream, format);
        throw NotAnImage(head);
    }

    private static readonly Dictionary<string, string> MimeTypes = new()
    {
        ["jpeg"] = "image/jpeg", ["png"] = "image/png", ["gif"] = "image/gif", ["webp"] = "image/webp",
        ["tiff"] = "image/tiff", ["bmp"] = "image/bmp", ["avif"] = "image/avif", ["heif"] = "image/heif",
    };

    /// <summary>The registered MIME type of a format the prober recognises.</summary>
    internal static string MimeTypeOf(string format) => MimeTypes[format];

    private static string Name(string format) => format switch
    {
        "jpeg" or "png" or "gif" or "bmp" or "tiff" or "heif" or "avif" => format.ToUpperInvariant(),
        _ => "WebP",
    };

    /// <summary>The probe, once the size is known to be a real one.</summary>
    private static ImageProbe Result(string format, long width, long height)
    {
        if (width <= 0 || height <= 0 || width > int.MaxValue || height > int.MaxValue)
            throw Unsupported($"The {Name(format)} header gives no valid image size ({width}×{height}).");
        return new ImageProbe(format, MimeTypes[format], (int)width, (int)height);
    }

    private delegate (long Width, long Height) SizeReader(ReadOnlySpan<byte> head);

    /// <summary>Size from fixed offsets of the first <paramref name="needed"/> bytes.</summary>
    private static ImageProbe Sized(string format, ReadOnlySpan<byte> head, int needed, SizeReader read)
    {
        if (head.Length < needed) throw CutShort(format);
        var (width, height) = read(head);
        return Result(format, width, height);
    }

    private static ImageProbe Jpeg(Stream stream)
    {
        stream.Position = 0;
        var header = JpegHeader.Read(stream, keepMetadata: false);
        if (!header.HasFrame)
            throw new IngestionException(ErrorCodes.UnsupportedFormat, "The JPEG file has no image header (SOF segment): it holds only metadata or is cut short.")
            {
                PartialHeader = new PartialHeader("jpeg", null, null),
            };
        if (!header.HasScan)
            throw new IngestionException(ErrorCodes.UnsupportedFormat, "The JPEG file ends before its image data: it is cut short or damaged.")
            {
                PartialHeader = new PartialHeader("jpeg", header.Width, header.Height),
            };
        return Result("jpeg", header.Width, header.Height);
    }

    private static ImageProbe Png(ReadOnlySpan<byte> head)
    {
        // IHDR must be the first chunk: length (4), "IHDR", width (4), height (4), big-endian.
        if (head.Length >= 16 && !head[12..16].SequenceEqual("IHDR"u8))
            throw Unsupported("The PNG file does not start with its IHDR header chunk; it is damaged.");
        return Sized("png", head, 24, h => (BinaryPrimitives.ReadUInt32BigEndian(h[16..]), BinaryPrimitives.ReadUInt32BigEndian(h[20..])));
    }

    /// <summary>
    /// The logical screen, grown to hold the first frame: libvips' GIF loader (libnsgif) lets the first frame enlarge
    /// the picture, so a 1×1 screen with a 65,535² frame must count as 65,535², not pass the pixel limit and then
    /// have the decoder allocate a frame buffer of that size.
    /// </summary>
    private static ImageProbe Gif(Stream stream, ReadOnlySpan<byte> head)
    {
        if (head.Length < 13) throw CutShort("gif");
        long width = BinaryPrimitives.ReadUInt16LittleEndian(head[6..]), height = BinaryPrimitives.ReadUInt16LittleEndian(head[8..]);
        if (FirstGifFrameCorner(stream, head[10]) is var (right, bottom))
            (width, height) = (Math.Max(width, right), Math.Max(height, bottom));
        return Result("gif", width, height);
    }

    /// <summary>Right and bottom edge of the first image descriptor, past the extensions; null when there is none to read.</summary>
    private static (long Right, long Bottom)? FirstGifFrameCorner(Stream stream, byte screenFlags)
    {
        stream.Position = 13;
        if ((screenFlags & 0x80) != 0) stream.Seek(3L << ((screenFlags & 7) + 1), SeekOrigin.Current); // global colour table
        Span<byte> frame = stackalloc byte[8];
        while (true)
        {
            switch (stream.ReadByte())
            {
                case 0x2C: // image descriptor: left, top, width, height
                    if (stream.ReadAtLeast(frame, frame.Length, throwOnEndOfStream: false) < frame.Length) return null;
                    return (BinaryPrimitives.ReadUInt16LittleEndian(frame) + (long)BinaryPrimitives.ReadUInt16LittleEndian(frame[4..]),
                        BinaryPrimitives.ReadUInt16LittleEndian(frame[2..]) + (long)BinaryPrimitives.ReadUInt16LittleEndian(frame[6..]));
                case 0x21: // extension: a label, then sub-blocks up to an empty one
                    if (stream.ReadByte() < 0) return null;
                    int size;
                    while ((size = stream.ReadByte()) > 0) stream.Seek(size, SeekOrigin.Current);
                    if (size < 0) return null;
                    break;
                default: // the trailer, the end of the file, or damage, which the decoder refuses
                    return null;
            }
        }
    }

    private static ImageProbe WebP(ReadOnlySpan<byte> head)
    {
        if (head.Length < 16) throw CutShort("webp");
        var chunk = Encoding.ASCII.GetString(head[12..16]);
        return chunk switch
        {
            // Extended: 24-bit canvas width-1 and height-1 after 4 bytes of flags.
            "VP8X" => Sized("webp", head, 30, h => (ReadUInt24(h[24..]) + 1, ReadUInt24(h[27..]) + 1)),
            // Lossless: signature 0x2F, then 14 bits width-1, 14 bits height-1.
            "VP8L" => Sized("webp", head, 25, h => h[20] != 0x2F ? (0, 0)
                : ((BinaryPrimitives.ReadUInt32LittleEndian(h[21..]) & 0x3FFF) + 1,
                   ((BinaryPrimitives.ReadUInt32LittleEndian(h[21..]) >> 14) & 0x3FFF) + 1)),
            // Lossy: 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height.
            "VP8 " => Sized("webp", head, 30, h => !h[23..26].SequenceEqual((ReadOnlySpan<byte>)[0x9D, 0x01, 0x2A]) ? (0, 0)
                : (BinaryPrimitives.ReadUInt16LittleEndian(h[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(h[28..]) & 0x3FFF)),
            _ => throw Unsupported($"The WebP file starts with an unknown '{chunk.Trim()}' chunk; it is damaged."),
        };
    }

    private static ImageProbe Bmp(ReadOnlySpan<byte> head)
    {
        if (head.Length < 26) throw CutShort("bmp");
        var infoSize = BinaryPrimitives.ReadUInt32LittleEndian(head[14..]);
        if (infoSize == 12) // OS/2 BITMAPCOREHEADER: 16-bit sizes
            return Result("bmp", BinaryPrimitives.ReadUInt16LittleEndian(head[18..]), BinaryPrimitives.ReadUInt16LittleEndian(head[20..]));
        if (infoSize < 40) throw Unsupported($"The BMP file has an unknown header (size {infoSize}); it is damaged.");
        // A negative height means rows stored top-down; the image is as tall either way.
        return Result("bmp", BinaryPrimitives.ReadInt32LittleEndian(head[18..]), Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(head[22..])));
    }

    private static ImageProbe Tiff(Stream stream)
    {
        stream.Position = 0;
        IReadOnlyList<MetadataExtractor.Directory> directories;
        try
        {
            directories = TiffMetadataReader.ReadMetadata(stream);
        }
        catch (Exception e) when (e is ImageProcessingException or IOException)
        {
            throw Unsupported($"The TIFF header could not be read ({e.Message.TrimEnd('.')}).");
        }
        var ifd0 = directories.OfType<ExifIfd0Directory>().FirstOrDefault();
        if (ifd0 is null || !ifd0.TryGetInt64(ExifDirectoryBase.TagImageWidth, out var width)
            || !ifd0.TryGetInt64(ExifDirectoryBase.TagImageHeight, out var height))
            throw Unsupported("The TIFF file gives no image size (ImageWidth/ImageLength); it is damaged.");
        return Result("tiff", width, height);
    }

    private static ImageProbe Heif(Stream stream, string format)
    {
        var size = IsoBmff.LargestImageSize(stream)
            ?? throw Unsupported($"The {Name(format)} file gives no image size (no 'ispe' property); it is damaged or cut short.");
        return Result(format, size.Width, size.Height);
    }

    private static uint ReadUInt24(ReadOnlySpan<byte> b) => (uint)(b[0] | (b[1] << 8) | (b[2] << 16));

    private static IngestionException Unsupported(string reason) => new(ErrorCodes.UnsupportedFormat, reason);

    private static IngestionException CutShort(string format) =>
        Unsupported($"The file ends inside its {Name(format)} header: it is cut short.");

    /// <summary>Names what the bytes look like when that is easy to tell, so the reason helps.</summary>
    private static IngestionException NotAnImage(ReadOnlySpan<byte> head)
    {
        var kind = Sniff.Describe(head);
        return Unsupported(kind is null
            ? "The file is not an image Iris can read: its first bytes match none of JPEG, PNG, GIF, WebP, TIFF, BMP, AVIF or HEIF."
            : $"The file is not an image Iris can read (it looks like {kind}).");
    }
}
