using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Iris.Catalog.Sqlite;

/// <summary>
/// Recently read image rows, kept in memory up to a budget of bytes, so a read of a hot image (the metadata routes by
/// id, the statuses routes by dataset and path) reads neither the file nor SQLite's page cache. On a large catalog each
/// such read cost a few page reads from the operating system, most of the route's time.
/// </summary>
/// <remarks>
/// <para>It is exact because only this process writes the file (the data folder's lock): every connection the catalog
/// writes through reports the rowids of the image rows its statements insert, update or delete (SQLite's update
/// hook), and those rows are dropped when the connection is closed, after its transaction committed or rolled back,
/// before the write returns to its caller. A read that began before a drop of its row's stripe does not keep what it
/// read (its snapshot may predate the commit): <see cref="Version"/> taken before the read is checked against the
/// stripe's last drop.</para>
/// <para>When full, a row chosen at random makes room: under a scan of more rows than fit (a client paging through a
/// dataset over and over), a least-recently-used or first-in-first-out cache would miss every time.</para>
/// </remarks>
internal sealed class ImageRowCache
{
    private const int Stripes = 4096; // by rowid: how precisely a drop spoils reads in flight

    private readonly long _budget;
    private readonly ConcurrentDictionary<Guid, CachedImageRow> _byId = new();
    private readonly ConcurrentDictionary<CachedImageRow, CachedImageRow> _byPath = new(PathComparer.Instance);
    private readonly ConcurrentDictionary<CachedImageRow, CachedImageRow>.AlternateLookup<PathKey> _byPathLookup;
    private readonly object _lock = new();

    // Under _lock: the rows by rowid, and in an array for picking one at random (each row knows its index, Slot).
    private readonly Dictionary<long, CachedImageRow> _byRowId = new();
    private readonly List<CachedImageRow> _slots = new();
    private readonly long[] _droppedAt = new long[Stripes];
    private long _bytes;
    private long _version;

    /// <param name="budgetBytes">0 keeps nothing.</param>
    public ImageRowCache(long budgetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(budgetBytes);
        _budget = budgetBytes;
        _byPathLookup = _byPath.GetAlternateLookup<PathKey>();
    }

    public bool Enabled => _budget > 0;

    /// <summary>Counts drops; take it before a read whose rows may be kept.</summary>
    public long Version => Volatile.Read(ref _version);

    public long Bytes => Volatile.Read(ref _bytes);

    public int Count => _byId.Count;

    public bool TryGet(Guid imageId, out CachedImageRow row) => _byId.TryGetValue(imageId, out row!);

    /// <summary>The row of a dataset's path (its UTF-8 bytes, as SQLite compares them), if kept.</summary>
    public bool TryGet(Guid datasetId, ReadOnlySpan<byte> pathUtf8, out CachedImageRow row) =>
        _byPathLookup.TryGetValue(new PathKey(datasetId, pathUtf8), out row!);

    /// <summary>Keeps a row read by a read that began at <paramref name="readVersion"/>, unless its stripe was dropped since.</summary>
    public void Add(CachedImageRow row, long readVersion)
    {
        if (!Enabled || row.Size > _budget) return;
        lock (_lock)
        {
            if (_droppedAt[Stripe(row.RowId)] > readVersion || _byRowId.ContainsKey(row.RowId)) return;
            while (_bytes + row.Size > _budget && _slots.Count > 0) Remove(_slots[Random.Shared.Next(_slots.Count)]);
            _byRowId[row.RowId] = row;
            row.Slot = _slots.Count;
            _slots.Add(row);
            _bytes += row.Size;
            _byId[row.Id] = row;
            _byPath[row] = row;
        }
    }

