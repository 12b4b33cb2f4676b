using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Iris.Catalog.Sqlite;

/// <summary>
/// The image reads that answer straight from the rows (<see cref="IImageStore.WriteAsync"/>, <see cref="IImageStore.WriteManyAsync"/>,
/// <see cref="IImageStore.GetStatusesAsync"/>),
/// as SQLite statements of their own on a read connection: Microsoft.Data.Sqlite's reader copies every text column into
/// a string (and a blob into a new array), while SQLite's own column accessors give its UTF-8 bytes in place, copied
/// once into a <see cref="CachedImageRow"/> (one array per row) that the answer is written from and the cache keeps.
/// </summary>
internal sealed class ImageRowStatements : IDisposable
{
    // Ordinals of Columns, in order (CachedImageRow reads them by these names).
    private const string Columns =
        "id, org_id, dataset_id, path, user_id, metadata, status, technical_metadata, created_by, created_at, updated_by, updated_at, rowid, " +
        "error_code, error_reason, latest_event_type, latest_event_at, latest_event_detail";

    public const int IdColumn = 0, OrgColumn = 1, DatasetColumn = 2, UserIdColumn = 4, MetadataColumn = 5, TechnicalColumn = 7,
        CreatedAtColumn = 9, UpdatedAtColumn = 11, RowIdColumn = 12,
        ErrorCodeColumn = 13, ErrorReasonColumn = 14, EventTypeColumn = 15, EventAtColumn = 16, EventDetailColumn = 17;

    /// <summary>
    /// The text columns in CachedImageRow's order: path, user_id, metadata, status, technical_metadata, created_by, updated_by,
    /// error_code, error_reason, latest_event_type, latest_event_detail.
    /// </summary>
    public static ReadOnlySpan<int> TextColumns => [3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 17];

    private const int PositionColumn = 18; // j.key of the list reads

    internal const string ByIdSql = $"SELECT {Columns} FROM images WHERE id = ?1 AND org_id = ?2";

    // CROSS JOIN keeps the list as the outer loop, so rows come in its order without ORDER BY, which sorted every whole
    // row in a temporary B-tree; the list position (j.key) is checked as the rows come.
    internal static readonly string ByIdsSql = $"""
        SELECT {Qualified}, j.key
        FROM json_each(?1) AS j CROSS JOIN images AS i ON i.id = unhex(j.value)
        WHERE i.org_id = ?2
        """;

    internal static readonly string ByPathsSql = $"""
        SELECT {Qualified}, j.key
        FROM json_each(?1) AS j CROSS JOIN images AS i ON i.dataset_id = ?2 AND i.path = j.value
        WHERE i.org_id = ?3
        """;

    private static string Qualified => string.Join(", ", Columns.Split(", ").Select(c => "i." + c));

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _byId;
    private readonly sqlite3_stmt _byIds;
    private readonly sqlite3_stmt _byPaths;

    public ImageRowStatements(SqliteConnection connection)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var prepared = new List<sqlite3_stmt>();
        try
        {
            prepared.Add(_byId = Prepare(ByIdSql));
            prepared.Add(_byIds = Prepare(ByIdsSql));
            prepared.Add(_byPaths = Prepare(ByPathsSql));
        }
        catch
        {
            foreach (var statement in prepared) statement.Dispose();
            throw;
        }
    }

    /// <summary>The organization's image, or null.</summary>
    public CachedImageRow? ReadOne(Guid orgId, Guid imageId)
    {
        Span<byte> id = stackalloc byte[16];
        Span<byte> org = stackalloc byte[16];
        imageId.TryWriteBytes(id);
        orgId.TryWriteBytes(org);
        try
        {
            Check(raw.sqlite3_bind_blob(_byId, 1, id));
            Check(raw.sqlite3_bind_blob(_byId, 2, org));
            var rc = raw.sqlite3_step(_byId);
            if (rc == raw.SQLITE_DONE) return null;
            if (rc != raw.SQLITE_ROW) Check(rc);
            return CachedImageRow.Read(_byId);
        }
        finally
        {
            raw.sqlite3_reset(_byId);
        }
    }

    /// <summary>
    /// The organization's images of a list, each put at its list position in <paramref name="found"/> (unknown ids
    /// leave theirs null); returns how many were found.
    /// </summary>
    /// <param name="idsJson">The ids as a JSON array of the hex of their stored bytes.</param>
    public int ReadMany(Guid orgId, ReadOnlySpan<byte> idsJson, Span<CachedImageRow?> found)
    {
        Span<byte> org = stackalloc byte[16];
        orgId.TryWriteBytes(org);
        CheckBind(_byIds, raw.sqlite3_bind_text(_byIds, 1, idsJson));
        CheckBind(_byIds, raw.sqlite3_bind_blob(_byIds, 2, org));
        return ReadList(_byIds, found);
    }

    /// <summary>
    /// The images of the organization's dataset at the paths of a list, each put at its list position in
    /// <paramref name="found"/> (unknown paths leave theirs null); returns how many were found.
    /// </summary>
    /// <param name="pathsJson">The paths as a JSON array of strings (UTF-8).</param>
    public int ReadByPaths(Guid orgId, Guid datasetId, ReadOnlySpan<byte> pathsJson, Span<CachedImageRow?> found)
    {
        Span<byte> dataset = stackalloc byte[16];
        Span<byte> org = stackalloc byte[16];
        datasetId.TryWriteBytes(dataset);
        orgId.TryWriteBytes(org);
        CheckBind(_byPaths, raw.sqlite3_bind_text(_byPaths, 1, pathsJson));
        CheckBind(_byPaths, raw.sqlite3_bind_blob(_byPaths, 2, dataset));
        CheckBind(_byPaths, raw.sqlite3_bind_blob(_byPaths, 3, org));
        return ReadList(_byPaths, found);
    }

    private int ReadList(sqlite3_stmt statement, Span<CachedImageRow?> found)
    {
        try
        {
            var rows = 0;
            var position = -1L;
            while (true)
            {
                var rc = raw.sqlite3_step(statement);
                if (rc == raw.SQLITE_DONE) return rows;
                if (rc != raw.SQLITE_ROW) Check(rc);
                var key = raw.sqlite3_column_int64(statement, PositionColumn);
                if (key <= position || key >= found.Length) throw new InvalidOperationException("SQLite returned the images out of the order asked.");
                position = key;
                found[(int)key] = CachedImageRow.Read(statement);
                rows++;
            }
        }
        finally
        {
            raw.sqlite3_reset(statement);
            raw.sqlite3_clear_bindings(statement); // the list is not kept alive by the statement
        }
    }

    private sqlite3_stmt Prepare(string sql)
    {
        Check(raw.sqlite3_prepare_v2(_db, sql, out var statement));
        return statement;
    }

    /// <summary>As <see cref="Check"/>, first releasing what the list read bound so far (ReadList does after a read).</summary>
    private void CheckBind(sqlite3_stmt statement, int rc)
    {
        if (rc == raw.SQLITE_OK) return;
        raw.sqlite3_clear_bindings(statement);
        Check(rc);
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    public void Dispose()
    {
        _byId.Dispose();
        _byIds.Dispose();
        _byPaths.Dispose();
    }
}
