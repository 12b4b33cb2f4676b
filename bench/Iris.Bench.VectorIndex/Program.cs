using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using Iris.Bench.VectorIndex;
using Iris.Search;

// The vector index benchmark of docs/benchmarks.md ("Image-to-image search: vector index"). bench/vector-index.sh
// builds and runs it. Options (defaults in brackets):
//   --sizes 100000,1000000   dataset sizes measured in full          --queries 1000   queries (held out, same distribution)
//   --kinds clustered,gaussian                                        --clusters 2000  clusters of the clustered data
//   --ef 64,128,256          HNSW search expansions measured          --exact-timed 200  exact searches timed per size
//   --curve 1000,2000,5000,10000,20000,50000  sizes for the exact/HNSW crossover (200 queries each)
//   --study 100000           size of the quantisation study (0: none) --report docs/benchmarks.md (none: print only)
//   --gaussian-max 0         largest size measured on the gaussian data (0: all sizes)
var options = Options.Parse(args);
var inv = CultureInfo.InvariantCulture;
var log = (string message) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
const int dimensions = 512, k = 10;
var defaults = new HnswSettings();
var results = new Results(options, defaults, Environment.ProcessorCount);
log($"{Environment.ProcessorCount} cores; USearch {Cloud.Unum.USearch.USearchCapabilities.Version()} "
    + $"({Cloud.Unum.USearch.USearchCapabilities.HardwareAccelerationAvailable()}); HNSW M={defaults.Connectivity}, "
    + $"ef_add={defaults.ExpansionAdd}, ef_search={defaults.ExpansionSearch}, {defaults.Quantization}");

foreach (var kind in options.Kinds)
{
    var largest = Math.Max(options.Sizes.Max(), options.Curve.DefaultIfEmpty(0).Max());
    var watch = Stopwatch.StartNew();
    var data = VectorData.Generate(kind, largest, dimensions, options.Clusters, seed: 7);
    var queryData = VectorData.Generate(kind, options.Queries, dimensions, options.Clusters, seed: 7, firstRow: largest);
    var queries = Enumerable.Range(0, queryData.Count).Select(queryData.RowArray).ToArray();
    log($"{kind}: {largest:N0} vectors and {queries.Length} queries generated in {watch.Elapsed.TotalSeconds:0.0} s");

    // The crossover: exact against the graph at small sizes, one thread, the first 200 queries.
    var curveQueries = queries.Take(200).ToArray();
    foreach (var n in options.Curve)
    {
        var truth = GroundTruth.Compute(data, n, curveQueries, k);
        var exact = BuildExact(data, n);
        var exactMs = Measure.Latencies(curveQueries, (_, q) => exact.Search(q, k));
        using var graph = BuildGraph(data, n, defaults, out var buildSeconds);
        graph.Search(curveQueries[0], k);
        var found = new List<int>[curveQueries.Length];
        var graphMs = Measure.Latencies(curveQueries, (i, q) => found[i] = Rows(graph.Search(q, k)));
        var point = new CurvePoint(kind, n, Measure.Percentile(exactMs, 50), Measure.Percentile(exactMs, 99),
            Measure.Percentile(graphMs, 50), Measure.Percentile(graphMs, 99), GroundTruth.Recall(truth, found), buildSeconds);
        results.Curve.Add(point);
        log($"{kind} curve {n:N0}: exact p50 {point.ExactP50:0.000} p99 {point.ExactP99:0.000} ms; HNSW p50 {point.HnswP50:0.000} "
            + $"p99 {point.HnswP99:0.000} ms, recall@10 {point.Recall:0.000}, built in {buildSeconds:0.0} s");
    }

    foreach (var n in options.Sizes.Where(s => kind != "gaussian" || options.GaussianMax == 0 || s <= options.GaussianMax))
    {
        watch.Restart();
        var truth = GroundTruth.Compute(data, n, queries, k);
        log($"{kind} {n:N0}: ground truth of {queries.Length} queries in {watch.Elapsed.TotalSeconds:0.0} s (blocked scan, every core)");

        if (n == options.Study)
            results.Quantised.AddRange(QuantisedExact(kind, data, n, queries[..200], truth[..200]));

        // At the study size, also int8 storage and USearch's own ef_add of 128, next to the defaults.
        foreach (var settings in n == options.Study
                     ? new[] { defaults, defaults with { Quantization = VectorQuantization.Int8 }, defaults with { ExpansionAdd = 128 } }
                     : [defaults])
        {
            var quantization = settings.Quantization;
            var graphRssBefore = Measure.ResidentBytes();
            using var graph = BuildGraph(data, n, settings, out var buildSeconds);
            var graphRss = Measure.ResidentBytes() - graphRssBefore;
            foreach (var ef in settings == defaults ? options.Ef : [defaults.ExpansionSearch])
            {
                graph.ExpansionSearch = ef;
                foreach (var q in queries.Take(50))
                    graph.Search(q, k); // warm-up
                var found = new List<int>[queries.Length];
                var ms = Measure.Latencies(queries, (i, q) => found[i] = Rows(graph.Search(q, k)));
                var name = settings.ExpansionAdd == defaults.ExpansionAdd ? $"HNSW ({quantization})" : $"HNSW ({quantization}, ef_add {settings.ExpansionAdd})";
                var run = new IndexRun(kind, n, name, ef, buildSeconds, graphRss / (double)n,
                    graph.MemoryBytes / (double)n, Measure.Percentile(ms, 50), Measure.Percentile(ms, 99),
                    GroundTruth.Recall(truth, found), queries.Length);
                results.Runs.Add(run);
                log($"{kind} {n:N0}: {run}");
            }
        }
        // Exact, after the graphs are disposed (both at 1,000,000 would hold 3 GB more).
        var rssBefore = Measure.ResidentBytes();
        watch.Restart();
        var exact = BuildExact(data, n);
        var exactBuild = watch.Elapsed.TotalSeconds;
        var exactRss = Measure.ResidentBytes() - rssBefore;
        var timed = queries.Take(options.ExactTimed).ToArray();
        var exactFound = new List<int>[timed.Length];
        var exactMs = Measure.Latencies(timed, (i, q) => exactFound[i] = Rows(exact.Search(q, k)));
        var exactRecall = GroundTruth.Recall(truth[..timed.Length], exactFound);
        var exactRun = new IndexRun(kind, n, "exact (float32)", 0, exactBuild, exactRss / (double)n, exact.MemoryBytes / (double)n,
            Measure.Percentile(exactMs, 50), Measure.Percentile(exactMs, 99), exactRecall, timed.Length);
        results.Runs.Add(exactRun);
        log($"{kind} {n:N0}: {exactRun}");
        exact.Dispose();

        // Written after each size, so a run cut short still leaves what it measured.
        if (options.Report is { } partial)
            Report.Write(results, partial);
    }
}

