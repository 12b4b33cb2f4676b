using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Iris.Bench.Catalog;

/// <summary>The storage limit of one request kind: images (or paths) looked up per second straight from the catalog.</summary>
public sealed record StorageResult(string Scenario, string Method, int Images, int Threads, double Seconds, long Requests,
    double RequestsPerSecond, double ImagesPerSecond);

/// <summary>
/// The same lookups as the endpoints, made by this program with Microsoft.Data.Sqlite alone: one
/// open connection per thread, one thread per core, statements prepared once, every column of
/// every row read (as the server must to answer). No HTTP, no JSON: the most the catalog gives.
/// Batches are tried two ways, a prepared point lookup per id in one read transaction, and one
/// statement over the whole list (<c>json_each</c>); the report shows both.
/// </summary>
public static class RawDb
{
    private const string ImageColumns =
        "i.id, i.org_id, i.dataset_id, i.path, i.user_id, i.metadata, i.status, i.error_code, i.error_reason, i.technical_metadata, " +
        "i.blob_sha256, i.created_by, i.created_at, i.updated_by, i.updated_at, i.request_id, i.request_at, " +
        "i.latest_event_type, i.latest_event_at, i.latest_event_detail";

    private const string StatusColumns = "i.id, i.status, i.error_code, i.error_reason, i.latest_event_type, i.latest_event_at, i.latest_event_detail";

    public static IReadOnlyList<StorageResult> Measure(string databasePath, GeneratedCatalog catalog, RequestPool pool, int seconds, TextWriter log)
    {
        var results = new List<StorageResult>();
        foreach (var scenario in Scenario.Iris)
        {
            string[] methods = scenario.ImagesPerRequest == 1 ? ["point lookup"] : ["point lookup per item", "one json_each query"];
            foreach (var method in methods)
            {
                var result = Run(databasePath, catalog, pool, scenario, method, seconds);
                log.WriteLine($"  storage {scenario.Name,-13} {method,-22} {result.ImagesPerSecond,12:N0} images/s");
                results.Add(result);
            }
        }
        return results;
    }

    private static StorageResult Run(string databasePath, GeneratedCatalog catalog, RequestPool pool, Scenario scenario, string method, int seconds)
    {
        var threads = Environment.ProcessorCount;
        var connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString();
        var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var counts = new long[threads];
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var lookup = new Lookup(connection, catalog, scenario, method);
            var random = new Random(t * 7919 + 1);
            long requests = 0;
            var checksum = 0L;
            while (!stop.IsCancellationRequested)
            {
                checksum += lookup.Run(pool, random);
                requests++;
            }
            counts[t] = requests;
            if (checksum == long.MinValue) Console.Write(""); // keeps the reads observable
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        var elapsed = clock.Elapsed.TotalSeconds;
        var total = counts.Sum();
        return new StorageResult(scenario.Name, method, scenario.ImagesPerRequest, threads, elapsed, total,
            total / elapsed, total * scenario.ImagesPerRequest / elapsed);
    }

    /// <summary>One thread's prepared statements for one scenario.</summary>
    private sealed class Lookup : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly Scenario _scenario;
        private readonly bool _oneQuery;
        private readonly SqliteCommand _cmd;
        private readonly SqliteParameter _key;

        public Lookup(SqliteConnection connection, GeneratedCatalog catalog, Scenario scenario, string method)
        {
            _connection = connection;
            _scenario = scenario;
            _oneQuery = method.Contains("json_each", StringComparison.Ordinal);
            _cmd = connection.CreateCommand();
            _cmd.CommandText = (scenario.ByPath, _oneQuery) switch
            {
                (false, false) => $"SELECT {ImageColumns} FROM images i WHERE i.id = @k AND i.org_id = @org",
                (false, true) => $"SELECT {ImageColumns} FROM json_each(@k) j JOIN images i ON i.id = unhex(j.value) WHERE i.org_id = @org ORDER BY j.key",
                (true, false) => $"SELECT {StatusColumns} FROM images i WHERE i.dataset_id = @d AND i.path = @k AND i.org_id = @org",
                (true, true) => $"SELECT j.value, {StatusColumns} FROM json_each(@k) j LEFT JOIN images i ON i.dataset_id = @d AND i.path = j.value AND i.org_id = @org ORDER BY j.key",
            };
            _key = _cmd.Parameters.Add("@k", _oneQuery || scenario.ByPath ? SqliteType.Text : SqliteType.Blob);
            _cmd.Parameters.Add("@org", SqliteType.Blob).Value = catalog.OrgId;
            if (scenario.ByPath) _cmd.Parameters.Add("@d", SqliteType.Blob).Value = catalog.DatasetId;
            _cmd.Prepare();
        }

        public long Run(RequestPool pool, Random random)
        {
            var n = _scenario.ImagesPerRequest;
            var start = random.Next(0, pool.Images.Count - n + 1);
            long checksum = 0;
            if (_oneQuery)
            {
                _key.Value = _scenario.ByPath
                    ? System.Text.Json.JsonSerializer.Serialize(Enumerable.Range(start, n).Select(i => pool.Images[i].Path))
                    : "[" + string.Join(',', Enumerable.Range(start, n).Select(i => "\"" + Convert.ToHexString(pool.Images[i].Id.ToByteArray()) + "\"")) + "]";
                using var r = _cmd.ExecuteReader();
                while (r.Read()) checksum += ReadRow(r, _scenario.ByPath ? 1 : 0) + (_scenario.ByPath ? r.GetString(0).Length : 0);
                return checksum;
            }

            using var tx = n > 1 ? _connection.BeginTransaction(deferred: true) : null;
            _cmd.Transaction = tx;
            for (var i = start; i < start + n; i++)
            {
                _key.Value = _scenario.ByPath ? pool.Images[i].Path : pool.Images[i].Id;
                using var r = _cmd.ExecuteReader();
                if (r.Read()) checksum += ReadRow(r, 0);
            }
            tx?.Commit();
            return checksum;
        }

        /// <summary>Reads every column with the getter the server uses for it (ids as Guids, times as integers).</summary>
        private long ReadRow(SqliteDataReader r, int first)
        {
            if (_scenario.ByPath && r.IsDBNull(first)) return 1; // a path the dataset does not have
            long sum = 0;
            for (var c = first; c < r.FieldCount; c++)
            {
                if (r.IsDBNull(c)) continue;
                var column = c - first;
                sum += _scenario.ByPath
                    ? column switch { 0 => r.GetGuid(c).GetHashCode(), 5 => r.GetInt64(c), _ => r.GetString(c).Length }
                    : column switch { 0 or 1 or 2 or 15 => r.GetGuid(c).GetHashCode(), 12 or 14 or 16 or 18 => r.GetInt64(c), _ => r.GetString(c).Length };
            }
            return sum;
        }

        public void Dispose() => _cmd.Dispose();
    }
}
