using System.Collections.Concurrent;
using System.Numerics.Tensors;
using Iris.Search;

namespace Iris.Core.Tests;

public sealed class VectorIndexTests
{
    private const int Dimensions = 512;

    public static TheoryData<string> Kinds => new() { "exact", "hnsw", "adaptive" };

    private static IVectorIndex Create(string kind, int dimensions = Dimensions) => kind switch
    {
        "exact" => new ExactVectorIndex(dimensions),
        "hnsw" => new HnswVectorIndex(dimensions),
        // A low limit, so the tests cross it.
        _ => new AdaptiveVectorIndex(dimensions, exactLimit: 200),
    };

    private static float[] RandomUnit(Random random, int dimensions = Dimensions)
    {
        var vector = new float[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            // Box–Muller: Gaussian components make directions uniform on the sphere.
            var u = 1 - random.NextDouble();
            vector[i] = (float)(Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }
        TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
        return vector;
    }

    private static List<(Guid Id, float[] Vector)> RandomSet(int count, int seed, int dimensions = Dimensions)
    {
        var random = new Random(seed);
        var bytes = new byte[16];
        var set = new List<(Guid, float[])>(count);
        for (var i = 0; i < count; i++)
        {
            random.NextBytes(bytes);
            set.Add((new Guid(bytes), RandomUnit(random, dimensions)));
        }
        return set;
    }

    /// <summary>
    /// Closer to real embeddings than uniform directions: clusters in a 32-dimension latent space, mapped to 512 by a
    /// fixed random matrix, with noise, rectified (non-negative like ReLU-pooled features) and normalised.
    /// </summary>
    private static List<(Guid Id, float[] Vector)> ClusteredSet(int count, int clusters, int seed)
    {
        const int latent = 32;
        var random = new Random(seed);
        var basis = Enumerable.Range(0, latent).Select(_ => RandomUnit(random)).ToArray();
        var centers = Enumerable.Range(0, clusters).Select(_ => RandomUnit(random, latent)).ToArray();
        var bytes = new byte[16];
        var set = new List<(Guid, float[])>(count);
        for (var i = 0; i < count; i++)
        {
            var center = centers[random.Next(clusters)];
            var noise = RandomUnit(random, latent);
            var vector = RandomUnit(random);
            TensorPrimitives.Multiply(vector, 0.25f, vector);
            for (var j = 0; j < latent; j++)
                TensorPrimitives.MultiplyAdd(basis[j], 4 * center[j] + 1.5f * noise[j], vector, vector);
            TensorPrimitives.Max(vector, 0f, vector);
            TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
            random.NextBytes(bytes);
            set.Add((new Guid(bytes), vector));
        }
        return set;
    }

    /// <summary>Every vector scored, sorted by score then id, the first <paramref name="count"/> taken.</summary>
    private static List<VectorMatch> Naive(IEnumerable<(Guid Id, float[] Vector)> set, float[] query, int count,
        Func<Guid, bool>? accept = null) =>
        set.Where(p => accept is null || accept(p.Id))
            .Select(p => new VectorMatch(p.Id, TensorPrimitives.Dot(query, p.Vector)))
            .OrderByDescending(m => m.Score).ThenBy(m => m.Id)
            .Take(count).ToList();

    private static void AddAll(IVectorIndex index, IEnumerable<(Guid Id, float[] Vector)> set)
    {
        foreach (var (id, vector) in set)
            index.Add(id, vector);
    }

    [Fact]
    public void ExactAgreesWithTheNaiveReference()
    {
        var set = RandomSet(3000, seed: 1);
        using var index = new ExactVectorIndex(Dimensions);
        AddAll(index, set);
        var random = new Random(2);
        for (var q = 0; q < 25; q++)
        {
            var query = RandomUnit(random);
            var expected = Naive(set, query, 10);
            var actual = index.Search(query, 10);
            Assert.Equal(expected.Select(m => m.Id), actual.Select(m => m.Id));
            Assert.Equal(expected.Select(m => m.Score), actual.Select(m => m.Score));
        }
    }

    [Fact]
    public void HnswRecallAtTenIsAtLeast95PercentOn20000ClusteredVectors()
    {
        var drawn = ClusteredSet(20_100, clusters: 200, seed: 3);
        var set = drawn.Take(20_000).ToList();
        var queries = drawn.Skip(20_000).Select(p => p.Vector).ToList(); // held out, from the same clusters
        using var index = new HnswVectorIndex(Dimensions);
        index.Reserve(set.Count);
        Parallel.ForEach(set, pair => index.Add(pair.Id, pair.Vector));
        Assert.Equal(set.Count, index.Count);
        int hits = 0, total = 0;
        foreach (var query in queries)
        {
            var expected = Naive(set, query, 10).Select(m => m.Id).ToHashSet();
            var actual = index.Search(query, 10);
            Assert.Equal(10, actual.Count);
            hits += actual.Count(m => expected.Contains(m.Id));
            total += expected.Count;
        }
        var recall = (double)hits / total;
        Assert.True(recall >= 0.95, $"recall@10 {recall:0.000}");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EachStoredVectorIsFoundFirst(string kind)
    {
        var set = RandomSet(1000, seed: 5);
        using var index = Create(kind);
        AddAll(index, set);
        var first = 0;
        foreach (var (id, vector) in set.Take(200))
        {
            var top = Assert.Single(index.Search(vector, 1));
            if (top.Id == id)
            {
                first++;
                Assert.Equal(1f, top.Score, 0.01f);
            }
        }
        // A graph walk may miss even a vector's own node now and then on uniform random data; the scan never does.
        Assert.True(kind == "exact" ? first == 200 : first >= 196, $"{first} of 200 found first");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void AddReplacesTheVectorOfAnIdThatIsPresent(string kind)
    {
        var set = RandomSet(500, seed: 6);
        using var index = Create(kind);
        AddAll(index, set);
        var (id, before) = set[123];
        var after = RandomUnit(new Random(7));
        index.Add(id, after);

        Assert.Equal(set.Count, index.Count);
        var top = index.Search(after, 1);
        Assert.Equal(id, top[0].Id);
        Assert.Equal(1f, top[0].Score, 0.01f);
        // The old vector is gone: searching for it no longer finds the id with a perfect score.
        Assert.DoesNotContain(index.Search(before, 5), m => m.Id == id && m.Score > 0.99f);
        Assert.Single(index.Search(after, 500), m => m.Id == id);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void RemoveRemovesAndTheOthersStayFindable(string kind)
    {
        var set = RandomSet(600, seed: 8);
        using var index = Create(kind);
        AddAll(index, set);
        var removed = set.Where((_, i) => i % 3 == 0).Select(p => p.Id).ToHashSet();
        foreach (var id in removed)
            Assert.True(index.Remove(id));
        Assert.False(index.Remove(set[0].Id));
        Assert.False(index.Remove(Guid.NewGuid()));
        Assert.Equal(set.Count - removed.Count, index.Count);

        var foundFirst = 0;
        foreach (var (id, vector) in set)
        {
            var top = index.Search(vector, 10);
            Assert.DoesNotContain(top, m => removed.Contains(m.Id));
            if (!removed.Contains(id) && top[0].Id == id) foundFirst++;
        }
        // The scan finds every kept vector first; a graph walk on uniform random data may miss its own node now and then.
        var kept = set.Count - removed.Count;
        if (kind == "exact") Assert.Equal(kept, foundFirst);
        else Assert.True(foundFirst >= kept * 0.97, $"{foundFirst} of {kept} kept vectors found first");
        // Asking for more than there are returns every kept vector, on every kind (the graph falls back to a scan).
        var all = index.Search(set[1].Vector, 10_000);
        Assert.Equal(set.Count - removed.Count, all.Count);
        Assert.Equal(all.Count, all.Select(m => m.Id).Distinct().Count());
    }

    [Fact]
    public void ExactRemoveMovesTheLastVectorIntoTheFreedRow()
    {
        var set = RandomSet(2500, seed: 9); // more than two blocks
        using var index = new ExactVectorIndex(Dimensions);
        AddAll(index, set);
        var kept = set.ToList();
        foreach (var i in new[] { 0, 1023, 1024, 1500, 2499 })
            Assert.True(index.Remove(set[i].Id));
        kept.RemoveAll(p => new[] { 0, 1023, 1024, 1500, 2499 }.Select(i => set[i].Id).Contains(p.Id));
        var query = RandomUnit(new Random(10));
        Assert.Equal(Naive(kept, query, kept.Count), index.Search(query, kept.Count));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TheFilterIsAppliedAndASelectiveOneStillFindsItsMatch(string kind)
    {
        // Clustered like real features: on uniform random directions a graph's recall is low whatever the filter.
        var set = ClusteredSet(10_000, clusters: 100, seed: 11);
        using var index = Create(kind);
        if (index is HnswVectorIndex hnsw)
            hnsw.Reserve(set.Count);
        Parallel.ForEach(set, pair => index.Add(pair.Id, pair.Vector));
        var query = set[1234].Vector;

        var even = (Guid id) => id.ToByteArray()[0] % 2 == 0;
        var filtered = index.Search(query, 10, even);
        Assert.Equal(10, filtered.Count);
        Assert.All(filtered, m => Assert.True(even(m.Id)));
        var expected = Naive(set, query, 10, even).Select(m => m.Id).ToHashSet();
        Assert.True(filtered.Count(m => expected.Contains(m.Id)) >= 8);

        // One in 10,000 accepted: the graph walk alone would not find it.
        var only = set[4321].Id;
        var one = index.Search(query, 10, id => id == only);
        Assert.Equal(only, Assert.Single(one).Id);
        Assert.Equal(TensorPrimitives.Dot(query, set[4321].Vector), one[0].Score, 0.01f);

        Assert.Empty(index.Search(query, 10, _ => false));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TiesAreBrokenByIdWhateverTheInsertionOrder(string kind)
    {
        var shared = RandomUnit(new Random(13));
        var ids = Enumerable.Range(0, 12).Select(i => new Guid(i, 0, 0, new byte[8])).ToList();
        var others = RandomSet(300, seed: 14);
        foreach (var order in new[] { ids, ids.AsEnumerable().Reverse().ToList() })
        {
            using var index = Create(kind);
            AddAll(index, others);
            foreach (var id in order)
                index.Add(id, shared);
            var top = index.Search(shared, 5);
            Assert.Equal(ids.Take(5), top.Select(m => m.Id));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void AnEmptyIndexAndCountsLargerThanTheIndexAnswerWhatThereIs(string kind)
    {
        using var index = Create(kind);
        var query = RandomUnit(new Random(15));
        Assert.Empty(index.Search(query, 10));
        Assert.Equal(0, index.Count);

        var set = RandomSet(50, seed: 16);
        AddAll(index, set);
        Assert.Empty(index.Search(query, 0));
        var all = index.Search(query, 1000);
        Assert.Equal(Naive(set, query, 1000).Select(m => m.Id), all.Select(m => m.Id));
        Assert.True(index.MemoryBytes > 50L * Dimensions);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void BadVectorsAndCountsAreRefused(string kind)
    {
        using var index = Create(kind, dimensions: 8);
        Assert.Throws<ArgumentException>(() => index.Add(Guid.NewGuid(), new float[7]));
        var nan = new float[8];
        nan[3] = float.NaN;
        Assert.Throws<ArgumentException>(() => index.Add(Guid.NewGuid(), nan));
        Assert.Throws<ArgumentException>(() => index.Search(new float[9], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search(new float[8], -1));
        Assert.Equal(0, index.Count);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void AFilterThatThrowsFailsTheSearchNotTheProcess(string kind)
    {
        using var index = Create(kind);
        AddAll(index, RandomSet(300, seed: 17));
        Assert.Throws<InvalidOperationException>(() =>
            index.Search(RandomUnit(new Random(18)), 10, _ => throw new InvalidOperationException("filter")));
        Assert.Equal(10, index.Search(RandomUnit(new Random(18)), 10).Count);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task ConcurrentSearchesWhileAddingAndRemovingNeverSeeRemovedIds(string kind)
    {
        var initial = RandomSet(1500, seed: 19);
        var incoming = RandomSet(1500, seed: 20);
        using var index = Create(kind);
        AddAll(index, initial);
        var removed = new ConcurrentDictionary<Guid, bool>();
        using var done = new CancellationTokenSource();

        var writer = Task.Run(() =>
        {
            try
            {
                for (var i = 0; i < incoming.Count; i++)
                {
                    index.Add(incoming[i].Id, incoming[i].Vector);
                    if (i % 2 == 0 && index.Remove(initial[i].Id))
                        removed[initial[i].Id] = true;
                }
            }
            finally
            {
                done.Cancel();
            }
        });
        var readers = Enumerable.Range(0, 3).Select(r => Task.Run(() =>
        {
            var random = new Random(21 + r);
            var searches = 0;
            while (!done.IsCancellationRequested || searches < 20)
            {
                var before = removed.Keys.ToHashSet();
                var query = initial[random.Next(initial.Count)].Vector;
                var accept = r == 2 ? (Func<Guid, bool>)(id => id.ToByteArray()[1] < 128) : null;
                var top = index.Search(query, 20, accept);
                Assert.DoesNotContain(top, m => before.Contains(m.Id));
                Assert.Equal(top.Count, top.Select(m => m.Id).Distinct().Count());
                searches++;
            }
            return searches;
        })).ToList();
        await writer;
        var counts = await Task.WhenAll(readers);
        Assert.All(counts, c => Assert.True(c >= 20));
        Assert.Equal(initial.Count + incoming.Count - removed.Count, index.Count);
    }

    [Fact]
    public void AdaptiveSwitchesToTheGraphPastItsLimitAndBuildsFromAStream()
    {
        // Clustered, as the other graph tests: uniform random directions are the hardest case, with no structure for
        // the graph to follow.
        var set = ClusteredSet(1200, clusters: 24, seed: 22);
        using var growing = new AdaptiveVectorIndex(Dimensions, exactLimit: 1000);
        AddAll(growing, set.Take(1000));
        Assert.False(growing.IsApproximate);
        AddAll(growing, set.Skip(1000));
        Assert.True(growing.IsApproximate);
        Assert.Equal(set.Count, growing.Count);

        using var built = AdaptiveVectorIndex.Build(Dimensions, set.Select(p => p), exactLimit: 1000);
        Assert.True(built.IsApproximate);
        Assert.Equal(set.Count, built.Count);
        using var small = AdaptiveVectorIndex.Build(Dimensions, set.Take(999), exactLimit: 1000);
        Assert.False(small.IsApproximate);

        // A graph is approximate, and one built by parallel adds differs from run to run: a vector's own k=1 search
        // missed it about once in five runs of this test on 24 samples. So recall of itself over many samples, not
        // every one; a broken switch or build (vectors lost, the wrong index searched) finds few or none.
        var samples = set.Where((_, i) => i % 5 == 0).ToList();
        foreach (var index in new[] { growing, built })
        {
            var found = samples.Count(p => index.Search(p.Vector, 1)[0].Id == p.Id);
            Assert.True(found >= 0.97 * samples.Count, $"{found} of {samples.Count} vectors found themselves");
        }
    }
}
