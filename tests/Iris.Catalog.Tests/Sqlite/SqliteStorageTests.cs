using Iris.Catalog.Sqlite;
using Iris.Models;
using Microsoft.Data.Sqlite;

namespace Iris.Catalog.Tests.Sqlite;

/// <summary>How the SQLite engine stores rows and which indexes its hot statements use.</summary>
public sealed class SqliteStorageTests : SqliteTestBase
{
    [Fact]
    public async Task Ids_are_stored_as_16_byte_blobs_and_times_as_unix_microseconds()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var image = (await AddAsync(org.Id, ds.Id, T0, Img("p")))[0];

        Assert.Equal(1, Scalar("SELECT COUNT(*) FROM images WHERE typeof(id) = 'blob' AND length(id) = 16 AND id = @id",
            ("@id", image.Id.ToByteArray())));
        long micros = (T0.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        Assert.Equal(micros, Scalar("SELECT created_at FROM images"));
        Assert.Equal(micros, Scalar("SELECT at FROM image_events"));
        Assert.Equal(T0.ToUnixTimeSeconds(), micros / 1_000_000);
    }

    [Theory]
    [InlineData("SELECT id FROM images WHERE id = @a AND org_id = @b", "USING INDEX sqlite_autoindex_images_1")]
    [InlineData("SELECT id FROM images WHERE dataset_id = @a AND path = @c AND org_id = @b", "USING INDEX sqlite_autoindex_images_2")]
    [InlineData("SELECT e.seq FROM images i LEFT JOIN image_events e ON e.image_id = i.id WHERE i.id = @a AND i.org_id = @b ORDER BY e.seq", "ix_image_events_image")]
    public void Point_reads_search_an_index(string sql, string expected)
    {
        var plan = Plan(sql, ("@a", Guid.NewGuid()), ("@b", Guid.NewGuid()), ("@c", "p"));
        Assert.Contains(plan, line => line.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.StartsWith("SCAN", StringComparison.Ordinal));
    }

    [Fact]
    public void The_row_reads_search_their_indexes_in_the_order_asked()
    {
        // The statements the metadata and statuses routes run (ImageRowStatements), not copies.
        Assert.Contains(Plan(ImageRowStatements.ByIdSql), line => line.Contains("USING INDEX sqlite_autoindex_images_1", StringComparison.Ordinal));
        foreach (var (sql, index) in new[]
        {
            (ImageRowStatements.ByIdsSql, "SEARCH i USING INDEX sqlite_autoindex_images_1 (id=?)"),
            (ImageRowStatements.ByPathsSql, "SEARCH i USING INDEX sqlite_autoindex_images_2 (dataset_id=? AND path=?)"),
        })
        {
            var plan = Plan(sql);
            Assert.StartsWith("SCAN j", plan[0], StringComparison.Ordinal);
            Assert.Contains(index, plan);
            Assert.DoesNotContain(plan, line => line.Contains("TEMP B-TREE", StringComparison.Ordinal) || line.StartsWith("SCAN i", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_claim_scans_the_queue_in_order_without_sorting()
    {
        // The statement the queue runs, not a copy: a copy kept passing while the real one (joined to datasets) scanned
        // every image of the catalog.
        var plan = Plan(SqliteIngestionQueue.PickSql, ("@now", 0L), ("@max", 10));
        Assert.DoesNotContain(plan, line => line.Contains("TEMP B-TREE", StringComparison.Ordinal));
        Assert.Equal("SCAN j", plan[0]);
        Assert.Contains(plan, line => line.Contains("SEARCH i USING INDEX sqlite_autoindex_images_1", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.StartsWith("SCAN i", StringComparison.Ordinal) || line.StartsWith("SCAN d", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_duplicate_lookups_use_their_indexes_and_the_scan_reads_no_rows()
    {
        await OrgAndDatasetAsync();
        Assert.Contains("USING COVERING INDEX ix_images_dataset_phash",
            string.Join(" | ", Plan("SELECT id, phash FROM images WHERE dataset_id = x'00' AND phash IS NOT NULL")));
        Assert.Contains("ix_images_dataset_sha256",
            string.Join(" | ", Plan("SELECT id, path, phash FROM images INDEXED BY ix_images_dataset_sha256 WHERE dataset_id = x'00' AND sha256 = 's' AND status = 'completed' AND id <> x'01' ORDER BY id LIMIT 5")));
    }

    [Fact]
    public async Task Status_pages_and_job_counting_use_their_indexes()
    {
        await OrgAndDatasetAsync();
        Assert.Contains("ix_images_dataset_status",
            string.Join(" | ", Plan("SELECT id FROM images WHERE dataset_id = x'00' AND status IN ('error') ORDER BY id LIMIT 5 OFFSET 0")));
        var all = string.Join(" | ", Plan("SELECT id FROM images WHERE dataset_id = x'00' ORDER BY id LIMIT 5 OFFSET 0"));
        Assert.Contains("ix_images_dataset_id", all);
        Assert.DoesNotContain("TEMP B-TREE", all);
        Assert.Contains("ix_ingest_job_assets_image",
            string.Join(" | ", Plan("SELECT job_id FROM ingest_job_assets WHERE image_id = x'00' AND outcome IS NULL")));
    }

    [Fact]
    public async Task Migration_2_fills_sha256_from_the_technical_metadata_of_existing_images()
    {
        await using var old = new SqliteCatalog(Path.Combine(Folder, "old", "catalog.db"));
        await old.MigrateAsync([Migrations.All[0]], default);
        var org = Guid.NewGuid();
        var dataset = Guid.NewGuid();
        using (var connection = new SqliteConnection($"Data Source={old.DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO organizations (id, name, created_at) VALUES (@org, 'o', 0);
                INSERT INTO datasets (id, org_id, name, created_by, created_at, updated_by, updated_at) VALUES (@d, @org, 'd', 'c', 0, 'c', 0);
                INSERT INTO images (id, org_id, dataset_id, path, status, technical_metadata, created_by, created_at, updated_by, updated_at)
                VALUES (@i1, @org, @d, 'done', 'completed', '{"format":"png","sha256":"abc123"}', 'c', 0, 'c', 0),
                       (@i2, @org, @d, 'waiting', 'pending', NULL, 'c', 0, 'c', 0);
                """;
            insert.Parameters.Add("@org", SqliteType.Blob).Value = org;
            insert.Parameters.Add("@d", SqliteType.Blob).Value = dataset;
            insert.Parameters.Add("@i1", SqliteType.Blob).Value = Guid.NewGuid();
            insert.Parameters.Add("@i2", SqliteType.Blob).Value = Guid.NewGuid();
            insert.ExecuteNonQuery();
        }

        Assert.Equal(Migrations.LatestVersion, await old.MigrateAsync());

        using (var connection = new SqliteConnection($"Data Source={old.DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var check = connection.CreateCommand();
            check.CommandText = "SELECT path, sha256, phash, preview_key FROM images ORDER BY path";
            using var r = check.ExecuteReader();
            var rows = new List<(string, string?, bool, bool)>();
            while (r.Read()) rows.Add((r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2), r.IsDBNull(3)));
            Assert.Equal([("done", "abc123", true, true), ("waiting", null, true, true)], rows);
        }
        SqliteConnection.ClearAllPools();
    }
}
