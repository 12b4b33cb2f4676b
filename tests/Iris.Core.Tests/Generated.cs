using System.Buffers.Binary;
using System.Text;

namespace Iris.Core.Tests;

/// <summary>Hand-made image headers: enough bytes for a prober, no real pixels.</summary>
internal static class Generated
{
    public static byte[] Png(uint width, uint height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB
        return [0x89, .. "PNG\r\n\x1a\n"u8, .. Chunk("IHDR", ihdr), .. Chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]), .. Chunk("IEND", [])];
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    public static byte[] Gif(ushort width, ushort height)
    {
        var bytes = new byte[13 + 1];
        "GIF89a"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), width);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), height);
        bytes[13] = 0x3B; // trailer
        return bytes;
    }

    public static byte[] Bmp(int width, int height)
    {
        var bytes = new byte[54];
        "BM"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(2), 54);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), height);
        return bytes;
    }

    /// <summary>A RIFF/WEBP file whose first chunk is <paramref name="chunk"/> with <paramref name="payload"/>.</summary>
    public static byte[] WebP(string chunk, byte[] payload)
    {
        var bytes = new byte[20 + payload.Length];
        "RIFF"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(bytes.Length - 8));
        "WEBP"u8.CopyTo(bytes.AsSpan(8));
        Encoding.ASCII.GetBytes(chunk).CopyTo(bytes, 12);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16), (uint)payload.Length);
        payload.CopyTo(bytes, 20);
        return bytes;
    }

    /// <summary>An ISO-BMFF image: ftyp with <paramref name="brands"/>, then meta/iprp/ipco with one ispe per size.</summary>
    public static byte[] Heif(string[] brands, params (uint Width, uint Height)[] sizes)
    {
        var ftyp = Box("ftyp", [.. Encoding.ASCII.GetBytes(brands[0]), 0, 0, 0, 0, .. brands.SelectMany(Encoding.ASCII.GetBytes)]);
        var properties = sizes.SelectMany(s =>
        {
            var body = new byte[12];
            BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(4), s.Width);
            BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(8), s.Height);
            return Box("ispe", body);
        }).ToArray();
        var meta = Box("meta", [0, 0, 0, 0, .. Box("hdlr", new byte[25]), .. Box("iprp", Box("ipco", properties))]);
        return [.. ftyp, .. meta, .. Box("mdat", [1, 2, 3])];
    }

    private static byte[] Box(string type, byte[] body)
    {
        var box = new byte[8 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(box, (uint)box.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(box, 4);
        body.CopyTo(box, 8);
        return box;
    }

    /// <summary>A little-endian TIFF with one IFD holding ImageWidth and ImageLength (LONG).</summary>
    public static byte[] Tiff(uint width, uint height)
    {
        var bytes = new byte[8 + 2 + 2 * 12 + 4];
        "II*\0"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), 2);
        WriteEntry(bytes.AsSpan(10), 256, width);
        WriteEntry(bytes.AsSpan(22), 257, height);
        return bytes;

        static void WriteEntry(Span<byte> entry, ushort tag, uint value)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(entry, tag);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], 4); // LONG
            BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], 1);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], value);
        }
    }

    /// <summary>A JPEG: SOI, the given APPn segments, SOF0 of the given size, SOS, a byte of data, EOI.</summary>
    public static byte[] Jpeg(ushort width, ushort height, params (byte Marker, byte[] Payload)[] segments)
    {
        var stream = new MemoryStream();
        stream.Write([0xFF, 0xD8]);
        foreach (var (marker, payload) in segments) Segment(stream, marker, payload);
        Segment(stream, 0xC0, [8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 1, 1, 0x11, 0]);
        Segment(stream, 0xDA, [1, 1, 0, 0, 63, 0]);
        stream.Write([0x00, 0xFF, 0xD9]);
        return stream.ToArray();
    }

    private static void Segment(Stream stream, byte marker, byte[] payload)
    {
        stream.Write([0xFF, marker, (byte)((payload.Length + 2) >> 8), (byte)(payload.Length + 2)]);
        stream.Write(payload);
    }

    /// <summary>An APP1 XMP packet with a few Dublin Core properties.</summary>
    public static (byte, byte[]) XmpSegment(string xml) =>
        (0xE1, [.. "http://ns.adobe.com/xap/1.0/\0"u8, .. Encoding.UTF8.GetBytes(xml)]);
}
