namespace Iris.Search;

/// <summary>How the HNSW graph is built and searched (USearch's parameters; larger is more accurate and slower).</summary>
public sealed record HnswSettings
{
    /// <summary>Links per node (HNSW's M).</summary>
    public int Connectivity { get; init; } = 16;

    /// <summary>Candidates kept while linking a new vector (efConstruction): half USearch's default of 128, which
    /// halves the build time; docs/benchmarks.md has the recall of both.</summary>
    public int ExpansionAdd { get; init; } = 64;

    /// <summary>Candidates kept while searching (ef); a search for more matches than this keeps that many instead.</summary>
    public int ExpansionSearch { get; init; } = 128;

    /// <summary>How the graph stores vectors: half precision halves the memory of float32 at no measurable recall cost.</summary>
    public VectorQuantization Quantization { get; init; } = VectorQuantization.Float16;

    internal void Check()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Connectivity, 2, nameof(Connectivity));
        ArgumentOutOfRangeException.ThrowIfLessThan(ExpansionAdd, 1, nameof(ExpansionAdd));
        ArgumentOutOfRangeException.ThrowIfLessThan(ExpansionSearch, 1, nameof(ExpansionSearch));
        if (!Enum.IsDefined(Quantization))
            throw new ArgumentOutOfRangeException(nameof(Quantization), Quantization, "Unknown quantisation.");
    }
}

/// <summary>The number type an HNSW graph keeps its vectors in.</summary>
public enum VectorQuantization
{
    Float32,
    Float16,
    Int8,
}
