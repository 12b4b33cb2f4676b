using NetVips;

namespace Iris.Ingestion;

/// <summary>
/// Decodes with libvips: <c>thumbnail</c> from the file, which shrinks JPEG, WebP and HEIF while loading and
/// applies the EXIF orientation, in fail-on-warning mode so a truncated or checksum-broken file is an error
/// instead of a half-grey picture. Reads JPEG, PNG, GIF, WebP, TIFF and AVIF (HEIF only with AV1).
/// </summary>
public sealed class VipsDecoder : IImageDecoder
{
    public VipsDecoder() => VipsRuntime.EnsureInitialized();

    public DecodedImage Decode(string localPath, ImageProbe probe, int maxSide, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        try
        {
            using var loaded = probe.Format == "jpeg" ? LoadJpegShrunk(localPath, probe, maxSide) : null;
            using var thumbnail = loaded is not null
                ? loaded.ThumbnailImage(maxSide, height: maxSide, size: Enums.Size.Down)
                : Image.Thumbnail(localPath, maxSide, height: maxSide, size: Enums.Size.Down, failOn: Enums.FailOn.Warning);
            // Kills the evaluation when ct fires (the worker's per-image time limit or shutdown).
            thumbnail.SetProgress(NoProgress.Instance, ct);
            // Evaluating the thumbnail reads every scan line of the file: this is the full decode.
            using var decoded = thumbnail.CopyMemory();
            return ToEightBit(decoded);
        }
        catch (VipsException e)
        {
            ct.ThrowIfCancellationRequested();
            var detail = DecodeFailures.CleanVipsMessage(e.Message, localPath);
            if (probe.Format == "heif" && detail.Contains("codec", StringComparison.OrdinalIgnoreCase))
                throw DecodeFailures.HevcUnsupported();
            throw DecodeFailures.Damaged(probe.Format, detail);
        }
    }

    /// <summary>
    /// JPEG through libjpeg's own DCT scaling, as far as it goes (1/8) while the result stays at least the
    /// preview's size: <c>thumbnail</c> stops a step earlier for quality we do not need before a 256 px
    /// resize, and the extra step measured 23.6 instead of 30.7 ms CPU per 3000×2000 JPEG. Every scan is
    /// still entropy-decoded, so a file cut short fails just the same.
    /// </summary>
    private static Image LoadJpegShrunk(string localPath, ImageProbe probe, int maxSide)
    {
        var longest = Math.Max(probe.Width, probe.Height);
        var shrink = 8;
        while (shrink > 1 && longest / shrink < maxSide) shrink /= 2;
        return Image.Jpegload(localPath, shrink: shrink, failOn: Enums.FailOn.Warning, access: Enums.Access.Sequential);
    }

    /// <summary>The decoded image as sRGB or grey 8-bit pixels, with alpha when it has one.</summary>
    private static DecodedImage ToEightBit(Image image)
    {
        var owned = new List<Image>(3);
        try
        {
            var current = image;
            if (current.Interpretation is not (Enums.Interpretation.Srgb or Enums.Interpretation.Bw) || current.Format != Enums.BandFormat.Uchar)
            {
                current = Own(current.Colourspace(current.Bands >= 3 ? Enums.Interpretation.Srgb : Enums.Interpretation.Bw), owned);
                if (current.Format != Enums.BandFormat.Uchar) current = Own(current.Cast(Enums.BandFormat.Uchar), owned);
            }
            var colour = current.Interpretation == Enums.Interpretation.Srgb ? 3 : 1;
            var bands = current.HasAlpha() ? colour + 1 : colour;
            if (current.Bands != bands) current = Own(current.ExtractBand(0, n: Math.Min(bands, current.Bands)), owned);
            return new DecodedImage(current.Width, current.Height, current.Bands, current.WriteToMemory<byte>());
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

    /// <summary>Progress is only wanted for its cancellation; reporting it would queue work for nothing.</summary>
    private sealed class NoProgress : IProgress<int>
    {
        public static readonly NoProgress Instance = new();
        public void Report(int value) { }
    }
}
