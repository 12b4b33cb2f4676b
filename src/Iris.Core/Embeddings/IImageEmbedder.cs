using Iris.Ingestion;

namespace Iris.Embeddings;

/// <summary>
/// Turns the pixels the pipeline has already decoded (upright, at most 256 px on a side) into a visual embedding:
/// a vector of <see cref="Dimensions"/> floats with an L2 norm of 1, so the dot product of two is their cosine
/// similarity. The same pixels always give the same vector. Safe to call from several threads at once.
/// </summary>
public interface IImageEmbedder
{
    /// <summary>The model's stable name, stored next to each vector (vectors of different models never meet).</summary>
    string Model { get; }

    int Dimensions { get; }

    float[] Embed(DecodedImage image, CancellationToken ct = default);
}
