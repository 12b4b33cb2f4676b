using Iris.Embeddings;
using Iris.Models;

namespace Iris.Ingestion;

/// <summary>
/// The visual embedding of the pixels the preview stage decoded, for datasets whose encoder asks for one
/// (<see cref="Encoders.Embeds"/>); other datasets pass through untouched, without loading the model. It records no
/// event of its own: the image is <c>stored</c> before and <c>completed</c> after.
/// </summary>
public sealed class EmbeddingStage(Lazy<IImageEmbedder> embedder) : IIngestionStage
{
    public string EventType => EventTypes.Stored;

    public ValueTask RunAsync(IngestionContext context, CancellationToken ct)
    {
        if (!Encoders.Embeds(context.Job.EncoderName)) return ValueTask.CompletedTask;
        var decoded = context.Decoded ?? throw new InvalidOperationException("The preview stage must run before the embedding stage.");
        var model = embedder.Value;
        context.Embedding = new Embedding(model.Model, model.Embed(decoded, ct));
        return ValueTask.CompletedTask;
    }
}
