namespace Iris.Ingestion;

/// <summary>
/// Sends each probed format to the engine that reads it: BMP to SkiaSharp (the bundled libvips has no
/// BMP loader), JPEG to the engine chosen by measurement, everything else to libvips. Only formats the
/// prober recognised ever reach a decoder.
/// </summary>
public sealed class RoutingImageDecoder(IImageDecoder vips, IImageDecoder skia, bool jpegWithSkia) : IImageDecoder
{
    /// <summary>
    /// JPEG goes to libvips: with one libvips thread per worker, previews of 3000×2000 JPEGs at 2 workers ran at
    /// 28–33 images/s (36–40 ms CPU each) against 17 images/s (42–45 ms) for <see cref="SkiaDecoder"/>, on a
    /// shared, busy machine; and libvips handles EXIF orientation and colour profiles itself.
    /// </summary>
    public static RoutingImageDecoder CreateDefault() => new(new VipsDecoder(), new SkiaDecoder(), jpegWithSkia: false);

    public DecodedImage Decode(string localPath, ImageProbe probe, int maxSide, CancellationToken ct) =>
        probe.Format switch
        {
            "bmp" => skia.Decode(localPath, probe, maxSide, ct),
            "jpeg" => (jpegWithSkia ? skia : vips).Decode(localPath, probe, maxSide, ct),
            "png" or "gif" or "webp" or "tiff" or "avif" or "heif" => vips.Decode(localPath, probe, maxSide, ct),
            _ => throw new IngestionException(Models.ErrorCodes.UnsupportedFormat,
                $"Iris cannot decode {probe.Format} images."),
        };
}
