using System.Collections.Concurrent;
using Iris.Catalog;
using Iris.Embeddings;

namespace Iris.Search;

/// <summary>
/// This node's in-memory vector index of each dataset searched, kept current from the catalog: the first search of a
/// dataset reads all of its stored embeddings, each later one first reads what was written since (by sequence number),
/// so every API node answers from the catalog's vectors without talking to the others. Deleted images leave the index
/// when a search meets them (<see cref="ImageSearchService"/> checks each result against the catalog). An index not
/// used for <see cref="IdleLifetime"/> is dropped and read again when next needed.
/// </summary>
/// <param name="build">
/// Makes a dataset's index from all of its stored vectors at its first load (an approximate index builds its graph on
/// every core at once, far faster than one add at a time); without it the first load adds to <paramref name="createIndex"/>'s.
/// </param>
public sealed class DatasetIndexes(
    IEmbeddingStore store, Func<int, IVectorIndex> createIndex, TimeProvider time,
    Func<int, IEnumerable<(Guid Id, float[] Vector)>, IVectorIndex>? build = null) : IDisposable
{
    /// <summary>How far back rows are read again, for commits that became visible after a later sequence number.</summary>
    public static readonly TimeSpan CommitOverlap = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan IdleLifetime = TimeSpan.FromHours(1);

    private const int ReadBatch = 5000;

    private readonly ConcurrentDictionary<(Guid Dataset, string Model), Entry> _entries = new();

    /// <summary>The dataset's index with every embedding of <paramref name="model"/> the catalog holds now.</summary>
    public async Task<IVectorIndex> GetCurrentAsync(Guid datasetId, string model, int dimensions, CancellationToken ct)
    {
        DropIdle();
        var entry = _entries.GetOrAdd((datasetId, model), _ => new Entry(createIndex(dimensions)));
        entry.LastUsed = time.GetUtcNow();
        await entry.Gate.WaitAsync(ct);
        try
        {
            var started = time.GetUtcNow();
            if (entry.CaughtUpAt is null && build is not null) return await LoadAsync(entry, datasetId, model, dimensions, started, ct);
            var since = entry.CaughtUpAt is { } at ? at - CommitOverlap : started;
            while (true)
            {
                var rows = await store.ReadChangesAsync(datasetId, model, entry.Seq, since, ReadBatch, ct);
                var advanced = false;
                foreach (var row in rows)
                {
                    var vector = EmbeddingVectors.FromBytes(row.Vector);
                    if (vector.Length == dimensions) entry.Index.Add(row.ImageId, vector);
                    if (row.Seq > entry.Seq)
                    {
                        entry.Seq = row.Seq;
                        advanced = true;
                    }
                }
                // A full batch may have more behind it; the re-read overlap alone never advances the sequence.
                if (rows.Count < ReadBatch || !advanced) break;
                // The overlap came with the first page: later ones go on by seq, or the rows it re-read would fill them again.
                since = started;
            }
            entry.CaughtUpAt = started;
            return entry.Index;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>The first load with <c>build</c>: every stored vector read (the last write of each image wins), then built at once.</summary>
    private async Task<IVectorIndex> LoadAsync(Entry entry, Guid datasetId, string model, int dimensions, DateTimeOffset started, CancellationToken ct)
    {
        // Kept as stored (half precision) until the build takes them one by one: half the memory of floats.
        var latest = new Dictionary<Guid, (long Seq, byte[] Vector)>();
        long seq = 0;
        while (true)
        {
            var rows = await store.ReadChangesAsync(datasetId, model, seq, started, ReadBatch, ct);
            var advanced = false;
            foreach (var row in rows)
            {
                if (!latest.TryGetValue(row.ImageId, out var known) || known.Seq < row.Seq) latest[row.ImageId] = (row.Seq, row.Vector);
                if (row.Seq > seq)
                {
                    seq = row.Seq;
                    advanced = true;
                }
            }
            if (rows.Count < ReadBatch || !advanced) break;
        }
        var vectors = latest.Select(p => (Id: p.Key, Vector: EmbeddingVectors.FromBytes(p.Value.Vector))).Where(p => p.Vector.Length == dimensions);
        var built = build!(dimensions, vectors);
        var empty = entry.Index;
        entry.Index = built;
        empty.Dispose();
        entry.Seq = seq;
        entry.CaughtUpAt = started;
        return built;
    }

    /// <summary>Removes an image this node found gone (deleted, or no longer completed) from the dataset's index.</summary>
    public void Remove(Guid datasetId, string model, Guid imageId)
    {
        if (_entries.TryGetValue((datasetId, model), out var entry)) entry.Index.Remove(imageId);
    }

    /// <summary>Drops every index of a deleted dataset.</summary>
    public void Forget(Guid datasetId)
    {
        foreach (var key in _entries.Keys.Where(k => k.Dataset == datasetId).ToList())
        {
            if (_entries.TryRemove(key, out var entry)) entry.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var key in _entries.Keys.ToList())
        {
            if (_entries.TryRemove(key, out var entry)) entry.Dispose();
        }
    }

    private void DropIdle()
    {
        var now = time.GetUtcNow();
        foreach (var (key, entry) in _entries)
        {
            if (now - entry.LastUsed > IdleLifetime && _entries.TryRemove(key, out var idle)) idle.Dispose();
        }
    }

    private sealed class Entry(IVectorIndex index) : IDisposable
    {
        public IVectorIndex Index { get; set; } = index;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public long Seq { get; set; }
        public DateTimeOffset? CaughtUpAt { get; set; }
        public DateTimeOffset LastUsed { get; set; }

        // Native indexes free their memory here; a search still inside one holds its handle until it returns.
        public void Dispose() => Index.Dispose();
    }
}
