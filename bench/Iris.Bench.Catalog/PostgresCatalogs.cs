using System.Diagnostics;
using Iris.Catalog.Postgres;
using Iris.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Iris.Bench.Catalog;

/// <summary>
/// The PostgreSQL side of the benchmark: a throwaway cluster (Debian's binaries, durable: fsync on, as in production,
/// and shared buffers of 4 GB, a sixth of this machine's memory: the 1,000,000-image catalog fits)
/// and, per catalog size, a database holding exactly the rows of the generated SQLite catalog (same ids, paths,
/// metadata, events, credential), so both engines answer the same requests from the same data.
/// </summary>
public static class PostgresCatalogs
{
    /// <summary>A cluster for one run, sized like a small production server: the catalog fits in its buffers.</summary>
    public static Task<PostgresServer> StartAsync() =>
        PostgresServer.StartAsync(durable: true, settings: "-c shared_buffers=4GB -c effective_cache_size=8GB -c max_wal_size=4GB");

    public static string Version(PostgresServer server) => server.PsqlAsync("SHOW server_version").GetAwaiter().GetResult().Trim();

    /// <summary>Creates database <c>bench_N</c>, migrates it with Iris's own migrations and copies the SQLite catalog's rows in (COPY BINARY).</summary>
    public static async Task<(string ConnectionString, double Seconds, long Bytes)> CopyAsync(PostgresServer server, string sqlitePath, int images, TextWriter log)
    {
        var clock = Stopwatch.StartNew();
        var name = $"bench_{images}";
        var connection = await server.CreateDatabaseAsync(name);
        await using (var catalog = PostgresCatalog.Create(connection)) await catalog.MigrateAsync();

        await using var pg = new NpgsqlConnection(connection);
        await pg.OpenAsync();
        using var sqlite = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = sqlitePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        sqlite.Open();

        await CopyTableAsync(sqlite, pg, "organizations", "id, name, created_at", "id, name, created_at",
            [T.Uuid, T.Text, T.Time]);
        await CopyTableAsync(sqlite, pg, "credentials", "client_id, org_id, secret_hash, created_at, revoked_at, name",
            "client_id, org_id, secret_hash, created_at, revoked_at, name", [T.Text, T.Uuid, T.Bytes, T.Time, T.Time, T.Text]);
        await CopyTableAsync(sqlite, pg, "datasets", "id, org_id, name, description, created_by, created_at, updated_by, updated_at, completed_count",
            "id, org_id, name, description, created_by, created_at, updated_by, updated_at, completed_count",
            [T.Uuid, T.Uuid, T.Text, T.Text, T.Text, T.Time, T.Text, T.Time, T.Bigint]);
        const string ImageColumns = "id, org_id, dataset_id, path, user_id, metadata, status, error_code, error_reason, technical_metadata, " +
                                    "blob_sha256, created_by, created_at, updated_by, updated_at, request_id, request_at, " +
                                    "latest_event_type, latest_event_at, latest_event_detail, sha256, phash, preview_key";
        await CopyTableAsync(sqlite, pg, "images", ImageColumns, ImageColumns,
            [T.Uuid, T.Uuid, T.Uuid, T.Text, T.Text, T.Text, T.Text, T.Text, T.Text, T.Text, T.Text, T.Text, T.Time, T.Text, T.Time,
             T.Uuid, T.Time, T.Text, T.Time, T.Text, T.Text, T.Bigint, T.Text], log, images);
        await CopyTableAsync(sqlite, pg, "image_events", "image_id, event_type, at, detail", "image_id, event_type, at, detail",
            [T.Uuid, T.Text, T.Time, T.Text], log, images * 6);
        // As the SQLite catalog, the copy is measured settled and warm: statistics made, the copy's writes on disk
        // (no checkpoint running during the measurement), the tables and indexes read into shared buffers once.
        foreach (var sql in new[]
                 {
                     "VACUUM ANALYZE", "CHECKPOINT", "CREATE EXTENSION IF NOT EXISTS pg_prewarm",
                     "SELECT sum(pg_prewarm(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')",
                 })
        {
            await using var settle = new NpgsqlCommand(sql, pg) { CommandTimeout = 3600 };
            await settle.ExecuteNonQueryAsync();
        }
        await using var size = new NpgsqlCommand("SELECT pg_database_size(current_database())", pg);
        var bytes = (long)(await size.ExecuteScalarAsync())!;
        log.WriteLine($"  copied into PostgreSQL database {name} in {clock.Elapsed.TotalSeconds:0} s ({bytes / 1e6:0} MB)");
        return (connection, clock.Elapsed.TotalSeconds, bytes);
    }

    private enum T { Uuid, Text, Time, Bigint, Bytes }

    private static async Task CopyTableAsync(SqliteConnection sqlite, NpgsqlConnection pg, string table, string sqliteColumns, string pgColumns,
        T[] types, TextWriter? log = null, long expected = 0)
    {
        using var read = sqlite.CreateCommand();
        read.CommandText = $"SELECT {sqliteColumns} FROM {table}" + (table == "image_events" ? " ORDER BY seq" : "");
        using var r = read.ExecuteReader();
        await using var writer = await pg.BeginBinaryImportAsync($"COPY {table} ({pgColumns}) FROM STDIN (FORMAT BINARY)");
        writer.Timeout = TimeSpan.FromHours(1); // completing the copy builds the indexes' last pages: minutes at millions of rows
        long rows = 0;
        var clock = Stopwatch.StartNew();
        while (r.Read())
        {
            await writer.StartRowAsync();
            for (var i = 0; i < types.Length; i++)
            {
                if (r.IsDBNull(i))
                {
                    await writer.WriteNullAsync();
                    continue;
                }
                switch (types[i])
                {
                    case T.Uuid: await writer.WriteAsync(r.GetGuid(i), NpgsqlDbType.Uuid); break;
                    case T.Text: await writer.WriteAsync(r.GetString(i), NpgsqlDbType.Text); break;
                    case T.Time: await writer.WriteAsync(Iris.Catalog.CatalogTime.FromMicros(r.GetInt64(i)), NpgsqlDbType.TimestampTz); break;
                    case T.Bigint: await writer.WriteAsync(r.GetInt64(i), NpgsqlDbType.Bigint); break;
                    case T.Bytes: await writer.WriteAsync((byte[])r.GetValue(i), NpgsqlDbType.Bytea); break;
                }
            }
            if (++rows % 1_000_000 == 0 && log is not null) log.WriteLine($"  {table}: {rows:N0} of {expected:N0} rows ({rows / clock.Elapsed.TotalSeconds:N0}/s)");
        }
        await writer.CompleteAsync();
    }
}
