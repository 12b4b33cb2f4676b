using MetadataExtractor.Formats.Jpeg;

namespace Iris.Ingestion;

/// <summary>
/// The marker segments of a JPEG up to its first scan, walked by hand: MetadataExtractor gives up on a
/// file cut short and loses the EXIF it already passed, while this keeps every complete segment.
/// </summary>
internal sealed class JpegHeader
{
    private const int MaxMetadataBytes = 16 * 1024 * 1024;

    /// <summary>Frame size from the first SOF segment; 0 when there is none.</summary>
    public int Width { get; private set; }
    public int Height { get; private set; }
    public bool HasFrame { get; private set; }

    /// <summary>True when a start-of-scan was reached, i.e. image data follows the header.</summary>
    public bool HasScan { get; private set; }

    /// <summary>Complete APPn and COM segments, for MetadataExtractor's segment readers.</summary>
    public List<JpegSegment> MetadataSegments { get; } = [];

    public static bool HasSignature(ReadOnlySpan<byte> head) => head is [0xFF, 0xD8, 0xFF, ..];

    /// <summary>Walks <paramref name="stream"/> (seekable, at the file's start) until the first scan or the end.</summary>
    public static JpegHeader Read(Stream stream, bool keepMetadata)
    {
        var header = new JpegHeader();
        if (stream.ReadByte() != 0xFF || stream.ReadByte() != 0xD8) return header;
        long kept = 0;
        while (true)
        {
            // Like libjpeg, skip stray bytes between segments (some writers leave a few) up to the next marker.
            int marker;
            do marker = stream.ReadByte(); while (marker is >= 0 and not 0xFF);
            do marker = stream.ReadByte(); while (marker == 0xFF); // fill bytes
            if (marker is < 0 or 0xD9) return header;
            if (marker is 0x00 or 0x01 or (>= 0xD0 and <= 0xD7)) continue; // stuffed zero, or markers without a length

            int high = stream.ReadByte(), low = stream.ReadByte();
            var length = ((high << 8) | low) - 2;
            if (low < 0 || length < 0) return header;
            if (marker == 0xDA)
            {
                header.HasScan = true;
                return header;
            }

            var isFrame = marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC);
            var isMetadata = keepMetadata && (marker is (>= 0xE0 and <= 0xEF) or 0xFE) && kept + length <= MaxMetadataBytes;
            var offset = stream.Position;
            if (!isFrame && !isMetadata)
            {
                if (offset + length > stream.Length) return header;
                stream.Seek(length, SeekOrigin.Current);
                continue;
            }

            var bytes = new byte[length];
            if (stream.ReadAtLeast(bytes, length, throwOnEndOfStream: false) < length) return header; // cut short inside
            if (isFrame && !header.HasFrame && length >= 5)
            {
                header.HasFrame = true;
                header.Height = (bytes[1] << 8) | bytes[2];
                header.Width = (bytes[3] << 8) | bytes[4];
            }
            if (isMetadata)
            {
                header.MetadataSegments.Add(new JpegSegment((JpegSegmentType)marker, bytes, offset));
                kept += length;
            }
        }
    }
}
