using Iris.Catalog;
using Iris.Embeddings;
using Iris.Search;

namespace Iris.Core.Tests;

public sealed class DatasetIndexesTests
{
    private const string Model = "model-a";
    private const int Dimensions = 4;
    private const int ReadBatch = 5000; // what DatasetIndexes asks for at a time
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private readonly ManualTime _time = new(T0);
    private readonly List<TrackedIndex> _created = [];

    private DatasetIndexes Create(FakeEmbeddingStore store) => new(store, dimensions =>
    {
        var index = new TrackedIndex(new ExactVectorIndex(dimensions));
        _created.Add(index);
        return index;
    }, _time);

    private static float[] Axis(int axis, int dimensions = Dimensions)
    {
        var vector = new float[dimensions];
        vector[axis] = 1;
        return vector;
    }

    private static Guid Best(IVectorIndex index, float[] query) => index.Search(query, 1)[0].Id;

    [Fact]
    public async Task The_first_search_reads_everything_and_later_ones_only_what_changed_since()
    {
        var store = new FakeEmbeddingStore();
        var ds = Guid.NewGuid();
        var a = store.Write(ds, Model, Guid.NewGuid(), Axis(0), T0.AddMinutes(-5));
        var b = store.Write(ds, Model, Guid.NewGuid(), Axis(1), T0.AddMinutes(-4));
        store.Write(ds, "model-b", Guid.NewGuid(), Axis(2), T0.AddMinutes(-4));
        store.Write(Guid.NewGuid(), Model, Guid.NewGuid(), Axis(2), T0.AddMinutes(-4));
        using var indexes = Create(store);

        var index = await indexes.GetCurrentAsync(ds, Model, Dimensions, default);
        Assert.Equal(2, index.Count);
        Assert.Equal(a, Best(index, Axis(0)));
        Assert.Equal(b, Best(index, Axis(1)));
        // The first load reads from the start; nothing written before it is read again by time.
        Assert.Equal(new Read(ds, Model, 0, T0, ReadBatch), Assert.Single(store.Reads));

        // A new image and a replaced vector: the next search reads after the last seq it saw, and re-reads the overlap before its last catch-up.
        _time.Now = T0.AddSeconds(30);
        var c = store.Write(ds, Model, Guid.NewGuid(), Axis(2), T0.AddSeconds(20));
        store.Write(ds, Model, a, Axis(3), T0.AddSeconds(21));
        var readsBefore = store.Reads.Count;
        var lastSeq = store.SeqOf(b);
        Assert.Same(index, await indexes.GetCurrentAsync(ds, Model, Dimensions, default));
        Assert.Equal(new Read(ds, Model, lastSeq, T0 - DatasetIndexes.CommitOverlap, ReadBatch), store.Reads[readsBefore]);
        Assert.Equal(3, index.Count);
        Assert.Equal(c, Best(index, Axis(2)));
        Assert.Equal(a, Best(index, Axis(3)));
        Assert.Equal(b, Best(index, Axis(1)));
        Assert.Single(_created);

        // Nothing new: one read after the latest seq, from the time of the last catch-up.
        _time.Now = T0.AddSeconds(40);
        var reads = store.Reads.Count;
        await indexes.GetCurrentAsync(ds, Model, Dimensions, default);
        Assert.Equal(new Read(ds, Model, store.SeqOf(a), T0.AddSeconds(30) - DatasetIndexes.CommitOverlap, ReadBatch), Assert.Single(store.Reads.Skip(reads)));
        Assert.Equal(3, index.Count);
    }

    [Fact]
    public async Task With_a_build_the_first_load_builds_once_from_the_latest_vector_of_each_image_and_later_ones_add()
    {
        var store = new FakeEmbeddingStore(rereadsRecentWrites: true);
        var ds = Guid.NewGuid();
        var ids = Enumerable.Range(0, ReadBatch + 7).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in ids) store.Write(ds, Model, id, Axis(0), T0.AddMinutes(-5));
        store.Write(ds, Model, ids[3], Axis(1), T0);       // replaced, and inside the re-read window of the first read
        store.Write(ds, Model, Guid.NewGuid(), new float[Dimensions + 1], T0.AddMinutes(-1)); // another length: left out
        var builds = new List<List<(Guid Id, float[] Vector)>>();
        using var indexes = new DatasetIndexes(store, dimensions =>
        {
            var index = new TrackedIndex(new ExactVectorIndex(dimensions));
            _created.Add(index);
            return index;
        }, _time, (dimensions, vectors) =>
        {
            var all = vectors.ToList();
            builds.Add(all);
            var index = new TrackedIndex(new ExactVectorIndex(dimensions));
            foreach (var (id, vector) in all) index.Add(id, vector);
            return index;
        });

