using System.Buffers.Binary;
using System.Text;

namespace Iris.Ingestion;

/// <summary>
/// Just enough of the ISO base media file format (HEIF, AVIF) to tell the brand and read the image
/// size from the 'ispe' property (meta → iprp → ipco → ispe); MetadataExtractor 2.4 has no HEIF reader.
/// </summary>
internal static class IsoBmff
{
    private const int MaxMetaBytes = 16 * 1024 * 1024;

    private static readonly HashSet<string> HeifBrands = ["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "mif2", "msf1", "heif"];

    /// <summary>"avif" or "heif" from the 'ftyp' box at the start of <paramref name="head"/>; null for other ISO files (MP4, MOV).</summary>
    public static string? ImageFormat(ReadOnlySpan<byte> head)
    {
        var end = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(head), (uint)head.Length);
        var brands = new List<string>();
        for (var i = 8; i + 4 <= end; i += 4)
        {
            if (i != 12) brands.Add(Encoding.ASCII.GetString(head.Slice(i, 4))); // 12..16 is the minor version
        }
        if (brands.Contains("avif") || brands.Contains("avis")) return "avif";
        return brands.Exists(HeifBrands.Contains) ? "heif" : null;
    }

    /// <summary>The largest 'ispe' size (the primary image; thumbnails and grid tiles are smaller), or null.</summary>
    public static (long Width, long Height)? LargestImageSize(Stream stream)
    {
        stream.Position = 0;
        Span<byte> header = stackalloc byte[16];
        while (stream.Position + 8 <= stream.Length)
        {
            var start = stream.Position;
            stream.ReadExactly(header[..8]);
            long size = BinaryPrimitives.ReadUInt32BigEndian(header);
            var type = Encoding.ASCII.GetString(header[4..8]);
            var headerSize = 8;
            if (size == 1)
            {
                if (stream.Position + 8 > stream.Length) return null;
                stream.ReadExactly(header[8..16]);
                size = (long)BinaryPrimitives.ReadUInt64BigEndian(header[8..]);
                headerSize = 16;
            }
            else if (size == 0)
            {
                size = stream.Length - start; // box runs to the end of the file
            }
            if (size < headerSize || size > stream.Length - start) return null; // (start + size could overflow)

            if (type == "meta")
            {
                var bodySize = size - headerSize;
                if (bodySize > MaxMetaBytes) return null;
                var meta = new byte[bodySize];
                stream.ReadExactly(meta);
                return LargestIspe(meta);
            }
            stream.Position = start + size;
        }
        return null;
    }

    private static (long, long)? LargestIspe(byte[] meta)
    {
        (long Width, long Height)? best = null;
        // 'meta' is a full box: 4 bytes of version and flags before its children.
        foreach (var (type, iprp) in Children(meta, 4, meta.Length))
        {
            if (type != "iprp") continue;
            foreach (var (childType, ipco) in Children(meta, iprp.Start, iprp.End))
            {
                if (childType != "ipco") continue;
                foreach (var (propertyType, ispe) in Children(meta, ipco.Start, ipco.End))
                {
                    if (propertyType != "ispe" || ispe.End - ispe.Start < 12) continue;
                    long width = BinaryPrimitives.ReadUInt32BigEndian(meta.AsSpan(ispe.Start + 4));
                    long height = BinaryPrimitives.ReadUInt32BigEndian(meta.AsSpan(ispe.Start + 8));
                    if (best is null || width * height > best.Value.Width * best.Value.Height) best = (width, height);
                }
            }
        }
        return best;
    }

    /// <summary>The boxes inside [start, end) as (type, body range); stops at the first malformed one.</summary>
    private static List<(string Type, (int Start, int End) Body)> Children(byte[] data, int start, int end)
    {
        var boxes = new List<(string, (int, int))>();
        var position = start;
        while (position + 8 <= end)
        {
            var size = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(position));
            var type = Encoding.ASCII.GetString(data, position + 4, 4);
            var boxEnd = size == 0 ? end : position + (long)size;
            if (boxEnd < position + 8 || boxEnd > end) break; // (64-bit sizes do not occur inside 'meta')
            boxes.Add((type, (position + 8, (int)boxEnd)));
            position = (int)boxEnd;
        }
        return boxes;
    }
}
