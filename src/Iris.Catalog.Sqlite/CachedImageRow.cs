using SQLitePCL;

namespace Iris.Catalog.Sqlite;

/// <summary>
/// One image row copied out of SQLite (the columns an <see cref="ImageRow"/> carries, their UTF-8 text in one array),
/// so it can be handed to writers after its statement has moved on, and kept in the <see cref="ImageRowCache"/>.
/// Its columns never change once read.
/// </summary>
internal sealed class CachedImageRow
{
    // Ends of the text columns in _text, in this order.
    private const int PathEnd = 0, UserIdEnd = 1, MetadataEnd = 2, StatusEnd = 3, TechnicalEnd = 4, CreatedByEnd = 5, UpdatedByEnd = 6;

    /// <summary>What a row costs in memory besides its text: this object, the array's header, two index entries.</summary>
    private const int Overhead = 320;

    private readonly byte[] _text;
    private readonly TextEnds _ends;
    private readonly bool _hasUserId, _hasMetadata, _hasTechnical;

    private CachedImageRow(sqlite3_stmt statement)
    {
        Id = new Guid(raw.sqlite3_column_blob(statement, ImageRowStatements.IdColumn));
        OrgId = new Guid(raw.sqlite3_column_blob(statement, ImageRowStatements.OrgColumn));
        DatasetId = new Guid(raw.sqlite3_column_blob(statement, ImageRowStatements.DatasetColumn));
        RowId = raw.sqlite3_column_int64(statement, ImageRowStatements.RowIdColumn);
        CreatedAtMicros = raw.sqlite3_column_int64(statement, ImageRowStatements.CreatedAtColumn);
        UpdatedAtMicros = raw.sqlite3_column_int64(statement, ImageRowStatements.UpdatedAtColumn);
        _hasUserId = !IsNull(statement, ImageRowStatements.UserIdColumn);
        _hasMetadata = !IsNull(statement, ImageRowStatements.MetadataColumn);
        _hasTechnical = !IsNull(statement, ImageRowStatements.TechnicalColumn);

        ReadOnlySpan<int> columns = ImageRowStatements.TextColumns;
        var length = 0;
        foreach (var column in columns) length += raw.sqlite3_column_bytes(statement, column);
        _text = new byte[length];
        var at = 0;
        for (var i = 0; i < columns.Length; i++)
        {
            var value = raw.sqlite3_column_blob(statement, columns[i]);
            value.CopyTo(_text.AsSpan(at));
            at += value.Length;
            _ends[i] = at;
        }
    }

    /// <summary>Copies the current row of a statement whose columns are <see cref="ImageRowStatements"/>' own.</summary>
    public static CachedImageRow Read(sqlite3_stmt statement) => new(statement);

    public Guid Id { get; }
    public Guid OrgId { get; }
    public Guid DatasetId { get; }

    /// <summary>SQLite's rowid of the image: what its update hook names when the row changes.</summary>
    public long RowId { get; }

    public long CreatedAtMicros { get; }
    public long UpdatedAtMicros { get; }

    /// <summary>Its index in the cache's array of rows (set and read under the cache's lock).</summary>
    internal int Slot;

    /// <summary>Bytes of memory the row holds, as the cache counts them.</summary>
    public int Size => _text.Length + Overhead;

    public void WriteTo(IImageRowWriter writer) => writer.Write(new ImageRow
    {
        Id = Id,
        DatasetId = DatasetId,
        Path = Text(PathEnd),
        HasUserId = _hasUserId,
        UserId = Text(UserIdEnd),
        HasMetadata = _hasMetadata,
        MetadataJson = Text(MetadataEnd),
        Status = Text(StatusEnd),
        HasTechnicalMetadata = _hasTechnical,
        TechnicalMetadataJson = Text(TechnicalEnd),
        CreatedBy = Text(CreatedByEnd),
        CreatedAtMicros = CreatedAtMicros,
        UpdatedBy = Text(UpdatedByEnd),
        UpdatedAtMicros = UpdatedAtMicros,
    });

    private ReadOnlySpan<byte> Text(int column)
    {
        var start = column == 0 ? 0 : _ends[column - 1];
        return _text.AsSpan(start, _ends[column] - start);
    }

    [System.Runtime.CompilerServices.InlineArray(7)]
    private struct TextEnds
    {
        private int _end;
    }

    private static bool IsNull(sqlite3_stmt statement, int column) => raw.sqlite3_column_type(statement, column) == raw.SQLITE_NULL;
}
