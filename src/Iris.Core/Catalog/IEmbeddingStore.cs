namespace Iris.Catalog;

/// <summary>
/// The visual embeddings of completed images, one per image, written with the image's completion
/// (<see cref="IIngestionQueue.CompleteAsync"/>) or later by an embeddings job (<see cref="PutAsync"/>), and deleted
/// with the image. Each write takes a new sequence number, so an API node keeps its in-memory index current by reading
/// what changed since the last number it saw (<see cref="ReadChangesAsync"/>).
/// </summary>
public interface IEmbeddingStore
{
    /// <summary>The embedding of an image of the organization, or null (unknown image, or none stored).</summary>
    Task<StoredEmbedding?> GetAsync(Guid orgId, Guid imageId, CancellationToken ct = default);

    /// <summary>
    /// Up to <paramref name="limit"/> embeddings of the dataset made by <paramref name="model"/>, in sequence order,
    /// written after <paramref name="afterSeq"/> or (for commits that finished out of sequence order on a shared database)
    /// at or after <paramref name="writtenSince"/>.
    /// </summary>
    Task<IReadOnlyList<StoredEmbedding>> ReadChangesAsync(
        Guid datasetId, string model, long afterSeq, DateTimeOffset writtenSince, int limit, CancellationToken ct = default);

    /// <summary>Stores (or replaces) a completed image's embedding; false if the image is gone or not completed.</summary>
    Task<bool> PutAsync(Guid imageId, string model, byte[] vector, DateTimeOffset now, CancellationToken ct = default);

    /// <summary>
    /// Up to <paramref name="limit"/> completed images of the dataset with a preview and no embedding of
    /// <paramref name="model"/>, by id after <paramref name="afterId"/> (keyset paging).
    /// </summary>
    Task<IReadOnlyList<EmbeddingCandidate>> ListMissingAsync(
        Guid datasetId, string model, Guid? afterId, int limit, CancellationToken ct = default);

    /// <summary>How many completed images of the dataset have no embedding of <paramref name="model"/>.</summary>
    Task<long> CountMissingAsync(Guid datasetId, string model, CancellationToken ct = default);
}

/// <summary>A stored embedding: the vector as <see cref="Iris.Embeddings.EmbeddingVectors"/> encodes it.</summary>
public sealed record StoredEmbedding(Guid ImageId, Guid DatasetId, string Model, byte[] Vector, long Seq, DateTimeOffset WrittenAt);

/// <summary>A completed image that has no embedding yet, and the preview to make it from.</summary>
public sealed record EmbeddingCandidate(Guid ImageId, string PreviewKey);
