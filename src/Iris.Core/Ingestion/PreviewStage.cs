using Iris.Blobs;
using Iris.Models;

namespace Iris.Ingestion;

/// <summary>
/// Decodes the whole image once (the proof that it is intact), and from that one decode makes the preview
/// (longest side <see cref="MaxSide"/> px, upright, JPEG or WebP) and the perceptual hash, then stores the preview
/// in the blob store. Its event is <c>stored</c>.
/// </summary>
public sealed class PreviewStage(IImageDecoder decoder, IBlobStore blobs, TimeProvider time) : IIngestionStage
{
    public const int MaxSide = 256;

    public string EventType => EventTypes.Stored;

    public async ValueTask RunAsync(IngestionContext context, CancellationToken ct)
    {
        var source = context.Source ?? throw new InvalidOperationException("The fetch stage must run before the preview stage.");
        var probe = context.Probe ?? throw new InvalidOperationException("The probe stage must run before the preview stage.");

        var decoded = decoder.Decode(source.LocalPath, probe, MaxSide, ct);
        var hash = PerceptualHash.Compute(decoded);
        var preview = PreviewEncoder.Encode(decoded);

        var key = BlobKeys.Preview(context.Job.ImageId);
        await blobs.PutAsync(key, preview, ct);

        context.Decoded = decoded;
        context.PerceptualHash = hash;
        context.PreviewKey = key;
        context.AddEvent(EventType, time);
    }
}
