using System.Buffers;
using Iris.Models;
using SkiaSharp;

namespace Iris.Ingestion;

/// <summary>
/// Decodes with SkiaSharp, row by row: BMP (which the bundled libvips cannot read), and JPEG when the router
/// is told to send it here (see <see cref="RoutingImageDecoder"/>). JPEGs are
/// decoded at the smallest of libjpeg's 1/8, 1/4, 1/2 scales that is still at least the preview's size.
/// Rows are averaged into a picture at most twice the preview's size as they arrive, so memory stays small
/// however large the image; a Mitchell filter makes the final size. Any row the codec cannot deliver (a file cut
/// short, broken data) fails the image. The EXIF orientation, which Skia leaves alone, is applied here.
/// </summary>
public sealed class SkiaDecoder : IImageDecoder
{
    private const int CancellationCheckRows = 64;

    public DecodedImage Decode(string localPath, ImageProbe probe, int maxSide, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        using var codec = SKCodec.Create(localPath, out var created)
            ?? throw DecodeFailures.Damaged(probe.Format, Describe(created));
        var info = codec.Info;
        // The pixel limit was checked on the prober's reading of the header; never decode a different size.
        if (info.Width != probe.Width || info.Height != probe.Height)
            throw DecodeFailures.HeaderMismatch(probe.Format, probe.Width, probe.Height, info.Width, info.Height);

        var (width, height) = Fit(info.Width, info.Height, maxSide);
        var decodeSize = DecodeSize(codec, info, maxSide);
        var opaque = info.AlphaType == SKAlphaType.Opaque;
        var decodeInfo = new SKImageInfo(decodeSize.Width, decodeSize.Height, SKColorType.Rgba8888,
            opaque ? SKAlphaType.Opaque : SKAlphaType.Unpremul);

        var (iw, ih) = Fit(decodeSize.Width, decodeSize.Height, 2 * maxSide);
        var intermediate = AverageRows(codec, decodeInfo, iw, ih, probe.Format, ct);
        var rgba = iw == width && ih == height ? intermediate : Resize(intermediate, iw, ih, width, height, opaque);

        var bands = (info.ColorType == SKColorType.Gray8 ? 1 : 3) + (opaque ? 0 : 1);
        var (orientedWidth, orientedHeight, pixels) = Orient(rgba, width, height, bands, codec.EncodedOrigin);
        return new DecodedImage(orientedWidth, orientedHeight, bands, pixels);
    }

