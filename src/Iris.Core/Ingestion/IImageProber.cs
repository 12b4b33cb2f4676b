namespace Iris.Ingestion;

/// <summary>
/// Tells an image's format and stored dimensions. <see cref="HeaderProber"/> reads headers only; a
/// decoder (libvips, later) can implement this too and also check that the pixels decode.
/// </summary>
public interface IImageProber
{
    /// <summary>Probes the file; throws <see cref="IngestionException"/> (<c>unsupported_format</c>) when it is not a readable image.</summary>
    ValueTask<ImageProbe> ProbeAsync(string localPath, CancellationToken ct);
}
