using System.Text;
using Iris.Models;
using SQLitePCL;

namespace Iris.Catalog.Sqlite;

/// <summary>
/// One image row copied out of SQLite (the columns an <see cref="ImageRow"/> and a <see cref="PathStatus"/> carry, their
/// UTF-8 text in one array), so it can be handed to writers after its statement has moved on, and kept in the
/// <see cref="ImageRowCache"/>. Its columns never change once read.
/// </summary>
internal sealed class CachedImageRow
{
    // Ends of the text columns in _text, in this order.
    private const int PathEnd = 0, UserIdEnd = 1, MetadataEnd = 2, StatusEnd = 3, TechnicalEnd = 4, CreatedByEnd = 5, UpdatedByEnd = 6,
        ErrorCodeEnd = 7, ErrorReasonEnd = 8, EventTypeEnd = 9, EventDetailEnd = 10;

    /// <summary>What a row costs in memory besides its text: this object, the array's header, the cache's four index entries.</summary>
    private const int Overhead = 380;

    private readonly byte[] _text;
    private readonly TextEnds _ends;
    private readonly bool _hasUserId, _hasMetadata, _hasTechnical, _hasErrorCode, _hasErrorReason, _hasEvent, _hasEventDetail;
    private readonly long _eventAtMicros;

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
        _hasErrorCode = !IsNull(statement, ImageRowStatements.ErrorCodeColumn);
        _hasErrorReason = !IsNull(statement, ImageRowStatements.ErrorReasonColumn);
        _hasEvent = !IsNull(statement, ImageRowStatements.EventTypeColumn);
        _hasEventDetail = !IsNull(statement, ImageRowStatements.EventDetailColumn);
        _eventAtMicros = raw.sqlite3_column_int64(statement, ImageRowStatements.EventAtColumn);

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

    /// <summary>The path as SQLite holds it (UTF-8): what the cache's path index compares.</summary>
    public ReadOnlySpan<byte> PathUtf8 => Text(PathEnd);

    /// <summary>The row as the statuses routes answer it, for <paramref name="path"/> (the path asked, equal to this row's).</summary>
    public PathStatus ToPathStatus(string path) => new(
        path,
        Known(Text(StatusEnd), StatusValues),
        Id,
        _hasErrorCode ? Encoding.UTF8.GetString(Text(ErrorCodeEnd)) : null,
        _hasErrorReason ? Encoding.UTF8.GetString(Text(ErrorReasonEnd)) : null,
        _hasEvent
            ? new ImageEvent(Known(Text(EventTypeEnd), EventTypeValues), CatalogTime.FromMicros(_eventAtMicros),
                _hasEventDetail ? Encoding.UTF8.GetString(Text(EventDetailEnd)) : null)
            : null);

    // The few values these columns take, handed out as the same strings instead of a new one per answer.
    private static readonly string[] StatusValues = [ImageStatus.Completed, ImageStatus.Pending, ImageStatus.ProcessingStarted, ImageStatus.Error];
    private static readonly string[] EventTypeValues =
        [EventTypes.Completed, EventTypes.Received, EventTypes.FileDownloaded, EventTypes.KindDetermined, EventTypes.MetadataStored, EventTypes.Stored, EventTypes.Error];

    private static string Known(ReadOnlySpan<byte> utf8, string[] values)
    {
        foreach (var value in values)
        {
            if (System.Text.Ascii.Equals(utf8, value)) return value;
        }
        return Encoding.UTF8.GetString(utf8);
    }

    private ReadOnlySpan<byte> Text(int column)
    {
        var start = column == 0 ? 0 : _ends[column - 1];
        return _text.AsSpan(start, _ends[column] - start);
    }

    [System.Runtime.CompilerServices.InlineArray(11)]
    private struct TextEnds
    {
        private int _end;
    }

    private static bool IsNull(sqlite3_stmt statement, int column) => raw.sqlite3_column_type(statement, column) == raw.SQLITE_NULL;
}
