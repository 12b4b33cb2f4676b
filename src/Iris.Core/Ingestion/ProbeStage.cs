using System.Globalization;
using Iris.Models;

namespace Iris.Ingestion;

/// <summary>Determines format and stored dimensions, and refuses images with more pixels than allowed.</summary>
public sealed class ProbeStage(IImageProber prober, IrisOptions options, TimeProvider time) : IIngestionStage
{
    public string EventType => EventTypes.KindDetermined;

    public async ValueTask RunAsync(IngestionContext context, CancellationToken ct)
    {
        var source = context.Source ?? throw new InvalidOperationException("The fetch stage must run before the probe stage.");
        ImageProbe probe;
        try
        {
            probe = await prober.ProbeAsync(source.LocalPath, ct);
        }
        catch (IngestionException e) when (e.PartialHeader is not null)
        {
            context.PartialHeader = e.PartialHeader; // the pipeline still reads the metadata it can
            throw;
        }
        context.Probe = probe; // kept with the error below: format and size are still worth showing

        // Checked from the header, before anything decodes: a small file can claim billions of pixels.
        var pixels = (long)probe.Width * probe.Height;
        if (pixels > options.MaxPixels)
        {
            string actual = Megapixels(pixels), limit = Megapixels(options.MaxPixels);
            if (actual == limit) (actual, limit) = (pixels.ToString("N0", CultureInfo.InvariantCulture) + " pixels", options.MaxPixels.ToString("N0", CultureInfo.InvariantCulture) + " pixels");
            throw new IngestionException(ErrorCodes.ResolutionOutOfSpec, $"{probe.Width}×{probe.Height} is {actual}; the limit is {limit}.");
        }
        var longest = Math.Max(probe.Width, probe.Height);
        if (longest > options.MaxSide)
            throw new IngestionException(ErrorCodes.ResolutionOutOfSpec, string.Create(CultureInfo.InvariantCulture,
                $"{probe.Width}×{probe.Height} has a side of {longest:N0} pixels; the limit is {options.MaxSide:N0}."));
        context.AddEvent(EventType, time);
    }

    private static string Megapixels(long pixels) =>
        (pixels / 1_000_000.0).ToString("0.#", CultureInfo.InvariantCulture) + " megapixels";
}
