using System.Numerics.Tensors;

namespace Iris.Search;

/// <summary>
/// Brute force over every stored vector: exact answers, no build cost, a search time linear in the count. Vectors are
/// kept as float32 in blocks of <see cref="BlockVectors"/> rows (contiguous within a block, so a scan streams memory
/// and growth never copies what is stored). Searches run concurrently under a read lock; Add and Remove take the
/// write lock. Remove moves the last vector into the freed row, so the rows stay dense.
/// </summary>
public sealed class ExactVectorIndex : IVectorIndex
{
    private const int BlockVectors = 1024;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly List<float[]> _blocks = [];
    private readonly List<Guid> _ids = [];
    private readonly Dictionary<Guid, int> _rows = [];

    public ExactVectorIndex(int dimensions)
    {
        VectorArguments.CheckDimensions(dimensions);
        Dimensions = dimensions;
    }

    public int Dimensions { get; }

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _ids.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    public long MemoryBytes
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                // Blocks, the row-to-id list, and the id-to-row table (about 24 bytes an entry plus its bucket).
                return (long)_blocks.Count * BlockVectors * Dimensions * sizeof(float)
                       + (long)_ids.Capacity * 16
                       + (long)_rows.EnsureCapacity(0) * 28;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    public void Add(Guid id, ReadOnlySpan<float> vector)
    {
        VectorArguments.Check(vector, Dimensions, nameof(vector));
        _lock.EnterWriteLock();
        try
        {
            if (!_rows.TryGetValue(id, out var row))
            {
                row = _ids.Count;
                if (row / BlockVectors == _blocks.Count)
                    _blocks.Add(new float[BlockVectors * Dimensions]);
                _ids.Add(id);
                _rows.Add(id, row);
            }
            vector.CopyTo(Row(row));
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public bool Remove(Guid id)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_rows.Remove(id, out var row))
                return false;
            var last = _ids.Count - 1;
            if (row != last)
            {
                Row(last).CopyTo(Row(row));
                _ids[row] = _ids[last];
                _rows[_ids[row]] = row;
            }
            _ids.RemoveAt(last);
            // Keep one spare block at most, so a remove/add at a block edge does not allocate each time.
            if (_blocks.Count * BlockVectors - _ids.Count > 2 * BlockVectors)
                _blocks.RemoveAt(_blocks.Count - 1);
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public IReadOnlyList<VectorMatch> Search(ReadOnlySpan<float> query, int count, Func<Guid, bool>? accept = null)
    {
        VectorArguments.Check(query, Dimensions, nameof(query));
        VectorArguments.CheckCount(count);
        _lock.EnterReadLock();
        try
        {
            var top = new TopMatches(Math.Min(count, _ids.Count));
            if (top.IsFull) // count 0 or an empty index
                return [];
            var dimensions = Dimensions;
            for (var b = 0; b < _blocks.Count; b++)
            {
                var block = _blocks[b].AsSpan();
                var rows = Math.Min(BlockVectors, _ids.Count - b * BlockVectors);
                for (var r = 0; r < rows; r++)
                {
                    var score = TensorPrimitives.Dot(query, block.Slice(r * dimensions, dimensions));
                    // The filter is asked only about vectors that would make the answer, which is most often few.
                    if (!top.Admits(score))
                        continue;
                    var id = _ids[b * BlockVectors + r];
                    if (accept is null || accept(id))
                        top.Add(id, score);
                }
            }
            return top.ToSortedArray();
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Every stored (id, vector) pair, copied under the read lock: for building another index from this one.</summary>
    internal IEnumerable<(Guid Id, float[] Vector)> Snapshot()
    {
        _lock.EnterReadLock();
        try
        {
            var pairs = new (Guid, float[])[_ids.Count];
            for (var row = 0; row < pairs.Length; row++)
                pairs[row] = (_ids[row], Row(row).ToArray());
            return pairs;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public void Dispose()
    {
        _lock.Dispose();
    }

    private Span<float> Row(int row) =>
        _blocks[row / BlockVectors].AsSpan(row % BlockVectors * Dimensions, Dimensions);
}
