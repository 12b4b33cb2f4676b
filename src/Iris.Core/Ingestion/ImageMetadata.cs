using System.Globalization;
using System.Text;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Gif;
using MetadataExtractor.Formats.Iptc;
using MetadataExtractor.Formats.Jpeg;
using MetadataExtractor.Formats.Photoshop;
using MetadataExtractor.Formats.Png;
using MetadataExtractor.Formats.Tiff;
using MetadataExtractor.Formats.WebP;
using MetadataExtractor.Formats.Xmp;

namespace Iris.Ingestion;

/// <summary>
/// EXIF orientation and tags, under their standard EXIF (IPTC, XMP) names, as the raw values in text:
/// <c>DateTimeOriginal = "2007:01:17 21:49:44"</c>, not MetadataExtractor's prettified descriptions.
/// </summary>
internal static class ImageMetadata
{
    private const int MaxValueLength = 2000;

    private enum Scope { Exif, Gps, Iptc }

    // Exif tags are looked up in IFD0, then the Exif SubIFD (some cameras put Make/Model there).
    private static readonly (string Name, int Tag, Scope Scope)[] Tags =
    [
        ("Make", 0x010F, Scope.Exif), ("Model", 0x0110, Scope.Exif), ("DateTimeOriginal", 0x9003, Scope.Exif),
        ("Artist", 0x013B, Scope.Exif), ("Copyright", 0x8298, Scope.Exif), ("ImageDescription", 0x010E, Scope.Exif),
        ("Software", 0x0131, Scope.Exif), ("DateTime", 0x0132, Scope.Exif), ("DateTimeDigitized", 0x9004, Scope.Exif),
        ("OffsetTimeOriginal", 0x9011, Scope.Exif), ("ExposureTime", 0x829A, Scope.Exif), ("FNumber", 0x829D, Scope.Exif),
        ("ISOSpeedRatings", 0x8827, Scope.Exif), ("ExposureBiasValue", 0x9204, Scope.Exif), ("Flash", 0x9209, Scope.Exif),
        ("FocalLength", 0x920A, Scope.Exif), ("FocalLengthIn35mmFilm", 0xA405, Scope.Exif), ("LensMake", 0xA433, Scope.Exif),
        ("LensModel", 0xA434, Scope.Exif), ("BodySerialNumber", 0xA431, Scope.Exif), ("XResolution", 0x011A, Scope.Exif),
        ("YResolution", 0x011B, Scope.Exif), ("ResolutionUnit", 0x0128, Scope.Exif),
        ("GPSLatitudeRef", 0x0001, Scope.Gps), ("GPSLatitude", 0x0002, Scope.Gps), ("GPSLongitudeRef", 0x0003, Scope.Gps),
        ("GPSLongitude", 0x0004, Scope.Gps), ("GPSAltitudeRef", 0x0005, Scope.Gps), ("GPSAltitude", 0x0006, Scope.Gps),
        ("GPSDateStamp", 0x001D, Scope.Gps),
        ("ObjectName", IptcDirectory.TagObjectName, Scope.Iptc), ("Headline", IptcDirectory.TagHeadline, Scope.Iptc),
        ("Caption-Abstract", IptcDirectory.TagCaption, Scope.Iptc), ("Keywords", IptcDirectory.TagKeywords, Scope.Iptc),
        ("By-line", IptcDirectory.TagByLine, Scope.Iptc), ("CopyrightNotice", IptcDirectory.TagCopyrightNotice, Scope.Iptc),
        ("City", IptcDirectory.TagCity, Scope.Iptc), ("Country-PrimaryLocationName", IptcDirectory.TagCountryOrPrimaryLocationName, Scope.Iptc),
    ];

    // XMP properties worth having, by MetadataExtractor's property path prefix; arrays are joined.
    private static readonly (string Name, string Path)[] XmpProperties =
    [
        ("Title", "dc:title"), ("Description", "dc:description"), ("Creator", "dc:creator"), ("Rights", "dc:rights"),
        ("Subject", "dc:subject"), ("Rating", "xmp:Rating"), ("Label", "xmp:Label"),
    ];