    /// <summary>Forgets the rows a committed (or rolled back) write changed.</summary>
    public void Drop(IReadOnlyList<long> rowIds)
    {
        if (rowIds.Count == 0) return;
        lock (_lock)
        {
            foreach (var rowId in rowIds)
            {
                _droppedAt[Stripe(rowId)] = ++_version;
                if (_byRowId.TryGetValue(rowId, out var row)) Remove(row);
            }
        }
    }

    /// <summary>
    /// Reports the image rows the connection's statements change until it is closed, then drops them. Call on every
    /// connection the catalog may write through, each time it is opened.
    /// </summary>
    public void Track(SqliteConnection connection)
    {
        if (!Enabled) return;
        var changed = new List<long>();
        raw.sqlite3_update_hook(connection.Handle, OnUpdate, changed);
        connection.StateChange += (_, e) =>
        {
            if (e.CurrentState != System.Data.ConnectionState.Closed) return;
            List<long> rows;
            lock (changed)
            {
                rows = [.. changed];
                changed.Clear();
            }
            Drop(rows);
        };
    }

    private static void OnUpdate(object state, int operation, utf8z database, utf8z table, long rowId)
    {
        if (!IsImages(table)) return;
        var changed = (List<long>)state;
        lock (changed) changed.Add(rowId);
    }

    private static bool IsImages(utf8z table)
    {
        ref readonly byte name = ref table.GetPinnableReference();
        var images = "images"u8;
        for (var i = 0; i < images.Length; i++)
        {
            if (System.Runtime.CompilerServices.Unsafe.Add(ref System.Runtime.CompilerServices.Unsafe.AsRef(in name), i) != images[i]) return false; // stops at the terminator too
        }
        return System.Runtime.CompilerServices.Unsafe.Add(ref System.Runtime.CompilerServices.Unsafe.AsRef(in name), images.Length) == 0;
    }

    private void Remove(CachedImageRow row)
    {
        var last = _slots[^1];
        _slots[row.Slot] = last;
        last.Slot = row.Slot;
        _slots.RemoveAt(_slots.Count - 1);
        _byRowId.Remove(row.RowId);
        _byId.TryRemove(new KeyValuePair<Guid, CachedImageRow>(row.Id, row));
        _byPath.TryRemove(new KeyValuePair<CachedImageRow, CachedImageRow>(row, row));
        _bytes -= row.Size;
    }

    private static int Stripe(long rowId) => (int)((ulong)rowId % Stripes);

    /// <summary>A dataset and a path, to find a row by without one at hand.</summary>
    private readonly ref struct PathKey(Guid datasetId, ReadOnlySpan<byte> pathUtf8)
    {
        public Guid DatasetId { get; } = datasetId;
        public ReadOnlySpan<byte> PathUtf8 { get; } = pathUtf8;
    }

    /// <summary>Rows are equal by dataset and path (unique in the catalog), byte for byte as SQLite compares them.</summary>
    private sealed class PathComparer : IEqualityComparer<CachedImageRow>, IAlternateEqualityComparer<PathKey, CachedImageRow>
    {
        public static readonly PathComparer Instance = new();

        public bool Equals(CachedImageRow? x, CachedImageRow? y) =>
            ReferenceEquals(x, y) || (x is not null && y is not null && x.DatasetId == y.DatasetId && x.PathUtf8.SequenceEqual(y.PathUtf8));

        public int GetHashCode(CachedImageRow row) => Hash(row.DatasetId, row.PathUtf8);

        public bool Equals(PathKey key, CachedImageRow row) => key.DatasetId == row.DatasetId && key.PathUtf8.SequenceEqual(row.PathUtf8);

        public int GetHashCode(PathKey key) => Hash(key.DatasetId, key.PathUtf8);

        public CachedImageRow Create(PathKey key) => throw new NotSupportedException("Rows are added as rows.");

        private static int Hash(Guid datasetId, ReadOnlySpan<byte> path)
        {
            var hash = new HashCode();
            hash.Add(datasetId);
            hash.AddBytes(path);
            return hash.ToHashCode();
        }
    }
}
