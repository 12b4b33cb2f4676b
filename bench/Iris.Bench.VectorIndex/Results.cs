using System.Globalization;
using Iris.Search;

namespace Iris.Bench.VectorIndex;

public sealed record CurvePoint(string Kind, int Size, double ExactP50, double ExactP99, double HnswP50, double HnswP99,
    double Recall, double HnswBuildSeconds);

public sealed record IndexRun(string Kind, int Size, string Index, int Ef, double BuildSeconds, double RssBytesPerVector,
    double OwnBytesPerVector, double P50, double P99, double Recall, int Queries)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Index}{(Ef > 0 ? $" ef={Ef}" : "")}: built in {BuildSeconds:0.0} s, {OwnBytesPerVector:0} B/vector (own), "
        + $"{RssBytesPerVector:0} B/vector (RSS growth), p50 {P50:0.000} ms, p99 {P99:0.000} ms, recall@10 {Recall:0.0000} ({Queries} queries)");
}

public sealed record QuantisedRun(string Kind, int Size, string Storage, int BytesPerVector, double Recall);

public sealed class Results(Options options, HnswSettings defaults, int cores)
{
    public const double RecallGoal = 0.95, P99GoalMs = 20;

    public Options Options { get; } = options;

    public HnswSettings Defaults { get; } = defaults;

    public int Cores { get; } = cores;

    public List<CurvePoint> Curve { get; } = [];

    public List<IndexRun> Runs { get; } = [];

    public List<QuantisedRun> Quantised { get; } = [];

    /// <summary>The run the goals are judged on: the largest size, the default settings.</summary>
    public IEnumerable<IndexRun> GoalRuns => Runs.Where(r => r.Size == Options.Sizes.Max() && r.Ef == Defaults.ExpansionSearch
                                                              && r.Index == $"HNSW ({Defaults.Quantization})");

    public IEnumerable<string> GoalLines()
    {
        foreach (var run in GoalRuns)
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{run.Kind}, {run.Size:N0} vectors: recall@10 ≥ {RecallGoal} — {run.Recall:0.000}: {(run.Recall >= RecallGoal ? "**met**" : "**not met**")}; "
                + $"search p99 < {P99GoalMs} ms at one connection — {run.P99:0.00} ms: {(run.P99 < P99GoalMs ? "**met**" : "**not met**")}");
        }
    }

    public void PrintGoals(Action<string> log)
    {
        foreach (var line in GoalLines())
            log("goal: " + line.Replace("**", "", StringComparison.Ordinal));
    }
}