    /// <summary>The size that fits in a square of <paramref name="side"/>, keeping the aspect; never larger than the image.</summary>
    private static (int Width, int Height) Fit(int width, int height, int side)
    {
        var longest = Math.Max(width, height);
        if (longest <= side) return (width, height);
        var scale = (double)side / longest;
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    /// <summary>The smallest size the codec decodes to natively (JPEG: 1/8..1/1) whose longest side is still at least <paramref name="wanted"/>.</summary>
    private static SKSizeI DecodeSize(SKCodec codec, SKImageInfo info, int wanted)
    {
        if (codec.EncodedFormat != SKEncodedImageFormat.Jpeg) return info.Size;
        foreach (var scale in (ReadOnlySpan<float>)[0.125f, 0.25f, 0.5f])
        {
            var size = codec.GetScaledDimensions(scale);
            if (Math.Max(size.Width, size.Height) >= wanted) return size;
        }
        return info.Size;
    }

    /// <summary>
    /// Decodes every row and averages it into an RGBA picture of <paramref name="width"/>×<paramref name="height"/>
    /// (each decoded pixel lands in one cell: a box filter, fine for shrinking by up to the 2× Mitchell does after).
    /// </summary>
    private static byte[] AverageRows(SKCodec codec, SKImageInfo decodeInfo, int width, int height, string format, CancellationToken ct)
    {
        var start = codec.StartScanlineDecode(decodeInfo);
        if (start != SKCodecResult.Success) throw DecodeFailures.Damaged(format, Describe(start));

        int sourceWidth = decodeInfo.Width, sourceHeight = decodeInfo.Height;
        var cells = width * height;
        var sums = ArrayPool<uint>.Shared.Rent(cells * 4);
        var counts = ArrayPool<uint>.Shared.Rent(cells);
        var row = ArrayPool<byte>.Shared.Rent(sourceWidth * 4);
        var columns = ArrayPool<int>.Shared.Rent(sourceWidth);
        try
        {
            Array.Clear(sums, 0, cells * 4);
            Array.Clear(counts, 0, cells);
            for (var x = 0; x < sourceWidth; x++) columns[x] = (int)((long)x * width / sourceWidth);

            for (var i = 0; i < sourceHeight; i++)
            {
                if (i % CancellationCheckRows == 0) ct.ThrowIfCancellationRequested();
                int got;
                unsafe
                {
                    fixed (byte* p = row) got = codec.GetScanlines((IntPtr)p, 1, sourceWidth * 4);
                }
                if (got != 1)
                    throw DecodeFailures.Damaged(format, $"image data ends at row {i} of {sourceHeight}");

                var y = codec.GetOutputScanline(i); // BMPs are often stored bottom-up
                var cellRow = (int)((long)y * height / sourceHeight) * width;
                for (var x = 0; x < sourceWidth; x++)
                {
                    var cell = cellRow + columns[x];
                    var s = cell * 4;
                    var p = x * 4;
                    sums[s] += row[p];
                    sums[s + 1] += row[p + 1];
                    sums[s + 2] += row[p + 2];
                    sums[s + 3] += row[p + 3];
                    counts[cell]++;
                }
            }

            var averaged = new byte[cells * 4];
            for (var cell = 0; cell < cells; cell++)
            {
                var n = counts[cell];
                if (n == 0) continue;
                for (var c = 0; c < 4; c++) averaged[cell * 4 + c] = (byte)((sums[cell * 4 + c] + n / 2) / n);
            }
            return averaged;
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(sums);
            ArrayPool<uint>.Shared.Return(counts);
            ArrayPool<byte>.Shared.Return(row);
            ArrayPool<int>.Shared.Return(columns);
        }
    }

    private static byte[] Resize(byte[] rgba, int width, int height, int targetWidth, int targetHeight, bool opaque)
    {
        var alpha = opaque ? SKAlphaType.Opaque : SKAlphaType.Unpremul;
        using var source = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, alpha));
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, source.GetPixels(), rgba.Length);
        using var target = new SKBitmap(new SKImageInfo(targetWidth, targetHeight, SKColorType.Rgba8888, alpha));
        if (!source.ScalePixels(target, new SKSamplingOptions(SKCubicResampler.Mitchell)))
            throw new InvalidOperationException("SkiaSharp could not resize the preview.");
        var result = new byte[targetWidth * targetHeight * 4];
        System.Runtime.InteropServices.Marshal.Copy(target.GetPixels(), result, 0, result.Length);
        return result;
    }

    /// <summary>
    /// Turns the stored picture upright for its EXIF orientation (1 to 8; SKEncodedOrigin uses the same
    /// numbers) and keeps <paramref name="bands"/> of the RGBA channels (grey: R; no alpha when opaque).
    /// </summary>
    internal static (int Width, int Height, byte[] Pixels) Orient(byte[] rgba, int width, int height, int bands, SKEncodedOrigin origin)
    {
        var turned = (int)origin >= 5;
        int outWidth = turned ? height : width, outHeight = turned ? width : height;
        var result = new byte[outWidth * outHeight * bands];
        var alphaBand = bands is 2 or 4;
        for (var oy = 0; oy < outHeight; oy++)
        {
            for (var ox = 0; ox < outWidth; ox++)
            {
                var (sx, sy) = origin switch
                {
                    SKEncodedOrigin.TopRight => (width - 1 - ox, oy),
                    SKEncodedOrigin.BottomRight => (width - 1 - ox, height - 1 - oy),
                    SKEncodedOrigin.BottomLeft => (ox, height - 1 - oy),
                    SKEncodedOrigin.LeftTop => (oy, ox),
                    SKEncodedOrigin.RightTop => (oy, height - 1 - ox),
                    SKEncodedOrigin.RightBottom => (width - 1 - oy, height - 1 - ox),
                    SKEncodedOrigin.LeftBottom => (width - 1 - oy, ox),
                    _ => (ox, oy),
                };
                var s = (sy * width + sx) * 4;
                var o = (oy * outWidth + ox) * bands;
                var colour = alphaBand ? bands - 1 : bands;
                for (var c = 0; c < colour; c++) result[o + c] = rgba[s + c];
                if (alphaBand) result[o + colour] = rgba[s + 3];
            }
        }
        return (outWidth, outHeight, result);
    }

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput => "its image data ends early",
        SKCodecResult.InvalidInput => "its data is invalid",
        SKCodecResult.Unimplemented or SKCodecResult.InvalidConversion => "it uses a variant the decoder does not support",
        _ => $"decoder result {result}",
    };
}
