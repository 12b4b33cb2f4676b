namespace Iris.Search;

/// <summary>
/// The vectors of one dataset, searchable by similarity. Vectors are L2-normalised; a match's score is the cosine
/// similarity to the query (1 is the same direction). Adding an id that is present replaces its vector. Searches may
/// run while vectors are added or removed (implementations synchronise internally).
/// </summary>
public interface IVectorIndex : IDisposable
{
    int Dimensions { get; }

    int Count { get; }

    /// <summary>Bytes of memory the index holds for its vectors and structure (for the benchmark and metrics).</summary>
    long MemoryBytes { get; }

    void Add(Guid id, ReadOnlySpan<float> vector);

    bool Remove(Guid id);

    /// <summary>
    /// The <paramref name="count"/> best matches, best first (ties by id), among the ids <paramref name="accept"/>
    /// lets through (all when null). Fewer when fewer are accepted.
    /// </summary>
    IReadOnlyList<VectorMatch> Search(ReadOnlySpan<float> query, int count, Func<Guid, bool>? accept = null);
}

public readonly record struct VectorMatch(Guid Id, float Score);
