using Iris.Ingestion;
using NetVips;

namespace Iris.Embeddings;

/// <summary>
/// Turns decoded pixels into what the ResNet-18 preprocess model takes: a 224×224 picture as planar R, G, B values
/// 0..255 (the layout of ML.NET's ExtractPixels), transparent parts laid on white and grey repeated in all three channels.
/// </summary>
internal static class NetworkInput
{
    public const int Side = 224;
    public const int Plane = Side * Side;

    static NetworkInput() => VipsRuntime.EnsureInitialized();

    /// <summary>Writes the planar R, G, B values of <paramref name="image"/> into <paramref name="rgb"/> (3 × 224 × 224).</summary>
    public static void WritePlanarRgb(DecodedImage image, ResNetFraming framing, double blurSigma, Span<float> rgb) =>
        WritePlanes(image, framing, blurSigma, rgb[..Plane], rgb.Slice(Plane, Plane), rgb.Slice(2 * Plane, Plane));

    /// <summary>
    /// Writes the red, green and blue values (0..255) of the 224×224 picture each into a plane of its own, after a
    /// Gaussian blur of <paramref name="blurSigma"/> pixels of the square (none when 0).
    /// </summary>
    public static void WritePlanes(DecodedImage image, ResNetFraming framing, double blurSigma, Span<float> red, Span<float> green, Span<float> blue)
    {
        using var square = Square(image, framing, blurSigma);
        // Read from libvips' own buffer: a managed copy would be a large-object allocation for every image.
        var memory = square.WriteToMemory(out var size);
        try
        {
            if (size != 3 * Plane) throw new InvalidOperationException($"libvips wrote {size} bytes for the {Side}×{Side} RGB square.");
            unsafe
            {
                var pixels = new ReadOnlySpan<byte>((void*)memory, 3 * Plane);
                for (int i = 0, p = 0; i < Plane; i++, p += 3)
                {
                    red[i] = pixels[p];
                    green[i] = pixels[p + 1];
                    blue[i] = pixels[p + 2];
                }
            }
        }
        finally
        {
            NetVips.NetVips.Free(memory);
        }
    }

    /// <summary>The picture as 224×224 8-bit RGB, resampled by libvips (Lanczos 3 when shrinking), evaluated into memory.</summary>
    private static Image Square(DecodedImage image, ResNetFraming framing, double blurSigma)
    {
        var owned = new List<Image>(4);
        try
        {
            var current = Own(Image.NewFromMemory(image.Pixels, image.Width, image.Height, image.Bands, Enums.BandFormat.Uchar), owned);
            // Alpha is not premultiplied in DecodedImage: flatten mixes each pixel with white by its coverage.
            if (image.HasAlpha) current = Own(current.Flatten(background: [255.0]), owned);
            if (current.Bands == 1) current = Own(current.Bandjoin(current, current), owned);
            // Tagged as sRGB so libvips resamples the values as they are, with no colour conversion.
            current = Own(current.Copy(interpretation: Enums.Interpretation.Srgb), owned);
            current = Own(framing == ResNetFraming.CentreCrop
                ? current.ThumbnailImage(Side, height: Side, crop: Enums.Interesting.Centre)
                : current.ThumbnailImage(Side, height: Side, size: Enums.Size.Force), owned);
            if (blurSigma > 0) current = Own(current.Gaussblur(blurSigma), owned);
            if (current.Format != Enums.BandFormat.Uchar) current = Own(current.Cast(Enums.BandFormat.Uchar), owned);
            if (current.Width != Side || current.Height != Side || current.Bands != 3)
                throw new InvalidOperationException($"libvips made a {current.Width}×{current.Height}×{current.Bands} picture, not {Side}×{Side}×3.");
            // Evaluated while the steps above are still referenced.
            return current.CopyMemory();
        }
        finally
        {
            foreach (var step in owned) step.Dispose();
        }
    }

    private static Image Own(Image image, List<Image> owned)
    {
        owned.Add(image);
        return image;
    }
}
