using System.Numerics.Tensors;

namespace Iris.Bench.VectorIndex;

/// <summary>
/// The true 10 nearest rows of each query among the first <c>n</c> rows, by a blocked float32 scan on every core (a
/// block of rows stays in cache while all of a thread's queries pass over it): the reference recall is measured against.
/// </summary>
public static class GroundTruth
{
    public static int[][] Compute(VectorData data, int n, float[][] queries, int k)
    {
        const int block = 512;
        var result = new int[queries.Length][];
        var threads = Environment.ProcessorCount;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var mine = Enumerable.Range(0, queries.Length).Where(q => q % threads == t).ToArray();
            var heaps = mine.Select(_ => new PriorityQueue<int, float>(k + 1)).ToArray();
            for (var start = 0; start < n; start += block)
            {
                var end = Math.Min(n, start + block);
                for (var m = 0; m < mine.Length; m++)
                {
                    var query = queries[mine[m]];
                    var heap = heaps[m];
                    for (var row = start; row < end; row++)
                    {
                        var score = TensorPrimitives.Dot(query, data.Row(row));
                        if (heap.Count < k)
                            heap.Enqueue(row, score);
                        else if (heap.TryPeek(out _, out var worst) && score > worst)
                            heap.EnqueueDequeue(row, score);
                    }
                }
            }
            for (var m = 0; m < mine.Length; m++)
                result[mine[m]] = heaps[m].UnorderedItems.Select(e => e.Element).ToArray();
        });
        return result;
    }

    public static double Recall(int[][] truth, IReadOnlyList<IReadOnlyList<int>> found)
    {
        long hits = 0, total = 0;
        for (var q = 0; q < truth.Length; q++)
        {
            var expected = truth[q].ToHashSet();
            hits += found[q].Count(expected.Contains);
            total += expected.Count;
        }
        return (double)hits / total;
    }
}
