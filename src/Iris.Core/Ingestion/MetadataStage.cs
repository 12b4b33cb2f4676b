using Iris.Models;

namespace Iris.Ingestion;

/// <summary>
/// Reads EXIF orientation and tags (plus IPTC/XMP basics). Metadata is a bonus: an image that probed
/// fine is never failed because its metadata is damaged; what could be read is kept.
/// </summary>
public sealed class MetadataStage(TimeProvider time) : IIngestionStage
{
    public string EventType => EventTypes.MetadataStored;

    public ValueTask RunAsync(IngestionContext context, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var source = context.Source ?? throw new InvalidOperationException("The fetch stage must run before the metadata stage.");
        var probe = context.Probe ?? throw new InvalidOperationException("The probe stage must run before the metadata stage.");

        var detail = ReadInto(context, source.LocalPath, probe.Format);
        context.AddEvent(EventType, time, detail);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Reads orientation and tags of <paramref name="path"/> into <paramref name="context"/>; returns why it could
    /// not, or null. Never throws for damaged metadata.
    /// </summary>
    internal static string? ReadInto(IngestionContext context, string path, string format)
    {
        try
        {
            var directories = ImageMetadata.ReadDirectories(path, format);
            context.Orientation = ImageMetadata.Orientation(directories);
            ImageMetadata.AddTags(directories, context.Exif);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return $"The metadata could not be read ({e.GetType().Name}).";
        }
    }
}
