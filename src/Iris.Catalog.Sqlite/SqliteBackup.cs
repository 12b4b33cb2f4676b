using Microsoft.Data.Sqlite;

namespace Iris.Catalog.Sqlite;

/// <summary>What a catalog backup holds: its images by status, and whether the copy passed SQLite's integrity check.</summary>
public sealed record SqliteBackupResult(long Images, long Completed, long InFlight, string IntegrityCheck);

/// <summary>
/// A consistent copy of a running server's embedded catalog. <c>VACUUM INTO</c> reads one snapshot (a read
/// transaction, which in WAL mode never blocks the server's writers) into a new, compact file. In the copy, the leases
/// of images that were in flight are freed and those images set back to pending: no worker of the copy holds them, so
/// a server started on the copy takes them up at once instead of after their leases run out.
/// </summary>
public static class SqliteBackup
{
    public static SqliteBackupResult Copy(string sourceDatabase, string targetDatabase)
    {
        if (!File.Exists(sourceDatabase)) throw new InvalidOperationException($"{sourceDatabase} does not exist: is this an Iris data folder?");
        if (File.Exists(targetDatabase)) throw new InvalidOperationException($"{targetDatabase} exists already; back up into a new folder.");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(targetDatabase))!);

        using (var source = Open(sourceDatabase, SqliteOpenMode.ReadWrite))
        using (var vacuum = source.CreateCommand())
        {
            vacuum.CommandText = "PRAGMA busy_timeout=10000; VACUUM INTO @target";
            vacuum.Parameters.AddWithValue("@target", Path.GetFullPath(targetDatabase));
            vacuum.ExecuteNonQuery();
        }

        using var copy = Open(targetDatabase, SqliteOpenMode.ReadWrite);
        long inFlight;
        using (var tx = copy.BeginTransaction())
        {
            inFlight = Exec(copy, tx, """
                UPDATE images SET status = 'pending'
                WHERE status = 'processing_started' AND id IN (SELECT image_id FROM ingestion_jobs WHERE lease_owner IS NOT NULL)
                """);
            Exec(copy, tx, """
                UPDATE ingestion_jobs SET lease_owner = NULL, lease_expires_at = NULL, attempts = MAX(attempts - 1, 0)
                WHERE lease_owner IS NOT NULL
                """);
            tx.Commit();
        }
        var integrity = Scalar<string>(copy, "PRAGMA integrity_check");
        var images = Scalar<long>(copy, "SELECT COUNT(*) FROM images");
        var completed = Scalar<long>(copy, "SELECT COUNT(*) FROM images WHERE status = 'completed'");
        SqliteConnection.ClearPool(copy);
        return new SqliteBackupResult(images, completed, inFlight, integrity);
    }

    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static int Exec(SqliteConnection connection, SqliteTransaction tx, string sql)
    {
        using var cmd = connection.Command(tx, sql);
        return cmd.ExecuteNonQuery();
    }

    private static T Scalar<T>(SqliteConnection connection, string sql)
    {
        using var cmd = connection.Command(null, sql);
        return (T)cmd.ExecuteScalar()!;
    }
}
