using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using NetVips;

namespace Iris.Core.Tests.Hostile;

/// <summary>A generated hostile file: its name (the extension is part of the trick), bytes, and what Iris must answer.</summary>
internal sealed record HostileFile(string Name, byte[] Bytes, string ExpectedErrorCode, string What);

/// <summary>
/// Makes hostile files in memory, so no binary is checked in: files that are not images but are named like one,
/// real small images cut short or with a broken checksum, headers that claim billions of pixels, an SVG that tries
/// to read local files, and EXIF whose directory counts and offsets are absurd. Everything is deterministic.
/// Shared with Iris.Server.Tests (linked), so it depends only on the BCL and NetVips.
/// </summary>
internal static class HostileFiles
{
    public const string UnsupportedFormat = "unsupported_format";
    public const string ResolutionOutOfSpec = "resolution_out_of_spec";

    /// <summary>What the Make tag of <see cref="JpegWithAbsurdExif"/> says; the one sane tag among the garbage.</summary>
    public const string AbsurdExifMake = "Hostile";

    private static readonly Lazy<IReadOnlyList<HostileFile>> FailingFiles = new(MakeFailing);

    /// <summary>
    /// Every file that must end in <c>error</c>, with its code (the EXIF file is not one: its pixels are fine).
    /// Made once (the 20,000² PNG takes a moment to compress); treat the bytes as read-only.
    /// </summary>
    public static IReadOnlyList<HostileFile> Failing() => FailingFiles.Value;

    private static IReadOnlyList<HostileFile> MakeFailing() =>
    [
        new("zero-bytes.jpg", [], UnsupportedFormat, "a zero-byte file"),
        new("text.jpg", PlainText, UnsupportedFormat, "plain text named .jpg"),
        new("text.png", PlainText, UnsupportedFormat, "plain text named .png"),
        new("page.jpg", Html, UnsupportedFormat, "an HTML page named .jpg"),
        new("page.png", Html, UnsupportedFormat, "an HTML page named .png"),
        new("truncated.jpg", TruncatedJpeg(), UnsupportedFormat, "a baseline JPEG cut in the middle of its scan"),
        new("truncated.png", TruncatedPng(), UnsupportedFormat, "a PNG cut in the middle of its IDAT chunk"),
        new("bad-crc.png", PngWithBadCrc(), UnsupportedFormat, "a PNG whose IDAT checksum is wrong"),
        new("huge-sof.jpg", JpegClaiming(65_500, 65_500), ResolutionOutOfSpec, "a JPEG whose SOF header claims 65,500 × 65,500"),
        new("bomb.png", ZeroPng(20_000, 20_000), ResolutionOutOfSpec, "a valid 20,000 × 20,000 PNG of zeros (a few hundred KB)"),
        new("frame-bomb.gif", GifWithFirstFrame(65_535, 65_535), ResolutionOutOfSpec, "a GIF with a 1 × 1 screen whose first frame is 65,535 × 65,535"),
        new("frame-bomb-20k.gif", GifWithFirstFrame(20_000, 20_000), ResolutionOutOfSpec, "a GIF with a 1 × 1 screen whose first frame is 20,000 × 20,000"),
        new("xxe.svg", SvgReadingLocalFiles, UnsupportedFormat, "an SVG with an external entity and an <image> of file:///etc/passwd"),
        new("xxe-svg.png", SvgReadingLocalFiles, UnsupportedFormat, "the same SVG named .png"),
    ];

    public static byte[] PlainText => "Quarterly report\nThis is not a picture, just text saved with an image's name.\n"u8.ToArray();

    public static byte[] Html =>
        "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n"u8.ToArray();

    /// <summary>
    /// An SVG that would leak /etc/passwd if any XML parser or renderer resolved it: an external entity used in a
    /// text node, and an &lt;image&gt; pointing at the file (both the SVG 2 and the xlink attribute).
    /// </summary>
    public static byte[] SvgReadingLocalFiles => Encoding.UTF8.GetBytes("""
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE svg [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
        <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="320" height="200">
          <text x="4" y="20">&xxe;</text>
          <image href="file:///etc/passwd" xlink:href="file:///etc/passwd" x="0" y="40" width="320" height="160"/>
        </svg>
        """);

    // ---- real small images, made here ----

