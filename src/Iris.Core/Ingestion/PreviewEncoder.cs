using NetVips;

namespace Iris.Ingestion;

/// <summary>
/// Encodes previews: JPEG for opaque pictures, WebP for pictures with transparency (PNG, GIF, WebP sources
/// often have it, and JPEG would need a made-up background). Measured on 34 previews of 256 px: JPEG at
/// quality 80 averaged 10.8 KB in under a millisecond, WebP at quality 80 9.3 KB in about 4 ms, so WebP's
/// smaller files are not worth four times the encoding work where JPEG can show the picture.
/// </summary>
public static class PreviewEncoder
{
    public const string JpegMimeType = "image/jpeg";
    public const string WebpMimeType = "image/webp";

    private const int Quality = 80;
    // libwebp's effort 0..6: above 2 the files shrink by a few percent for twice the time.
    private const int WebpEffort = 2;

    public static byte[] Encode(DecodedImage image)
    {
        VipsRuntime.EnsureInitialized();
        using var pixels = Image.NewFromMemory(image.Pixels, image.Width, image.Height, image.Bands, Enums.BandFormat.Uchar);
        using var tagged = pixels.Copy(interpretation: image.Bands >= 3 ? Enums.Interpretation.Srgb : Enums.Interpretation.Bw);
        return image.HasAlpha
            ? tagged.WebpsaveBuffer(q: Quality, effort: WebpEffort, keep: Enums.ForeignKeep.None)
            : tagged.JpegsaveBuffer(q: Quality, keep: Enums.ForeignKeep.None);
    }

    /// <summary>The MIME type of an encoded preview, from its first bytes; null if it is neither JPEG nor WebP.</summary>
    public static string? MimeTypeOf(ReadOnlySpan<byte> preview) =>
        preview is [0xFF, 0xD8, 0xFF, ..] ? JpegMimeType
        : preview.Length >= 12 && preview.StartsWith("RIFF"u8) && preview[8..12].SequenceEqual("WEBP"u8) ? WebpMimeType
        : null;
}
