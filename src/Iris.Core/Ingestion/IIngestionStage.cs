using Iris.Models;
using Iris.Sources;

namespace Iris.Ingestion;

/// <summary>One named step of ingestion. Stages run in order over one <see cref="IngestionContext"/>.</summary>
public interface IIngestionStage
{
    /// <summary>The event recorded when the stage succeeds (one of <see cref="EventTypes"/>).</summary>
    string EventType { get; }

    /// <summary>Does the stage's work; throws <see cref="IngestionException"/> to end the image in error.</summary>
    ValueTask RunAsync(IngestionContext context, CancellationToken ct);
}

/// <summary>What the stages learn about one image as it goes through the pipeline.</summary>
public sealed class IngestionContext(IngestionJob job)
{
    public IngestionJob Job { get; } = job;

    /// <summary>The local file with the image's bytes, set by the fetch stage.</summary>
    public SourceFile? Source { get; set; }

    public long SizeBytes { get; set; }
    public string? Sha256 { get; set; }

    /// <summary>Format and dimensions from the header, set by the probe stage.</summary>
    public ImageProbe? Probe { get; set; }

    /// <summary>Format (and size, if known) of a file whose header the probe stage could not read to the end.</summary>
    public PartialHeader? PartialHeader { get; set; }

    public int? Orientation { get; set; }
    public Dictionary<string, string> Exif { get; } = new(StringComparer.Ordinal);

    /// <summary>64-bit perceptual hash of the decoded picture, set by the preview stage.</summary>
    public long? PerceptualHash { get; set; }

    /// <summary>Blob key of the stored preview, set by the preview stage.</summary>
    public string? PreviewKey { get; set; }

    /// <summary>The upright, reduced pixels the preview stage decoded, for the stages after it (never a second decode).</summary>
    public DecodedImage? Decoded { get; set; }

    /// <summary>The visual embedding, set by the embedding stage when the dataset asks for one.</summary>
    public Iris.Embeddings.Embedding? Embedding { get; set; }

    public List<ImageEvent> Events { get; } = [];
}

/// <summary>Format and stored dimensions of an image, read from its header.</summary>
public sealed record ImageProbe(string Format, string MimeType, int Width, int Height);
