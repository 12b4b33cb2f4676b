using System.Diagnostics;
using Iris.Catalog.Sqlite;

namespace Iris.Bench.Catalog;

/// <summary>
/// The catalog's read calls timed in-process, one thread, CPU time per call: isolates the storage
/// layer from HTTP when comparing builds on a busy machine (CPU time, unlike throughput, hardly
/// depends on what else runs). Used to measure the changes listed in CHANGES.md.
/// </summary>
public static class Micro
{
    public static async Task RunAsync(string dataDir, int seconds, TextWriter log, string? only = null)
    {
        var marker = System.Text.Json.JsonSerializer.Deserialize<GeneratedCatalog>(File.ReadAllText(Path.Combine(dataDir, Generator.MarkerFile)))
            ?? throw new InvalidOperationException($"{dataDir} holds no generated catalog.");
        var pool = RequestPool.Load(Path.Combine(dataDir, "catalog.db"), marker, 50_000, 42);
        await using var catalog = new SqliteCatalog(Path.Combine(dataDir, "catalog.db"));
        var random = new Random(1);
        List<Guid> Ids(int n) { var s = random.Next(pool.Images.Count - n); return [.. pool.Images.Skip(s).Take(n).Select(i => i.Id)]; }
        List<string> Paths(int n) { var s = random.Next(pool.Images.Count - n); return [.. pool.Images.Skip(s).Take(n).Select(i => i.Path)]; }

        var rows = new TouchedRows();
        (string, int, Func<Task>)[] calls =
        [
            ("Credentials.FindAsync", 1, () => catalog.Credentials.FindAsync(marker.ClientId)),
            ("Images.GetAsync", 1, () => catalog.Images.GetAsync(marker.OrgId, pool.Images[random.Next(pool.Images.Count)].Id)),
            ("Images.GetManyAsync(1000)", 1000, () => catalog.Images.GetManyAsync(marker.OrgId, Ids(1000))),
            ("Images.WriteAsync", 1, () => catalog.Images.WriteAsync(marker.OrgId, pool.Images[random.Next(pool.Images.Count)].Id, rows)),
            ("Images.WriteManyAsync(1000)", 1000, () => catalog.Images.WriteManyAsync(marker.OrgId, Ids(1000), rows)),
            ("Images.GetStatusesAsync(1000)", 1000, () => catalog.Images.GetStatusesAsync(marker.OrgId, marker.DatasetId, Paths(1000))),
        ];
        foreach (var (name, items, call) in calls)
        {
            if (only is not null && !name.Contains(only, StringComparison.OrdinalIgnoreCase)) continue;
            for (var i = 0; i < 200; i++) await call(); // warm-up
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            long n = 0;
            while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                await call();
                n++;
            }
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMicroseconds;
            log.WriteLine($"  {name,-30} {cpu / n,9:0.0} us CPU per call ({cpu / n / items,6:0.00} per item), {n / clock.Elapsed.TotalSeconds,9:N0} calls/s");
        }
    }
}

/// <summary>Takes rows as an answer writer would, reading every text column once.</summary>
internal sealed class TouchedRows : Iris.Catalog.IImageRowWriter
{
    public long Bytes { get; private set; }

    public void Write(in Iris.Catalog.ImageRow row) =>
        Bytes += row.Path.Length + row.UserId.Length + row.MetadataJson.Length + row.Status.Length + row.TechnicalMetadataJson.Length
                 + row.CreatedBy.Length + row.UpdatedBy.Length;
}
