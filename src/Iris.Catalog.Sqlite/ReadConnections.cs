using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Iris.Catalog.Sqlite;

/// <summary>
/// Open connections kept for the hot read path (image metadata and statuses), each with its
/// statements prepared once. Microsoft.Data.Sqlite prepares every new command again, and finalizes
/// a pooled connection's statements when it is closed: on a point read that cost more than the
/// lookup. A reader rents a connection, reads without awaiting, and returns it; at most
/// <see cref="MaxIdle"/> are kept (the reads never wait on anything, so about one connection per
/// busy thread is ever in use).
/// </summary>
internal sealed class ReadConnections(string connectionString) : IDisposable
{
    private static readonly int MaxIdle = Environment.ProcessorCount * 2 + 2;

    private readonly ConcurrentStack<ReadConnection> _idle = new();
    private volatile bool _disposed;

    public ReadConnection Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _idle.TryPop(out var connection) ? connection : new ReadConnection(connectionString);
    }

    public void Return(ReadConnection connection)
    {
        if (_disposed || _idle.Count >= MaxIdle || connection.Broken) connection.Dispose();
        else _idle.Push(connection);
        if (_disposed) Dispose(); // a return racing with Dispose
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryPop(out var connection)) connection.Dispose();
    }
}

/// <summary>
/// One open, read-only connection and its prepared statements. A batch is one statement over a JSON
/// array (<c>json_each</c>) joined to the indexed columns, in the order of the array: a single
/// snapshot, and no per-item statement reset, bind and reader (about 12% less CPU per item than
/// a prepared lookup per item). The array is the outer loop of the join (the left side of a LEFT or
/// CROSS JOIN), so rows come in its order without an ORDER BY, which made SQLite sort the rows in a
/// temporary B-tree; readers check the array position (<c>j.key</c>) of every row instead.
/// </summary>
internal sealed class ReadConnection : IDisposable
{
    public ReadConnection(string connectionString)
    {
        Connection = new SqliteConnection(connectionString);
        try
        {
            Connection.Open();
            using var pragmas = Connection.Command(null, "PRAGMA busy_timeout=10000; PRAGMA query_only=1;");
            pragmas.ExecuteNonQuery();
        }
        catch
        {
            Connection.Dispose();
            throw;
        }

        ImageById = Connection.Command(null, $"SELECT {Db.ImageColumns} FROM images WHERE id = @id AND org_id = @org");
        ImageId = ImageById.Param("@id", SqliteType.Blob);
        ImageOrg = ImageById.Param("@org", SqliteType.Blob);
        ImageById.Prepare();

        // As ImageRowStatements' list read: CROSS JOIN keeps the list the outer loop, so no ORDER BY (which sorted every
        // whole row in a temporary B-tree); the list position comes last, for the reader to check.
        ImagesByIds = Connection.Command(null, $"""
            SELECT {QualifiedImageColumns}, j.key FROM json_each(@ids) AS j CROSS JOIN images AS i ON i.id = unhex(j.value)
            WHERE i.org_id = @org
            """);
        ImagesIds = ImagesByIds.Param("@ids", SqliteType.Text);
        ImagesOrg = ImagesByIds.Param("@org", SqliteType.Blob);
        ImagesByIds.Prepare();

        Rows = new ImageRowStatements(Connection);
    }

    public SqliteConnection Connection { get; }

    /// <summary>Set when a read failed midway: the connection is closed instead of reused.</summary>
    public bool Broken { get; set; }

    public SqliteCommand ImageById { get; }
    public SqliteParameter ImageId { get; }
    public SqliteParameter ImageOrg { get; }

    private static readonly string QualifiedImageColumns = string.Join(", ", Db.ImageColumns.Split(", ").Select(c => "i." + c));

    public SqliteCommand ImagesByIds { get; }
    public SqliteParameter ImagesIds { get; }
    public SqliteParameter ImagesOrg { get; }

    /// <summary>The reads whose rows are written into answers as the catalog holds them.</summary>
    public ImageRowStatements Rows { get; }

    public void Dispose()
    {
        Rows.Dispose();
        ImageById.Dispose();
        ImagesByIds.Dispose();
        Connection.Dispose();
    }
}
