using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Iris.Catalog.Sqlite;

/// <summary>
/// The image reads that answer straight from the rows (<see cref="IImageStore.WriteAsync"/>, <see cref="IImageStore.WriteManyAsync"/>),
/// as SQLite statements of their own on a read connection: Microsoft.Data.Sqlite's reader copies every text column into
/// a string (and a blob into a new array), while SQLite's own column accessors give its UTF-8 bytes in place, which
/// stay valid until the next step of the statement: long enough for a writer to copy them into an answer.
/// </summary>
internal sealed class ImageRowStatements : IDisposable
{
    // Ordinals of Columns, in order.
    private const string Columns =
        "id, dataset_id, path, user_id, metadata, status, technical_metadata, created_by, created_at, updated_by, updated_at";

    private const int PositionColumn = 11; // j.key of the list read

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _byId;
    private readonly sqlite3_stmt _byIds;

    public ImageRowStatements(SqliteConnection connection)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        _byId = Prepare($"SELECT {Columns} FROM images WHERE id = ?1 AND org_id = ?2");
        try
        {
            // CROSS JOIN keeps the list as the outer loop, so rows come in its order without ORDER BY, which sorted
            // every whole row in a temporary B-tree; the list position (j.key) is checked as the rows come.
            _byIds = Prepare($"""
                SELECT {string.Join(", ", Columns.Split(", ").Select(c => "i." + c))}, j.key
                FROM json_each(?1) AS j CROSS JOIN images AS i ON i.id = unhex(j.value)
                WHERE i.org_id = ?2
                """);
        }
        catch
        {
            _byId.Dispose();
            throw;
        }
    }

    public bool WriteOne(Guid orgId, Guid imageId, IImageRowWriter writer)
    {
        Span<byte> id = stackalloc byte[16];
        Span<byte> org = stackalloc byte[16];
        imageId.TryWriteBytes(id);
        orgId.TryWriteBytes(org);
        try
        {
            Check(raw.sqlite3_bind_blob(_byId, 1, id));
            Check(raw.sqlite3_bind_blob(_byId, 2, org));
            return Step(_byId, writer) == 1;
        }
        finally
        {
            raw.sqlite3_reset(_byId);
        }
    }

    /// <param name="idsJson">The ids as a JSON array of the hex of their stored bytes, in the order to answer.</param>
    public int WriteMany(Guid orgId, ReadOnlySpan<byte> idsJson, IImageRowWriter writer)
    {
        Span<byte> org = stackalloc byte[16];
        orgId.TryWriteBytes(org);
        try
        {
            Check(raw.sqlite3_bind_text(_byIds, 1, idsJson));
            Check(raw.sqlite3_bind_blob(_byIds, 2, org));
            return Step(_byIds, writer);
        }
        finally
        {
            raw.sqlite3_reset(_byIds);
            raw.sqlite3_clear_bindings(_byIds); // the list is not kept alive by the statement
        }
    }

    private int Step(sqlite3_stmt statement, IImageRowWriter writer)
    {
        var rows = 0;
        var position = -1L;
        while (true)
        {
            var rc = raw.sqlite3_step(statement);
            if (rc == raw.SQLITE_DONE) return rows;
            if (rc != raw.SQLITE_ROW) Check(rc);
            if (statement == _byIds)
            {
                var key = raw.sqlite3_column_int64(statement, PositionColumn);
                if (key <= position) throw new InvalidOperationException("SQLite returned the images out of the order asked.");
                position = key;
            }
            writer.Write(new ImageRow
            {
                Id = new Guid(raw.sqlite3_column_blob(statement, 0)),
                DatasetId = new Guid(raw.sqlite3_column_blob(statement, 1)),
                Path = raw.sqlite3_column_blob(statement, 2),
                HasUserId = !IsNull(statement, 3),
                UserId = raw.sqlite3_column_blob(statement, 3),
                HasMetadata = !IsNull(statement, 4),
                MetadataJson = raw.sqlite3_column_blob(statement, 4),
                Status = raw.sqlite3_column_blob(statement, 5),
                HasTechnicalMetadata = !IsNull(statement, 6),
                TechnicalMetadataJson = raw.sqlite3_column_blob(statement, 6),
                CreatedBy = raw.sqlite3_column_blob(statement, 7),
                CreatedAtMicros = raw.sqlite3_column_int64(statement, 8),
                UpdatedBy = raw.sqlite3_column_blob(statement, 9),
                UpdatedAtMicros = raw.sqlite3_column_int64(statement, 10),
            });
            rows++;
        }
    }

    private static bool IsNull(sqlite3_stmt statement, int column) => raw.sqlite3_column_type(statement, column) == raw.SQLITE_NULL;

    private sqlite3_stmt Prepare(string sql)
    {
        Check(raw.sqlite3_prepare_v2(_db, sql, out var statement));
        return statement;
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    public void Dispose()
    {
        _byId.Dispose();
        _byIds.Dispose();
    }
}