        var built = await indexes.GetCurrentAsync(ds, Model, Dimensions, default);
        var input = Assert.Single(builds);
        Assert.Equal(ids.Count, input.Count);
        Assert.Equal(ids.Count, input.Select(v => v.Id).Distinct().Count());
        Assert.Equal(Axis(1), input.Single(v => v.Id == ids[3]).Vector);
        Assert.Equal(ids[3], Best(built, Axis(1)));
        Assert.True(Assert.Single(_created).Disposed); // the empty index it replaced

        _time.Now = T0.AddSeconds(30);
        var later = store.Write(ds, Model, Guid.NewGuid(), Axis(2), T0.AddSeconds(20));
        Assert.Same(built, await indexes.GetCurrentAsync(ds, Model, Dimensions, default));
        Assert.Single(builds);
        Assert.Equal(later, Best(built, Axis(2)));
        Assert.Equal(ids.Count + 1, built.Count);
    }

    [Fact]
    public async Task Rows_of_another_length_are_passed_over_and_the_seq_still_moves_on()
    {
        var store = new FakeEmbeddingStore();
        var ds = Guid.NewGuid();
        var good = store.Write(ds, Model, Guid.NewGuid(), Axis(0), T0.AddMinutes(-1));
        var odd = store.Write(ds, Model, Guid.NewGuid(), Axis(0, dimensions: 3), T0.AddMinutes(-1));
        using var indexes = Create(store);

        var index = await indexes.GetCurrentAsync(ds, Model, Dimensions, default);
        Assert.Equal(good, Assert.Single(index.Search(Axis(0), 10)).Id);
        _time.Now = T0.AddMinutes(1);
        await indexes.GetCurrentAsync(ds, Model, Dimensions, default);
        Assert.Equal(store.SeqOf(odd), store.Reads[^1].AfterSeq);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task More_rows_than_a_batch_are_read_a_batch_at_a_time(bool rereadsRecentWrites)
    {
        const int count = 2 * ReadBatch + 1;
        var store = new FakeEmbeddingStore(rereadsRecentWrites);
        var ds = Guid.NewGuid();
        var random = new Random(3);
        for (var i = 0; i < count; i++)
        {
            var vector = new float[Dimensions];
            for (var d = 0; d < Dimensions; d++) vector[d] = (float)random.NextDouble() + 0.01f;
            store.Write(ds, Model, Guid.NewGuid(), vector, T0.AddMinutes(-10));
        }
        using var indexes = Create(store);

        var index = await indexes.GetCurrentAsync(ds, Model, Dimensions, default);
        Assert.Equal(count, index.Count);
        Assert.Equal([0L, ReadBatch, 2 * ReadBatch], store.Reads.Select(r => r.AfterSeq));
        Assert.All(store.Reads, r => Assert.Equal(ReadBatch, r.Limit));
    }

    [Fact]
    public async Task A_burst_larger_than_a_batch_within_the_overlap_is_read_whole_where_recent_writes_are_read_again()
    {
        // The shared engine answers rows written since the time given whatever their seq: the pages after the first must
        // not be filled by the rows the first page read already.
        const int burst = ReadBatch + 1000;
        var store = new FakeEmbeddingStore(rereadsRecentWrites: true);
        var ds = Guid.NewGuid();
        using var indexes = Create(store);
        var index = await indexes.GetCurrentAsync(ds, Model, Dimensions, default);
        Assert.Equal(0, index.Count);

        for (var i = 0; i < burst; i++) store.Write(ds, Model, Guid.NewGuid(), Axis(i % Dimensions), T0.AddSeconds(1));
        _time.Now = T0.AddSeconds(2);
        await indexes.GetCurrentAsync(ds, Model, Dimensions, default);
        Assert.Equal(burst, index.Count);

        // Caught up: the next search starts after the last seq of the burst.
        _time.Now = T0.AddSeconds(3);
        await indexes.GetCurrentAsync(ds, Model, Dimensions, default);
        Assert.Equal(store.MaxSeq, store.Reads[^1].AfterSeq);
    }

    [Fact]
    public async Task Remove_takes_an_image_out_of_the_dataset_index_only()
    {
        var store = new FakeEmbeddingStore();
        var ds = Guid.NewGuid();
        var other = Guid.NewGuid();
        var gone = store.Write(ds, Model, Guid.NewGuid(), Axis(0), T0.AddMinutes(-1));
        var kept = store.Write(ds, Model, Guid.NewGuid(), Axis(1), T0.AddMinutes(-1));
        var elsewhere = store.Write(other, Model, Guid.NewGuid(), Axis(0), T0.AddMinutes(-1));
        using var indexes = Create(store);
        var index = await indexes.GetCurrentAsync(ds, Model, Dimensions, default);
        var otherIndex = await indexes.GetCurrentAsync(other, Model, Dimensions, default);

        // The image was deleted: its row went with it, and the search that met it takes it out.
        store.Delete(gone);
        indexes.Remove(ds, Model, gone);
        indexes.Remove(ds, "model-b", kept); // no index of that model: nothing to do
        indexes.Remove(Guid.NewGuid(), Model, kept);
        Assert.Equal(kept, Assert.Single(index.Search(Axis(0), 10)).Id);
        Assert.Equal(elsewhere, Assert.Single(otherIndex.Search(Axis(0), 10)).Id);

        _time.Now = T0.AddMinutes(1);
        Assert.Same(index, await indexes.GetCurrentAsync(ds, Model, Dimensions, default));
        Assert.Equal([kept], index.Search(Axis(0), 10).Select(m => m.Id));
    }

    [Fact]
    public async Task Forget_drops_every_index_of_the_dataset_and_the_next_search_reads_it_again()
    {
        var store = new FakeEmbeddingStore();
        var ds = Guid.NewGuid();
        var other = Guid.NewGuid();
        store.Write(ds, Model, Guid.NewGuid(), Axis(0), T0.AddMinutes(-1));
        store.Write(ds, "model-b", Guid.NewGuid(), Axis(0), T0.AddMinutes(-1));
        store.Write(other, Model, Guid.NewGuid(), Axis(0), T0.AddMinutes(-1));
        var indexes = Create(store);
        var a = await indexes.GetCurrentAsync(ds, Model, Dimensions, default);
        await indexes.GetCurrentAsync(ds, "model-b", Dimensions, default);
        var kept = await indexes.GetCurrentAsync(other, Model, Dimensions, default);

        indexes.Forget(ds);
        Assert.Equal([true, true, false], _created.Select(i => i.Disposed));
        indexes.Forget(Guid.NewGuid());

        var reads = store.Reads.Count;
        var again = await indexes.GetCurrentAsync(ds, Model, Dimensions, default);
        Assert.NotSame(a, again);
        Assert.Equal(1, again.Count);
        Assert.Equal(0, store.Reads[reads].AfterSeq);
        Assert.Same(kept, await indexes.GetCurrentAsync(other, Model, Dimensions, default));

        indexes.Dispose();
        Assert.All(_created, i => Assert.True(i.Disposed));
    }

    [Fact]
    public async Task An_index_unused_for_its_idle_lifetime_is_dropped_and_read_again_when_next_needed()
    {
        var store = new FakeEmbeddingStore();
        var quiet = Guid.NewGuid();
        var busy = Guid.NewGuid();
        store.Write(quiet, Model, Guid.NewGuid(), Axis(0), T0.AddMinutes(-1));
        store.Write(busy, Model, Guid.NewGuid(), Axis(1), T0.AddMinutes(-1));
        using var indexes = Create(store);
        var quietIndex = await indexes.GetCurrentAsync(quiet, Model, Dimensions, default);
        var busyIndex = await indexes.GetCurrentAsync(busy, Model, Dimensions, default);

        // Exactly the lifetime is not past it; any use keeps an index.
        _time.Now = T0 + DatasetIndexes.IdleLifetime;
        Assert.Same(busyIndex, await indexes.GetCurrentAsync(busy, Model, Dimensions, default));
        Assert.False(((TrackedIndex)quietIndex).Disposed);

        _time.Now = T0 + DatasetIndexes.IdleLifetime + TimeSpan.FromSeconds(1);
        Assert.Same(busyIndex, await indexes.GetCurrentAsync(busy, Model, Dimensions, default));
        Assert.True(((TrackedIndex)quietIndex).Disposed);
        Assert.False(((TrackedIndex)busyIndex).Disposed);

        var reads = store.Reads.Count;
        var reread = await indexes.GetCurrentAsync(quiet, Model, Dimensions, default);
        Assert.NotSame(quietIndex, reread);
        Assert.Equal(1, reread.Count);
        Assert.Equal(new Read(quiet, Model, 0, _time.Now, ReadBatch), store.Reads[reads]);
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed record Read(Guid Dataset, string Model, long AfterSeq, DateTimeOffset WrittenSince, int Limit);

    /// <summary>
    /// The catalog's embeddings in memory, read as <see cref="IEmbeddingStore.ReadChangesAsync"/> says: after a seq and, with
    /// <paramref name="rereadsRecentWrites"/> (as on a shared database), also every row written since the time given.
    /// </summary>
    private sealed class FakeEmbeddingStore(bool rereadsRecentWrites = false) : IEmbeddingStore
    {
        private readonly Dictionary<Guid, StoredEmbedding> _rows = [];
        private long _seq;

        public List<Read> Reads { get; } = [];

        public long MaxSeq => _seq;

        public long SeqOf(Guid imageId) => _rows[imageId].Seq;

        public Guid Write(Guid datasetId, string model, Guid imageId, float[] vector, DateTimeOffset at)
        {
            _rows[imageId] = new StoredEmbedding(imageId, datasetId, model, EmbeddingVectors.ToBytes(vector), ++_seq, at);
            return imageId;
        }

        public void Delete(Guid imageId) => _rows.Remove(imageId);

        public Task<IReadOnlyList<StoredEmbedding>> ReadChangesAsync(
            Guid datasetId, string model, long afterSeq, DateTimeOffset writtenSince, int limit, CancellationToken ct = default)
        {
            Reads.Add(new Read(datasetId, model, afterSeq, writtenSince, limit));
            IReadOnlyList<StoredEmbedding> rows = _rows.Values
                .Where(r => r.DatasetId == datasetId && r.Model == model && (r.Seq > afterSeq || (rereadsRecentWrites && r.WrittenAt >= writtenSince)))
                .OrderBy(r => r.Seq).Take(limit).ToList();
            return Task.FromResult(rows);
        }

        public Task<StoredEmbedding?> GetAsync(Guid orgId, Guid imageId, CancellationToken ct = default) =>
            throw new NotSupportedException("DatasetIndexes only reads changes.");

        public Task<bool> PutAsync(Guid imageId, string model, byte[] vector, DateTimeOffset now, CancellationToken ct = default) =>
            throw new NotSupportedException("DatasetIndexes only reads changes.");

        public Task<IReadOnlyList<EmbeddingCandidate>> ListMissingAsync(
            Guid datasetId, string model, Guid? afterId, int limit, CancellationToken ct = default) =>
            throw new NotSupportedException("DatasetIndexes only reads changes.");

        public Task<long> CountMissingAsync(Guid datasetId, string model, CancellationToken ct = default) =>
            throw new NotSupportedException("DatasetIndexes only reads changes.");
    }

    /// <summary>An index that remembers being disposed (DatasetIndexes disposes what it drops).</summary>
    private sealed class TrackedIndex(IVectorIndex inner) : IVectorIndex
    {
        public bool Disposed { get; private set; }

        public int Dimensions => inner.Dimensions;

        public int Count => inner.Count;

        public long MemoryBytes => inner.MemoryBytes;

        public void Add(Guid id, ReadOnlySpan<float> vector) => inner.Add(id, vector);

        public bool Remove(Guid id) => inner.Remove(id);

        public IReadOnlyList<VectorMatch> Search(ReadOnlySpan<float> query, int count, Func<Guid, bool>? accept = null) =>
            inner.Search(query, count, accept);

        public void Dispose()
        {
            Disposed = true;
            inner.Dispose();
        }
    }
}
