namespace Iris.Search;

/// <summary>
/// A dataset's vector index: exact search while the dataset is small (exact answers, nothing to build), switching once
/// to an HNSW graph when it grows past <see cref="ExactLimit"/> vectors, where a brute-force scan's latency would pass
/// the graph's. The switch happens inside the Add that crosses the limit: the graph is built from the exact index's
/// vectors while searches keep using the exact index, then replaces it. It does not switch back when vectors are removed.
/// <para>Searches run concurrently with everything; Add and Remove are serialised here (each index also locks itself).</para>
/// </summary>
public sealed class AdaptiveVectorIndex : IVectorIndex
{
    /// <summary>
    /// The graph's median latency overtakes the exact scan's between 2,000 and 5,000 vectors of 512 dimensions; below
    /// 10,000 the scan still answers in about a millisecond, exactly, on any data and with nothing to build, so the
    /// switch waits until then (docs/benchmarks.md has the curve).
    /// </summary>
    public const int DefaultExactLimit = 10_000;

    private readonly Lock _writes = new();
    private readonly HnswSettings _hnswSettings;
    private IVectorIndex _current;

    public AdaptiveVectorIndex(int dimensions, int exactLimit = DefaultExactLimit, HnswSettings? hnswSettings = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(exactLimit);
        _hnswSettings = hnswSettings ?? new HnswSettings();
        _hnswSettings.Check();
        ExactLimit = exactLimit;
        _current = new ExactVectorIndex(dimensions);
    }

    /// <summary>
    /// An index holding <paramref name="vectors"/> (the catalog's stored vectors at start): the first ones go to the exact
    /// index; past the limit the rest are linked into the graph on every processor.
    /// </summary>
    public static AdaptiveVectorIndex Build(int dimensions, IEnumerable<(Guid Id, float[] Vector)> vectors,
        int exactLimit = DefaultExactLimit, HnswSettings? hnswSettings = null)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        var index = new AdaptiveVectorIndex(dimensions, exactLimit, hnswSettings);
        var expected = vectors.TryGetNonEnumeratedCount(out var known) ? known : (int?)null;
        using var pairs = vectors.GetEnumerator();
        var exact = (ExactVectorIndex)index._current;
        while (exact.Count <= exactLimit && pairs.MoveNext())
            exact.Add(pairs.Current.Id, pairs.Current.Vector);
        if (exact.Count > exactLimit)
        {
            var graph = index.ToGraph(exact, expected);
            try
            {
                Parallel.ForEach(Rest(pairs), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                    pair => graph.Add(pair.Id, pair.Vector));
            }
            catch
            {
                graph.Dispose();
                throw;
            }
            index._current = graph;
        }
        return index;
    }

    public int ExactLimit { get; }

    /// <summary>True once the index has switched to the HNSW graph (answers are then approximate).</summary>
    public bool IsApproximate => Volatile.Read(ref _current) is HnswVectorIndex;

    public int Dimensions => Volatile.Read(ref _current).Dimensions;

    public int Count => Volatile.Read(ref _current).Count;

    public long MemoryBytes => Volatile.Read(ref _current).MemoryBytes;

    public void Add(Guid id, ReadOnlySpan<float> vector)
    {
        lock (_writes)
        {
            _current.Add(id, vector);
            if (_current is ExactVectorIndex exact && exact.Count > ExactLimit)
                Volatile.Write(ref _current, ToGraph(exact, null));
        }
    }

    public bool Remove(Guid id)
    {
        lock (_writes)
            return _current.Remove(id);
    }

    public IReadOnlyList<VectorMatch> Search(ReadOnlySpan<float> query, int count, Func<Guid, bool>? accept = null) =>
        Volatile.Read(ref _current).Search(query, count, accept);

    public void Dispose()
    {
        lock (_writes)
            _current.Dispose();
    }

    /// <summary>A graph of the exact index's vectors, linked on every processor. The exact index is left to the
    /// garbage collector, not disposed: searches that started on it may still be running.</summary>
    private HnswVectorIndex ToGraph(ExactVectorIndex exact, int? expected)
    {
        var graph = new HnswVectorIndex(exact.Dimensions, _hnswSettings);
        try
        {
            graph.Reserve(Math.Max(expected ?? 0, exact.Count * 2));
            Parallel.ForEach(exact.Snapshot(), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                pair => graph.Add(pair.Id, pair.Vector));
            return graph;
        }
        catch
        {
            graph.Dispose();
            throw;
        }
    }

    private static IEnumerable<(Guid Id, float[] Vector)> Rest(IEnumerator<(Guid Id, float[] Vector)> pairs)
    {
        while (pairs.MoveNext())
            yield return pairs.Current;
    }
}
