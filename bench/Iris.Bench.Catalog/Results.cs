using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Iris.Bench.Catalog;

/// <summary>Everything one run measured; saved as JSON next to the catalogs so the report can be rewritten from it.</summary>
public sealed record RunResults(
    MachineInfo Machine,
    string Command,
    RunSettings Settings,
    DateTimeOffset Started,
    DateTimeOffset Finished,
    string LoadAverageAtStart,
    string LoadAverageAtEnd,
    List<SizeResults> Sizes,
    List<LoadResult> Nginx,
    int AssetResponseBytes,
    string? PostgresVersion = null,
    List<QueueResult>? Queue = null);

/// <summary>What was measured on a catalog of <see cref="Images"/> images.</summary>
public sealed record SizeResults(
    int Images,
    double GenerationSeconds,
    long CatalogBytes,
    ResidentMemory AfterStart,
    ResidentMemory AfterBenchmark,
    int StatusesUrlBytes,
    int Batch1000UrlBytes,
    List<LoadResult> Iris,
    List<StorageResult> Storage,
    PostgresResults? Postgres = null);

/// <summary>The same requests with the server on PostgreSQL (the same rows, copied from the SQLite catalog).</summary>
public sealed record PostgresResults(double CopySeconds, long DatabaseBytes, ResidentMemory AfterStart, ResidentMemory AfterBenchmark, List<LoadResult> Iris);

public sealed record RunSettings(
    int[] Sizes, int Seconds, int[] SingleConnections, int[] BatchConnections, int StorageSeconds, int PoolSize, int Seed, bool IrisOnly);

public sealed record MachineInfo(
    int Cores, string Cpu, long MemoryBytes, string Os, string Kernel, string Dotnet, string Sqlite, string Nginx, string Wrk)
{
    public static async Task<MachineInfo> ReadAsync(bool withNginx)
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var memKb = File.ReadLines("/proc/meminfo").Where(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            .Select(l => long.Parse(Regex.Match(l, @"\d+").Value, CultureInfo.InvariantCulture)).FirstOrDefault();
        var os = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"') ?? "Linux"
            : "Linux";
        var nproc = (await Children.RunAsync("nproc", [], TimeSpan.FromSeconds(10))).Output.Trim();
        var wrk = Regex.Match((await Children.RunAsync("wrk", ["-v"], TimeSpan.FromSeconds(10))).Output, @"wrk \S+").Value;
        var nginx = withNginx ? Regex.Match((await Children.RunAsync("nginx", ["-v"], TimeSpan.FromSeconds(10))).Output, @"nginx/\S+").Value : "not run";
        string sqlite;
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:"))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT sqlite_version()";
            sqlite = "SQLite " + cmd.ExecuteScalar();
        }
        return new MachineInfo(
            int.TryParse(nproc, out var cores) ? cores : Environment.ProcessorCount, cpu, memKb * 1024, os,
            File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), RuntimeInformation.FrameworkDescription, sqlite, nginx, wrk);
    }

    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
