using System.Diagnostics;
using System.Globalization;

namespace Iris.Bench.VectorIndex;

/// <summary>Latency percentiles and the process's resident memory.</summary>
public static class Measure
{
    /// <summary>Resident set size (VmRSS) after a full, compacting collection, so only live memory counts.</summary>
    public static long ResidentBytes()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var pages = long.Parse(File.ReadAllText("/proc/self/statm").Split(' ')[1], CultureInfo.InvariantCulture);
        return pages * Environment.SystemPageSize;
    }

    /// <summary>Runs each query once, one after the other on this thread, and returns each one's milliseconds.</summary>
    public static double[] Latencies<T>(IReadOnlyList<T> queries, Action<int, T> run)
    {
        var ms = new double[queries.Count];
        for (var i = 0; i < queries.Count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            run(i, queries[i]);
            ms[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return ms;
    }

    public static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
