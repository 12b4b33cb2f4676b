using System.Buffers.Binary;

namespace Iris.Server.Tests;

/// <summary>Stored width and height read straight from a file's header (JPEG, PNG, GIF, BMP), to check the server.</summary>
public static class ImageHeaders
{
    public static (int Width, int Height)? Dimensions(string file)
    {
        var b = File.ReadAllBytes(file);
        if (b.Length >= 24 && b[0] == 0x89 && b[1] == (byte)'P' && b[2] == (byte)'N' && b[3] == (byte)'G')
            return (BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(20)));
        if (b.Length >= 10 && b[0] == (byte)'G' && b[1] == (byte)'I' && b[2] == (byte)'F')
            return (BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(6)), BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(8)));
        if (b.Length >= 26 && b[0] == (byte)'B' && b[1] == (byte)'M')
            return (Math.Abs(BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(18))),
                Math.Abs(BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(22))));
        if (b.Length >= 4 && b[0] == 0xFF && b[1] == 0xD8)
            return Jpeg(b);
        return null;
    }

    private static (int, int)? Jpeg(byte[] b)
    {
        var i = 2;
        while (i + 9 < b.Length)
        {
            if (b[i] != 0xFF) return null;
            var marker = b[i + 1];
            if (marker == 0xFF) { i++; continue; }
            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7)) { i += 2; continue; }
            var length = BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(i + 2));
            var isSof = marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;
            if (isSof)
                return (BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(i + 7)), BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(i + 5)));
            i += 2 + length;
        }
        return null;
    }
}
