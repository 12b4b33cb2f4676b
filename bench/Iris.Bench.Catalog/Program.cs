using System.Globalization;
using System.Text.Json;
using Iris.Bench.Catalog;

// Linux only: it reads /proc and drives wrk and nginx.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// The read-path benchmark of docs/benchmarks.md. bench/catalog.sh builds and runs it; see Usage.

const string Usage = """
    Iris.Bench.Catalog run [options]       generate the catalogs (if needed), measure, write the report
      --repo DIR                 repository root (default: the folder above holding Iris.sln)
      --sizes 100000,1000000     catalog sizes (images)
      --duration 15              seconds per wrk run
      --connections 1,16,64,256  wrk connections for single-image metadata and nginx
      --batch-connections 1,4,16,64   wrk connections for batches and statuses
      --storage-duration 10      seconds per storage-limit measurement
      --pool 50000               random images per catalog the requests are drawn from
      --work DIR                 catalogs, request files, logs (default <repo>/artifacts/bench-catalog)
      --iris-dll PATH            default <repo>/src/Iris.Cli/bin/Release/net10.0/iris.dll
      --report PATH --chart PATH default <repo>/docs/benchmarks.md and <repo>/docs/benchmarks.png
      --iris-only                only the Iris endpoints (no nginx, no storage limit, no report): A/B runs
      --scenarios single,...     only these of single, batch100, batch1000, statuses100, statuses1000
      --server-env NAME=VALUE,...    extra environment of the server (e.g. DOTNET_gcServer=0)
      --engines sqlite,postgres  catalog engines measured (PostgreSQL: a throwaway durable cluster, the same rows)
      --queue-jobs 20000         jobs of the queue benchmark on each engine
      --command TEXT             the command shown in the report
    Iris.Bench.Catalog generate --data DIR --images N [--seed S]
    Iris.Bench.Catalog micro --data DIR [--duration 5] [--only NAME]   CPU time per catalog read call, in-process
    Iris.Bench.Catalog report --results FILE [--report PATH] [--chart PATH] [--repo DIR]
    """;

try
{
    if (args.Length == 0 || args[0] is "-h" or "--help")
    {
        Console.WriteLine(Usage);
        return 0;
    }
    var options = Options.Parse(args.Skip(1));
    switch (args[0])
    {
        case "run":
            await Bench.RunAsync(options);
            return 0;
        case "generate":
            await Generator.GenerateAsync(options.Required("data"), options.Int("images", 0), options.Int("seed", 42), Console.Out);
            return 0;
        case "micro":
            await Micro.RunAsync(options.Required("data"), options.Int("duration", 5), Console.Out, options.Get("only"));
            return 0;
        case "report":
            var results = JsonSerializer.Deserialize<RunResults>(File.ReadAllText(options.Required("results")))
                ?? throw new InvalidOperationException("The results file is empty.");
            var repo = options.Get("repo") ?? Bench.FindRepo();
            Report.Write(results, options.Get("report") ?? Path.Combine(repo, "docs", "benchmarks.md"),
                options.Get("chart") ?? Path.Combine(repo, "docs", "benchmarks.png"), repo);
            return 0;
        default:
            Console.Error.WriteLine($"Unknown command {args[0]}.\n{Usage}");
            return 2;
    }
}
catch (Exception e) when (e is ArgumentException or InvalidOperationException or TimeoutException or IOException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

/// <summary>--name value pairs (and bare --flags).</summary>
public sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static Options Parse(IEnumerable<string> args)
    {
        var options = new Options();
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument {list[i]}.");
            var name = list[i][2..];
            var hasValue = i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal);
            options._values[name] = hasValue ? list[++i] : "true";
        }
        return options;
    }

    public string? Get(string name) => _values.GetValueOrDefault(name);
    public string Required(string name) => Get(name) ?? throw new ArgumentException($"--{name} is required.");
    public bool Flag(string name) => Get(name) == "true";

    public int Int(string name, int fallback)
    {
        if (Get(name) is not { } text) return fallback;
        return int.TryParse(text.Replace("_", ""), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value : throw new ArgumentException($"--{name} {text}: a positive whole number is expected.");
    }

    public int[] Ints(string name, int[] fallback) =>
        Get(name) is { } text
            ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(v => int.TryParse(v.Replace("_", ""), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                    ? n : throw new ArgumentException($"--{name} {text}: positive whole numbers separated by commas are expected."))
                .ToArray()
            : fallback;
}