    /// <summary>A deterministic RGB picture with gradients and texture, so its compressed data is a few KB.</summary>
    private static byte[] Pixels(int width, int height)
    {
        var pixels = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var p = (y * width + x) * 3;
                pixels[p] = (byte)(x * 255 / width);
                pixels[p + 1] = (byte)(y * 255 / height);
                pixels[p + 2] = (byte)((x * 7 + y * 13) ^ (x * y));
            }
        }
        return pixels;
    }

    /// <summary>A real baseline (not progressive) JPEG of 96×64, encoded by libvips.</summary>
    public static byte[] BaselineJpeg()
    {
        const int width = 96, height = 64;
        using var image = Image.NewFromMemory(Pixels(width, height), width, height, 3, Enums.BandFormat.Uchar);
        using var srgb = image.Copy(interpretation: Enums.Interpretation.Srgb);
        return srgb.JpegsaveBuffer(q: 90, interlace: false, keep: Enums.ForeignKeep.None);
    }

    /// <summary>A real 96×64 RGB PNG, written by hand (one IDAT).</summary>
    public static byte[] SmallPng()
    {
        const int width = 96, height = 64;
        var pixels = Pixels(width, height);
        return Png(width, height, colourType: 2, bytesPerPixel: 3, (y, row) => pixels.AsSpan(y * width * 3, width * 3).CopyTo(row),
            CompressionLevel.Optimal);
    }

    /// <summary>The baseline JPEG cut halfway through its entropy-coded scan: header intact, pixels missing.</summary>
    public static byte[] TruncatedJpeg()
    {
        var jpeg = BaselineJpeg();
        var scan = JpegSegments(jpeg).Single(s => s.Marker == 0xDA);
        var scanData = scan.Offset + 2 + scan.Length;
        return jpeg[..(scanData + (jpeg.Length - scanData) / 2)];
    }

    /// <summary>The PNG cut halfway through its IDAT data.</summary>
    public static byte[] TruncatedPng()
    {
        var png = SmallPng();
        var idat = PngChunks(png).Single(c => c.Type == "IDAT");
        return png[..(idat.Offset + 8 + idat.Length / 2)];
    }

    /// <summary>The PNG with its IDAT chunk's CRC changed; the compressed data itself is intact.</summary>
    public static byte[] PngWithBadCrc()
    {
        var png = SmallPng();
        var idat = PngChunks(png).Single(c => c.Type == "IDAT");
        png[idat.Offset + 8 + idat.Length + 3] ^= 0x5A;
        return png;
    }

    /// <summary>The real baseline JPEG with its SOF0 header rewritten to claim <paramref name="width"/>×<paramref name="height"/>.</summary>
    public static byte[] JpegClaiming(ushort width, ushort height)
    {
        var jpeg = BaselineJpeg();
        var sof = JpegSegments(jpeg).First(s => s.Marker == 0xC0);
        // SOF payload: precision (1), height (2), width (2), ...; after marker (2) and length (2).
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof.Offset + 5), height);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof.Offset + 7), width);
        return jpeg;
    }

    /// <summary>
    /// A valid 8-bit greyscale PNG of <paramref name="width"/>×<paramref name="height"/> zero pixels: its 400 MB of
    /// rows (at 20,000²) are streamed through zlib one row at a time, so this never holds more than one row and
    /// the compressed result (about 400 KB at 20,000²), and every CRC is right.
    /// </summary>
    public static byte[] ZeroPng(int width, int height) =>
        Png(width, height, colourType: 0, bytesPerPixel: 1, (_, _) => { }, CompressionLevel.SmallestSize);

    /// <summary>
    /// The real baseline JPEG with an APP1 EXIF block whose TIFF structure is absurd: tags claim up to 4 G components
    /// at offsets past the end, the Exif SubIFD pointer loops back to IFD0, IFD0's next-IFD offset points at
    /// itself, the GPS IFD claims 0xFFFF entries in a 14-byte space, and Orientation is 65535. Only Make
    /// (<see cref="AbsurdExifMake"/>) is sane. The pixels decode fine.
    /// </summary>
    public static byte[] JpegWithAbsurdExif()
    {
        var jpeg = BaselineJpeg();
        byte[] app1 = [.. "Exif\0\0"u8, .. AbsurdTiff()];
        var segment = new byte[4 + app1.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(app1.Length + 2));
        app1.CopyTo(segment, 4);
        return [.. jpeg.AsSpan(0, 2), .. segment, .. jpeg.AsSpan(2)]; // right after SOI
    }

    private static byte[] AbsurdTiff()
    {
        const int ifd0 = 8;
        const ushort entries = 9;
        const int gpsIfd = ifd0 + 2 + entries * 12 + 4;
        const int make = gpsIfd + 2 + 12; // a GPS IFD claiming 0xFFFF entries, with room for one
        var tiff = new byte[make + 8 + 16];
        "II*\0"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), ifd0);

        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(ifd0), entries);
        var e = ifd0 + 2;
        void Entry(ushort tag, ushort type, uint count, uint value)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(e), tag);
            BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(e + 2), type);
            BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(e + 4), count);
            BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(e + 8), value);
            e += 12;
        }
        const ushort ascii = 2, shortType = 3, longType = 4, rational = 5, undefined = 7;
        Entry(0x010F, ascii, 8, make); // Make: the one sane value
        Entry(0x0110, ascii, 0xFFFFFFFF, 0x7FFFFFF0); // Model: 4 G characters far past the end
        Entry(0x0112, shortType, 1, 0xFFFF); // Orientation 65535
        Entry(0x011A, rational, 0x10000000, 0xFFFFFF00); // XResolution: 268 M rationals past the end
        Entry(0x0131, ascii, 0x00100000, (uint)tiff.Length - 4); // Software: 1 M characters starting 4 bytes before the end
        Entry(0x8769, longType, 1, ifd0); // Exif SubIFD pointer: back to IFD0 (a loop)
        Entry(0x8825, longType, 1, gpsIfd); // GPS IFD: claims 0xFFFF entries
        Entry(0x927C, undefined, 0xFFFFFFFF, 0xFFFFFFFF); // MakerNote: 4 GB at the last possible offset
        Entry(0xA005, longType, 0xFFFF, 0xFFFFFFF0); // Interop pointer with 0xFFFF components past the end
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(e), ifd0); // next IFD: IFD0 again (a loop)

        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(gpsIfd), 0xFFFF);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(gpsIfd + 2), 0x0002); // GPSLatitude
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(gpsIfd + 4), rational);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(gpsIfd + 6), 0xFFFFFFFF);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(gpsIfd + 10), gpsIfd);

        Encoding.ASCII.GetBytes(AbsurdExifMake + "\0").CopyTo(tiff, make);
        return tiff;
    }

    /// <summary>
    /// A 34-byte GIF whose logical screen is 1×1 but whose first frame is <paramref name="width"/>×<paramref name="height"/>
    /// (its LZW data is just clear and end). libvips' GIF loader lets the first frame enlarge the picture, so this is
    /// what it would allocate a frame buffer for: 1.6 GB at 20,000² (it gives up on the 17 GB of 65,535²).
    /// </summary>
    public static byte[] GifWithFirstFrame(ushort width, ushort height)
    {
        var gif = new byte[29];
        "GIF89a"u8.CopyTo(gif);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(6), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(8), 1);
        gif[10] = 0x80; // a global colour table of 2 entries (black, white) follows
        gif[16] = gif[17] = gif[18] = 0xFF;
        gif[19] = 0x2C; // image descriptor at (0, 0)
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(24), width);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(26), height);
        // flags 0 at 28; LZW minimum code size 2, one sub-block: codes 4 (clear) and 5 (end) in 3 bits each.
        byte[] tail = [2, 1, 0x2C, 0, 0x3B];
        return [.. gif, .. tail];
    }

    /// <summary>A real 20×10 GIF (encoded by libvips) whose logical screen is then rewritten to 10×10: its frame outgrows it.</summary>
    public static byte[] GifOutgrowingItsScreen()
    {
        var pixels = Pixels(20, 10);
        using var image = Image.NewFromMemory(pixels, 20, 10, 3, Enums.BandFormat.Uchar);
        using var srgb = image.Copy(interpretation: Enums.Interpretation.Srgb);
        var gif = srgb.GifsaveBuffer(keep: Enums.ForeignKeep.None);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(6), 10);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(8), 10);
        return gif;
    }

    /// <summary>
    /// The real small PNG with a zTXt chunk (after IHDR) holding <paramref name="megabytes"/> MB of zeros, compressed
    /// (about 1 KB per MB): a decompression bomb for a metadata reader. The pixels are intact.
    /// </summary>
    public static byte[] PngWithTextBomb(int megabytes)
    {
        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < megabytes; i++) zlib.Write(zeros);
        }
        byte[] data = [.. "Comment\0"u8, 0, .. compressed.ToArray()]; // keyword, 0, method 0 (deflate), zlib data
        return WithChunksAfterIhdr(SmallPng(), ("zTXt", data));
    }

    /// <summary>The real small PNG with a tEXt chunk after IHDR that claims <paramref name="length"/> bytes but holds 20.</summary>
    public static byte[] PngWithLyingChunkLength(uint length)
    {
        var png = WithChunksAfterIhdr(SmallPng(), ("tEXt", "Comment\0Hello, world"u8.ToArray()));
        var text = PngChunks(png)[1];
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(text.Offset), length);
        return png;
    }

    /// <summary>The PNG with <paramref name="chunks"/> (data; length and CRC are added) right after its IHDR chunk.</summary>
    public static byte[] WithChunksAfterIhdr(byte[] png, params (string Type, byte[] Data)[] chunks)
    {
        var ihdr = PngChunks(png)[0];
        var output = new MemoryStream();
        output.Write(png.AsSpan(0, ihdr.Offset + 12 + ihdr.Length));
        foreach (var (type, data) in chunks) WriteChunk(output, type, data);
        output.Write(png.AsSpan(ihdr.Offset + 12 + ihdr.Length));
        return output.ToArray();
    }

    // ---- format plumbing ----

    /// <summary>A JPEG's marker segments up to and including the first SOS: marker, offset of its 0xFF, payload length.</summary>
    public static List<(byte Marker, int Offset, int Length)> JpegSegments(byte[] jpeg)
    {
        var segments = new List<(byte, int, int)>();
        var position = 2;
        while (position + 4 <= jpeg.Length && jpeg[position] == 0xFF)
        {
            var marker = jpeg[position + 1];
            var length = BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(position + 2)) - 2;
            segments.Add((marker, position, length));
            if (marker == 0xDA) break;
            position += 4 + length;
        }
        return segments;
    }

    /// <summary>A PNG's chunks: type, offset of the length field, data length.</summary>
    public static List<(string Type, int Offset, int Length)> PngChunks(byte[] png)
    {
        var chunks = new List<(string, int, int)>();
        var position = 8;
        while (position + 12 <= png.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(position));
            if (length < 0 || position + 12L + length > png.Length) break;
            chunks.Add((Encoding.ASCII.GetString(png, position + 4, 4), position, length));
            position += 12 + length;
        }
        return chunks;
    }

    /// <summary>Writes a PNG row by row (filter type 0) through one zlib stream; <paramref name="fillRow"/> fills each row's pixels.</summary>
    private static byte[] Png(int width, int height, byte colourType, int bytesPerPixel, Action<int, Span<byte>> fillRow, CompressionLevel level)
    {
        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, level, leaveOpen: true))
        {
            var row = new byte[1 + width * bytesPerPixel];
            for (var y = 0; y < height; y++)
            {
                fillRow(y, row.AsSpan(1));
                zlib.Write(row);
            }
        }
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = colourType;
        var output = new MemoryStream();
        output.Write([0x89, .. "PNG\r\n\x1a\n"u8]);
        WriteChunk(output, "IHDR", ihdr);
        WriteChunk(output, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)data.Length);
        Encoding.ASCII.GetBytes(type, header[4..]);
        output.Write(header);
        output.Write(data);
        var crc = Crc32.Append(Crc32.Append(Crc32.Initial, header[4..]), data);
        Span<byte> trailer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(trailer, Crc32.Finish(crc));
        output.Write(trailer);
    }

    /// <summary>CRC-32 (ISO 3309, the PNG chunk checksum), incremental.</summary>
    public static class Crc32
    {
        private static readonly uint[] Table = BuildTable();

        public const uint Initial = 0xFFFFFFFF;

        public static uint Append(uint crc, ReadOnlySpan<byte> bytes)
        {
            foreach (var b in bytes) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            return crc;
        }

        public static uint Finish(uint crc) => ~crc;

        private static uint[] BuildTable()
        {
            var table = new uint[256];
            for (uint n = 0; n < 256; n++)
            {
                var c = n;
                for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
                table[n] = c;
            }
            return table;
        }
    }
}
