using System.Globalization;
using System.Text;

namespace Iris.Bench.VectorIndex;

/// <summary>
/// Writes the "Image-to-image search: vector index" section of docs/benchmarks.md between its two marker comments,
/// leaving the rest of the file as it is (the section is added at the end when the markers are missing).
/// </summary>
public static class Report
{
    private const string Begin = "<!-- vector-index: begin (written by bench/vector-index.sh; edit bench/Iris.Bench.VectorIndex, not this section) -->";
    private const string End = "<!-- vector-index: end -->";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Write(Results results, string path)
    {
        MarkedSection.Write(path, Begin, End, Render(results));
    }

    public static string Render(Results r)
    {
        var o = r.Options;
        var d = r.Defaults;
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        Line("## Image-to-image search: vector index");
        Line();
        // InvariantGlobalization (Directory.Build.props) makes plain interpolation culture-invariant here.
        Line($"`bench/vector-index.sh` ({r.Cores} cores, one run; every figure below comes from it). {o.Queries:N0} held-out queries per dataset, "
            + $"512-dimension L2-normalised float32 vectors, top 10, one thread for every latency (one connection). HNSW is USearch "
            + $"(`Cloud.Unum.USearch`, cosine) with M = {d.Connectivity}, ef_add = {d.ExpansionAdd}, ef_search = {d.ExpansionSearch} "
            + $"unless a row says otherwise, vectors stored as {d.Quantization}, built on {r.Cores} threads. Recall@10 is against exact "
            + "float32 search over the same vectors.");
        Line();
        Line("Two kinds of data: **clustered** (a mixture of " + o.Clusters.ToString("N0", Inv) + " Gaussian clusters in a 32-dimension latent "
             + "space mapped to 512 by a fixed random matrix, plus isotropic noise, rectified like ReLU-pooled features and normalised: "
             + "closer to ResNet-18 embeddings) and **gaussian** (uniform random directions: the hardest case for any graph index "
             + "and unlike real features, where the nearest neighbours are barely nearer than anything else).");
        Line();
        Line("### Goals");
        Line();
        foreach (var goal in r.GoalLines())
            Line("- " + goal);
        Line();
        foreach (var size in o.Sizes)
        {
            Line(string.Create(Inv, $"### {size:N0} vectors"));
            Line();
            Line("| data | index | ef | build | memory per vector (own accounting) | resident growth per vector | p50 | p99 | recall@10 |");
            Line("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var run in r.Runs.Where(x => x.Size == size))
                Line(string.Create(Inv, $"| {run.Kind} | {run.Index} | {(run.Ef > 0 ? run.Ef.ToString(Inv) : "–")} | {run.BuildSeconds:0.0} s | "
                    + $"{run.OwnBytesPerVector:N0} B | {run.RssBytesPerVector:N0} B | {run.P50:0.000} ms | {run.P99:0.000} ms | "
                    + $"{run.Recall:0.0000}{(run.Index.StartsWith("exact", StringComparison.Ordinal) ? $" ({run.Queries} timed queries)" : "")} |"));
            Line();
        }
        if (r.Quantised.Count > 0)
        {
            Line(string.Create(Inv, $"### Storing the exact index's vectors in fewer bits ({r.Quantised[0].Size:N0} vectors, 200 queries)"));
            Line();
            Line("| data | storage | bytes per vector | recall@10 against float32 |");
            Line("| --- | --- | --- | --- |");
            foreach (var q in r.Quantised)
                Line(string.Create(Inv, $"| {q.Kind} | {q.Storage} | {q.BytesPerVector:N0} | {q.Recall:0.0000} |"));
            Line("| (any) | float32 | 2,048 | 1 |");
            Line();
        }
        if (r.Curve.Count > 0)
        {
            Line("### Where the graph starts to pay (200 queries per size, one thread)");
            Line();
            Line("| data | vectors | exact p50 | exact p99 | HNSW p50 | HNSW p99 | HNSW recall@10 | HNSW build |");
            Line("| --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var c in r.Curve)
                Line(string.Create(Inv, $"| {c.Kind} | {c.Size:N0} | {c.ExactP50:0.000} ms | {c.ExactP99:0.000} ms | {c.HnswP50:0.000} ms | "
                    + $"{c.HnswP99:0.000} ms | {c.Recall:0.000} | {c.HnswBuildSeconds:0.0} s |"));
            Line();
        }
        Line("How it is measured: memory per vector \"own accounting\" is the index's `MemoryBytes` (USearch's `memory_usage` plus the "
             + "key table for HNSW; blocks, id list and table for exact) divided by the count; resident growth is VmRSS after the build "
             + "minus before it, both after a full compacting collection. Exact latency is `ExactVectorIndex.Search` on the first timed "
             + "queries; the ground truth for recall is a separate blocked float32 scan on every core.");
        Line();
        Line($"Command: `bench/vector-index.sh` (defaults: `--sizes {string.Join(',', o.Sizes)} --queries {o.Queries} "
            + $"--kinds {string.Join(',', o.Kinds)} --gaussian-max {o.GaussianMax} --ef {string.Join(',', o.Ef)} --curve {string.Join(',', o.Curve)} --study {o.Study}`); "
            + "about 40 minutes on 2 cores, peak resident about 6 GB.");
        Line();
        return md.ToString();
    }
}
