using Iris.Catalog.Sqlite;

namespace Iris.Catalog.Tests.Sqlite;

public sealed class SqliteMigrationTests : SqliteTestBase
{
    private static readonly string[] Tables =
        ["credentials", "datasets", "image_embeddings", "image_events", "images", "ingest_job_assets", "ingest_jobs", "ingestion_jobs", "organizations",
         "schema_migrations", "sqlite_sequence"];

    [Fact]
    public void OpenAsync_migrates_an_empty_database_with_every_table_and_creates_the_folder()
    {
        Assert.True(File.Exists(DbPath));
        using var connection = RawConnection();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
        var tables = new List<string>();
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                tables.Add(r.GetString(0));
            }
        }

        Assert.Equal(Tables, tables);
        Assert.Equal(Migrations.LatestVersion, Scalar("SELECT MAX(version) FROM schema_migrations"));
        Assert.Equal(Migrations.All.Count, Scalar("SELECT COUNT(*) FROM schema_migrations"));
        Assert.Equal(1, Scalar("SELECT COUNT(*) FROM schema_migrations WHERE version = 1 AND name = 'initial'"));
    }

    [Fact]
    public async Task A_second_migrate_is_a_no_op_returning_the_same_version()
    {
        string appliedAt;
        using (var connection = RawConnection())
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "SELECT applied_at FROM schema_migrations WHERE version = 1";
            appliedAt = (string)cmd.ExecuteScalar()!;
        }

        Assert.Equal(Migrations.LatestVersion, await Catalog.MigrateAsync());
        await using (var again = new SqliteCatalog(DbPath))
        {
            Assert.Equal(Migrations.LatestVersion, await again.MigrateAsync());
        }

        Assert.Equal(Migrations.All.Count, Scalar("SELECT COUNT(*) FROM schema_migrations"));
        using (var connection = RawConnection())
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "SELECT applied_at FROM schema_migrations WHERE version = 1";
            Assert.Equal(appliedAt, (string)cmd.ExecuteScalar()!);
        }
    }

    [Fact]
    public async Task A_database_with_a_newer_version_is_refused()
    {
        int future = Migrations.LatestVersion + 1;
        using (var connection = RawConnection())
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, 'from the future', 'x')";
            cmd.Parameters.AddWithValue("@v", future);
            cmd.ExecuteNonQuery();
        }

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => Catalog.MigrateAsync());
        Assert.Contains($"version {future}", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => SqliteCatalog.OpenAsync(DbPath));
    }

    [Fact]
    public async Task Later_migrations_apply_in_order_each_once()
    {
        var v2 = Migrations.All.Append(new Migration(Migrations.LatestVersion + 1, "add t2", "CREATE TABLE t2 (x INTEGER);")).ToList();
        var v3 = v2.Append(new Migration(Migrations.LatestVersion + 2, "add t3", "CREATE TABLE t3 (y INTEGER REFERENCES t2(x));")).ToList();

        Assert.Equal(Migrations.LatestVersion + 1, await Catalog.MigrateAsync(v2, default));
        Assert.Equal(Migrations.LatestVersion + 2, await Catalog.MigrateAsync(v3, default));
        Assert.Equal(Migrations.LatestVersion + 2, await Catalog.MigrateAsync(v3, default));
        Assert.Equal(1, Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 't3'"));
        Assert.Equal(Migrations.All.Count + 2, Scalar("SELECT COUNT(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task A_failing_migration_rolls_back_and_leaves_the_version()
    {
        var broken = Migrations.All.Append(new Migration(Migrations.LatestVersion + 1, "broken",
            "CREATE TABLE half (x INTEGER); THIS IS NOT SQL;")).ToList();

        await Assert.ThrowsAnyAsync<Microsoft.Data.Sqlite.SqliteException>(() => Catalog.MigrateAsync(broken, default));
        Assert.Equal(Migrations.LatestVersion, Scalar("SELECT MAX(version) FROM schema_migrations"));
        Assert.Equal(0, Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'"));
    }

    [Fact]
    public void Migration_versions_are_strictly_increasing_from_one()
    {
        Assert.Equal(1, Migrations.All[0].Version);
        for (int i = 1; i < Migrations.All.Count; i++)
        {
            Assert.Equal(Migrations.All[i - 1].Version + 1, Migrations.All[i].Version);
        }
    }

    [Fact]
    public async Task Write_transactions_take_the_write_lock_at_begin()
    {
        await using var catalogConnection = await Catalog.OpenConnectionAsync(default);
        using var tx = catalogConnection.BeginTransaction(); // nothing executed in it yet

        var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false, DefaultTimeout = 1 };
        using var other = new Microsoft.Data.Sqlite.SqliteConnection(builder.ToString());
        other.Open();
        using var cmd = other.CreateCommand();
        cmd.CommandText = "PRAGMA busy_timeout=0;";
        cmd.ExecuteNonQuery();
        cmd.CommandText = "BEGIN IMMEDIATE;";
        var busy = Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(() => cmd.ExecuteNonQuery());
        Assert.Equal(5, busy.SqliteErrorCode); // SQLITE_BUSY: BEGIN IMMEDIATE, not DEFERRED
    }

    [Fact]
    public async Task Wal_is_on_and_every_connection_gets_its_pragmas()
    {
        using (var connection = RawConnection())
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "PRAGMA journal_mode";
            Assert.Equal("wal", (string)cmd.ExecuteScalar()!);
        }

        await using var pooled = await Catalog.OpenConnectionAsync(default);
        using var pragma = pooled.CreateCommand();
        pragma.CommandText = "PRAGMA foreign_keys";
        Assert.Equal(1L, pragma.ExecuteScalar());
        pragma.CommandText = "PRAGMA synchronous";
        Assert.Equal(1L, pragma.ExecuteScalar()); // NORMAL
        pragma.CommandText = "PRAGMA busy_timeout";
        Assert.Equal(10000L, pragma.ExecuteScalar());
    }
}
