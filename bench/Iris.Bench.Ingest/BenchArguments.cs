using System.Globalization;

namespace Iris.Bench.Ingest;

/// <summary>
/// The <c>--name value</c> arguments of a benchmark program (shared by the ingestion and load benchmarks): only
/// known names, whole numbers checked, and the defaults every benchmark uses for the Iris build and the image cache.
/// </summary>
public sealed class BenchArguments
{
    private readonly Dictionary<string, string> _values;

    private BenchArguments(Dictionary<string, string> values) => _values = values;

    /// <exception cref="ArgumentException">An argument that is not a known <c>--name value</c> pair.</exception>
    public static BenchArguments Parse(string[] args, IReadOnlyList<string> names)
    {
        var usage = "Options: " + string.Join(' ', names.Select(n => $"--{n} VALUE"));
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"Unexpected argument '{args[i]}'. {usage}");
            values[args[i][2..]] = args[++i];
        }
        var unknown = values.Keys.Except(names).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"Unknown option --{unknown[0]}. {usage}");
        return new BenchArguments(values);
    }

    public int Number(string name, int fallback, int min = 1) => Optional(name, min) ?? fallback;

    public int? Optional(string name, int min = 1) => _values.TryGetValue(name, out var v)
        ? int.TryParse(v, CultureInfo.InvariantCulture, out var n) && n >= min ? n : throw new ArgumentException($"--{name} must be a whole number of at least {min}.")
        : null;

    /// <summary>The text given for <c>--name</c>, or null.</summary>
    public string? Text(string name) => _values.GetValueOrDefault(name);

    /// <summary>Where the generated JPEGs are kept between runs: <c>--cache</c>, or <c>$TMPDIR/iris-bench-images</c>.</summary>
    public string Cache => Path.GetFullPath(_values.GetValueOrDefault("cache") ?? Path.Combine(Path.GetTempPath(), "iris-bench-images"));

    /// <summary>The server to measure: <c>--iris</c>, or the Release build of this repository.</summary>
    public string IrisDll
    {
        get
        {
            var iris = _values.GetValueOrDefault("iris") ?? Path.Combine(RepoRoot(), "src", "Iris.Cli", "bin", "Release", "net10.0", "iris.dll");
            if (!File.Exists(iris)) throw new ArgumentException($"{iris} does not exist: build Iris first (dotnet build src/Iris.Cli -c Release).");
            return Path.GetFullPath(iris);
        }
    }

    private static string RepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Iris.sln"))) return dir.FullName;
        throw new ArgumentException("Iris.sln not found above the current folder: pass --iris path/to/iris.dll.");
    }
}