    /// <summary>Reads the file's metadata directories for its probed format; MetadataExtractor may throw.</summary>
    public static IReadOnlyList<MetadataExtractor.Directory> ReadDirectories(string path, string format)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.RandomAccess);
        return format switch
        {
            // Our own segment walk keeps the EXIF of a JPEG cut short, where JpegMetadataReader throws.
            "jpeg" => JpegMetadataReader.ProcessJpegSegments(
                [new ExifReader(), new XmpReader(), new PhotoshopReader(), new IptcReader()],
                JpegHeader.Read(stream, keepMetadata: true).MetadataSegments),
            "png" => PngMetadataReader.ReadMetadata(PngMetadataChunks.Read(stream)), // bounded: see there
            "webp" => WebPMetadataReader.ReadMetadata(stream),
            "tiff" => TiffMetadataReader.ReadMetadata(stream),
            "gif" => GifMetadataReader.ReadMetadata(stream),
            _ => [], // BMP has no tags; HEIF/AVIF EXIF is not read yet (MetadataExtractor 2.4 has no HEIF reader)
        };
    }

    /// <summary>EXIF orientation 1 to 8, or null.</summary>
    public static int? Orientation(IReadOnlyList<MetadataExtractor.Directory> directories) =>
        directories.OfType<ExifIfd0Directory>().FirstOrDefault() is { } ifd0
        && ifd0.TryGetInt32(ExifDirectoryBase.TagOrientation, out var value) && value is >= 1 and <= 8
            ? value
            : null;

    /// <summary>Adds the known tags found to <paramref name="exif"/> (first found wins).</summary>
    public static void AddTags(IReadOnlyList<MetadataExtractor.Directory> directories, Dictionary<string, string> exif)
    {
        var exifDirectories = new MetadataExtractor.Directory?[]
        {
            directories.OfType<ExifIfd0Directory>().FirstOrDefault(), directories.OfType<ExifSubIfdDirectory>().FirstOrDefault(),
        };
        var gps = directories.OfType<GpsDirectory>().FirstOrDefault();
        var iptc = directories.OfType<IptcDirectory>().FirstOrDefault();
        foreach (var (name, tag, scope) in Tags)
        {
            MetadataExtractor.Directory?[] candidates = scope switch
            {
                Scope.Exif => exifDirectories,
                Scope.Gps => [gps],
                _ => [iptc],
            };
            foreach (var directory in candidates)
            {
                if (directory?.GetObject(tag) is not { } value || Format(name, value) is not { } text) continue;
                exif.TryAdd(name, text);
                break;
            }
        }

        if (directories.OfType<XmpDirectory>().FirstOrDefault() is { } xmp) AddXmp(xmp.GetXmpProperties(), exif);
    }

    private static void AddXmp(IDictionary<string, string> properties, Dictionary<string, string> exif)
    {
        foreach (var (name, path) in XmpProperties)
        {
            // "dc:creator[1]", "dc:creator[2]"...; skip qualifiers such as "dc:title[1]/xml:lang".
            var values = properties
                .Where(p => (p.Key == path || (p.Key.StartsWith(path + "[", StringComparison.Ordinal) && !p.Key.Contains('/')))
                            && !string.IsNullOrWhiteSpace(p.Value))
                .Select(p => p.Value.Trim())
                .ToList();
            if (values.Count > 0) exif.TryAdd(name, Limit(string.Join(", ", values)));
        }
    }

    /// <summary>The raw value as text; null when it is empty or not meaningful as text.</summary>
    private static string? Format(string name, object value)
    {
        var text = value switch
        {
            StringValue s => Decode(s.Bytes),
            string s => s,
            StringValue[] values => string.Join(", ", values.Select(v => Decode(v.Bytes))),
            string[] values => string.Join(", ", values),
            Rational[] { Length: 3 } dms when name is "GPSLatitude" or "GPSLongitude" => Degrees(dms),
            Rational r => Number(name, r),
            Rational[] rationals => string.Join(" ", rationals.Select(r => Number(name, r))),
            byte[] => null, // undefined-type blobs (maker data), not text
            Array array => string.Join(" ", array.Cast<object>().Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))),
            IConvertible number => number.ToString(CultureInfo.InvariantCulture),
            _ => null,
        };
        text = text?.Trim('\0', ' ', '\t', '\r', '\n');
        return string.IsNullOrEmpty(text) ? null : Limit(text);
    }

    /// <summary>EXIF ASCII tags are often UTF-8 in practice (ExifTool writes UTF-8); fall back to Latin-1.</summary>
    private static string Decode(byte[] bytes)
    {
        var end = Array.IndexOf(bytes, (byte)0);
        var span = bytes.AsSpan(0, end < 0 ? bytes.Length : end);
        return System.Text.Unicode.Utf8.IsValid(span) ? Encoding.UTF8.GetString(span) : Encoding.Latin1.GetString(span);
    }

    private static string? Number(string name, Rational r)
    {
        if (r.Denominator == 0) return null;
        // Exposure times are conventionally fractions of a second ("1/200").
        if (name == "ExposureTime" && r.GetSimplifiedInstance() is { Numerator: 1, Denominator: > 1 } fraction)
            return $"1/{fraction.Denominator.ToString(CultureInfo.InvariantCulture)}";
        return r.ToDouble().ToString("0.######", CultureInfo.InvariantCulture);
    }

    /// <summary>Degrees, minutes, seconds as unsigned decimal degrees (the sign is in the *Ref tag).</summary>
    private static string? Degrees(Rational[] dms) =>
        dms.Any(r => r.Denominator == 0)
            ? null
            : (dms[0].ToDouble() + dms[1].ToDouble() / 60 + dms[2].ToDouble() / 3600).ToString("0.######", CultureInfo.InvariantCulture);

    private static string Limit(string text) => text.Length <= MaxValueLength ? text : text[..MaxValueLength] + "…";
}