results.PrintGoals(log);
if (options.Report is { } report)
{
    Report.Write(results, report);
    log($"wrote the section of {report}");
}
return 0;

ExactVectorIndex BuildExact(VectorData data, int n)
{
    var index = new ExactVectorIndex(data.Dimensions);
    for (var i = 0; i < n; i++)
        index.Add(VectorData.IdOf(i), data.Row(i));
    return index;
}

HnswVectorIndex BuildGraph(VectorData data, int n, HnswSettings settings, out double seconds)
{
    var watch = Stopwatch.StartNew();
    var index = new HnswVectorIndex(data.Dimensions, settings);
    index.Reserve(n);
    Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
        i => index.Add(VectorData.IdOf(i), data.Row(i)));
    seconds = watch.Elapsed.TotalSeconds;
    return index;
}

static List<int> Rows(IReadOnlyList<VectorMatch> matches) => matches.Select(m => m.Id.ToByteArray() is var b ? BitConverter.ToInt32(b, 0) : 0).ToList();

// Exact search over vectors stored as float16 or int8 (scaled per vector to ±127), scored after widening back to
// float32: how much recall each storage would cost the exact index.
IEnumerable<QuantisedRun> QuantisedExact(string kind, VectorData data, int n, float[][] queries, int[][] truth)
{
    var halves = new Half[(long)n * dimensions];
    var bytes = new sbyte[(long)n * dimensions];
    var scales = new float[n];
    Parallel.For(0, n, i =>
    {
        var row = data.Row(i);
        TensorPrimitives.ConvertToHalf(row, halves.AsSpan(i * dimensions, dimensions));
        var scale = TensorPrimitives.MaxMagnitude(row) / 127f;
        scales[i] = scale;
        var target = bytes.AsSpan(i * dimensions, dimensions);
        for (var j = 0; j < dimensions; j++)
            target[j] = (sbyte)Math.Round(row[j] / scale);
    });
    foreach (var (storage, bytesPerVector) in new[] { ("float16", 2 * dimensions), ("int8", dimensions + 4) })
    {
        var found = new List<int>[queries.Length];
        Parallel.For(0, queries.Length, q =>
        {
            var heap = new PriorityQueue<int, float>(k + 1);
            Span<float> widened = stackalloc float[dimensions];
            for (var i = 0; i < n; i++)
            {
                if (storage == "float16")
                {
                    TensorPrimitives.ConvertToSingle(halves.AsSpan(i * dimensions, dimensions), widened);
                }
                else
                {
                    var source = bytes.AsSpan(i * dimensions, dimensions);
                    for (var j = 0; j < dimensions; j++)
                        widened[j] = source[j] * scales[i];
                }
                var score = TensorPrimitives.Dot(queries[q], widened);
                if (heap.Count < k)
                    heap.Enqueue(i, score);
                else if (heap.TryPeek(out _, out var worst) && score > worst)
                    heap.EnqueueDequeue(i, score);
            }
            found[q] = heap.UnorderedItems.Select(e => e.Element).ToList();
        });
        var run = new QuantisedRun(kind, n, storage, bytesPerVector, GroundTruth.Recall(truth, found));
        log($"{kind} {n:N0}: exact over {storage}: recall@10 {run.Recall:0.0000} against float32, {bytesPerVector} B per vector");
        yield return run;
    }
}
