namespace Iris.Ingestion;

/// <summary>
/// Decodes every pixel of an image and hands back a small, upright copy of it. Decoding the whole file
/// is the proof that it is an image and not just a header; the small copy feeds the preview and the
/// perceptual hash, so each image is decoded once.
/// </summary>
public interface IImageDecoder
{
    /// <summary>
    /// Decodes <paramref name="localPath"/> (of the probed format) strictly: a file that is cut short, has
    /// broken checksums or data the decoder has to guess at throws <see cref="IngestionException"/>
    /// (<c>unsupported_format</c>) with a reason a person can act on. Returns the image with its EXIF
    /// orientation applied, shrunk (never enlarged) so its longest side is at most <paramref name="maxSide"/>;
    /// an animated or multi-page file gives its first frame. Observes <paramref name="ct"/> where the engine can.
    /// </summary>
    DecodedImage Decode(string localPath, ImageProbe probe, int maxSide, CancellationToken ct);
}

/// <summary>
/// 8-bit pixels, interleaved, row by row without padding: 1 band (grey), 2 (grey and alpha), 3 (RGB) or
/// 4 (RGBA, alpha not premultiplied).
/// </summary>
public sealed class DecodedImage
{
    public DecodedImage(int width, int height, int bands, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bands, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bands, 4);
        if (pixels.Length != (long)width * height * bands)
            throw new ArgumentException($"{width}×{height}×{bands} needs {(long)width * height * bands} bytes, not {pixels.Length}.", nameof(pixels));
        Width = width;
        Height = height;
        Bands = bands;
        Pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }
    public int Bands { get; }
    public byte[] Pixels { get; }

    public bool HasAlpha => Bands is 2 or 4;
}
