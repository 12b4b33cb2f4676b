using System.Globalization;

namespace Iris.Bench.VectorIndex;

/// <summary>The <c>--name value</c> arguments (see Program.cs for the list and the defaults).</summary>
public sealed record Options(
    int[] Sizes, int Queries, string[] Kinds, int Clusters, int[] Ef, int ExactTimed, int[] Curve, int Study, string? Report,
    int GaussianMax)
{
    private static readonly string[] Names = ["sizes", "queries", "kinds", "clusters", "ef", "exact-timed", "curve", "study", "report", "gaussian-max"];

    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length || !Names.Contains(args[i][2..]))
                throw new ArgumentException($"Unexpected argument '{args[i]}'. Options: {string.Join(' ', Names.Select(n => $"--{n} VALUE"))}");
            values[args[i][2..]] = args[++i];
        }
        string Get(string name, string fallback) => values.GetValueOrDefault(name) ?? fallback;
        int[] Numbers(string name, string fallback) => Get(name, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => int.TryParse(v, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n
                : throw new ArgumentException($"--{name}: '{v}' is not a whole number")).ToArray();
        var report = Get("report", Path.Combine(RepoRoot(), "docs", "benchmarks.md"));
        var options = new Options(
            Numbers("sizes", "100000,1000000"), Numbers("queries", "1000")[0],
            Get("kinds", "clustered,gaussian").Split(','), Numbers("clusters", "2000")[0], Numbers("ef", "64,128,256"),
            Numbers("exact-timed", "200")[0], Numbers("curve", "1000,2000,5000,10000,20000,50000"),
            Numbers("study", "100000")[0], report == "none" ? null : report, Numbers("gaussian-max", "0")[0]);
        if (options.Queries < 200 || options.ExactTimed < 1 || options.ExactTimed > options.Queries || options.Sizes.Length == 0)
            throw new ArgumentException("--queries must be at least 200, --exact-timed between 1 and --queries, --sizes not empty.");
        return options;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Iris.sln")))
                return dir.FullName;
        return Environment.CurrentDirectory;
    }
}
