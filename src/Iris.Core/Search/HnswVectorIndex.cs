using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Cloud.Unum.USearch;

namespace Iris.Search;

/// <summary>
/// Approximate search on USearch's HNSW graph (cosine metric), in memory. Each id gets a fresh 64-bit key at every
/// Add, so a replaced or removed vector's key is simply dead: searches drop dead keys through USearch's filter
/// callback, which is also where <c>accept</c> runs. A filtered search that finds fewer matches than asked (a
/// selective filter starves the graph walk) is answered by an exact scan of the accepted vectors instead.
/// <para>
/// Thread-safety: USearch searches and adds concurrently, each call holding one of its per-thread contexts, so native
/// calls are limited to as many contexts as there are processors; growing the capacity and removing take the gate
/// exclusively (USearch allows neither alongside other calls).
/// </para>
/// </summary>
public sealed unsafe class HnswVectorIndex : IVectorIndex
{
    private const int MinimumCapacity = 1024;
    private const int TieSlack = 16;

    private static readonly Func<Guid, bool> AcceptAll = static _ => true;

    private readonly HnswSettings _settings;
    private readonly USearchHandle _index;
    private readonly int _contextCount = Math.Max(1, Environment.ProcessorCount);
    private readonly SemaphoreSlim _contexts;
    // Native calls share the gate; capacity growth, removal and disposal hold it alone.
    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.NoRecursion);
    private readonly Lock _map = new();
    private readonly Dictionary<Guid, ulong> _keys = [];
    private Entry[] _entries = new Entry[MinimumCapacity];
    private ulong _nextKey;
    private int _count;
    private long _nativeEntries;
    private long _capacity;
    private bool _disposed;
    private int _expansionSearch;

    public HnswVectorIndex(int dimensions, HnswSettings? settings = null)
    {
        VectorArguments.CheckDimensions(dimensions);
        _settings = settings ?? new HnswSettings();
        _settings.Check();
        Dimensions = dimensions;
        _expansionSearch = _settings.ExpansionSearch;
        _contexts = new SemaphoreSlim(_contextCount, _contextCount);
        _index = USearchHandle.Create(new IndexOptions(
            metricKind: MetricKind.Cos,
            quantization: _settings.Quantization switch
            {
                VectorQuantization.Float32 => ScalarKind.Float32,
                VectorQuantization.Int8 => ScalarKind.Int8,
                _ => ScalarKind.Float16,
            },
            dimensions: (ulong)dimensions,
            connectivity: (ulong)_settings.Connectivity,
            expansionAdd: (ulong)_settings.ExpansionAdd,
            expansionSearch: (ulong)_settings.ExpansionSearch));
    }

    public int Dimensions { get; }

    public int Count => Volatile.Read(ref _count);

    public long MemoryBytes
    {
        get
        {
            long native;
            _gate.EnterReadLock();
            try
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                native = (long)USearchNative.usearch_memory_usage(_index, out var error);
                USearchNative.Check(error);
            }
            finally
            {
                _gate.ExitReadLock();
            }
            lock (_map)
                return native + (long)_entries.Length * Unsafe.SizeOf<Entry>() + (long)_keys.EnsureCapacity(0) * 32;
        }
    }

    /// <summary>Candidates kept while searching (ef): changeable at run time, for tuning recall against latency.</summary>
    public int ExpansionSearch
    {
        get => Volatile.Read(ref _expansionSearch);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _gate.EnterWriteLock();
            try
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                USearchNative.usearch_change_expansion_search(_index, (nuint)value, out var error);
                USearchNative.Check(error);
                Volatile.Write(ref _expansionSearch, value);
            }
            finally
            {
                _gate.ExitWriteLock();
            }
        }
    }

    /// <summary>Makes room for <paramref name="capacity"/> vectors at once (a build that knows its size grows once).</summary>
    public void Reserve(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Grow(capacity);
    }

    public void Add(Guid id, ReadOnlySpan<float> vector)
    {
        VectorArguments.Check(vector, Dimensions, nameof(vector));
        ulong key;
        ulong? replaced = null;
        long entries;
        lock (_map)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_keys.TryGetValue(id, out var old))
            {
                replaced = Kill(old) ? old : null;
                _count--;
            }
            key = _nextKey++;
            if (key >= (ulong)_entries.Length)
            {
                var grown = new Entry[_entries.Length * 2];
                _entries.CopyTo(grown, 0);
                Volatile.Write(ref _entries, grown);
            }
            _entries[key] = new Entry(id, live: true);
            _keys[id] = key;
            _count++;
            entries = Interlocked.Increment(ref _nativeEntries);
        }
        if (replaced is { } oldKey)
            RemoveNative(oldKey);
        if (entries > Volatile.Read(ref _capacity))
            Grow(entries);

        var added = false;
        try
        {
            AddNative(key, vector);
            added = true;
        }
        finally
        {
            bool removeNow;
            lock (_map)
            {
                ref var entry = ref _entries[key];
                entry.Added = added;
                // Replaced or removed while it was being linked: its remover left the native removal to this call.
                removeNow = added && !entry.Live;
                if (!added)
                {
                    Interlocked.Decrement(ref _nativeEntries);
                    if (entry.Live)
                    {
                        entry.Live = false;
                        _keys.Remove(id);
                        _count--;
                    }
                }
            }
            if (removeNow)
                RemoveNative(key);
        }
    }

    public bool Remove(Guid id)
    {
        ulong key;
        bool native;
        lock (_map)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_keys.Remove(id, out key))
                return false;
            native = Kill(key);
            _count--;
        }
        if (native)
            RemoveNative(key);
        return true;
    }

    public IReadOnlyList<VectorMatch> Search(ReadOnlySpan<float> query, int count, Func<Guid, bool>? accept = null)
    {
        VectorArguments.Check(query, Dimensions, nameof(query));
        VectorArguments.CheckCount(count);
        var live = Count;
        if (count == 0 || live == 0)
            return [];
        // A few more than asked: ties at the cut are then settled by id rather than by the order the graph met them.
        var wanted = (int)Math.Min((long)count + TieSlack, live);
        var keys = ArrayPool<ulong>.Shared.Rent(wanted);
        var distances = ArrayPool<float>.Shared.Rent(wanted);
        var state = new FilterState(this, accept);
        var handle = GCHandle.Alloc(state);
        try
        {
            int found;
            _gate.EnterReadLock();
            _contexts.Wait();
            try
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                fixed (float* q = query)
                fixed (ulong* k = keys)
                fixed (float* d = distances)
                {
                    // Without a filter the plain search is used, and dead keys (a removal still under way) are dropped after.
                    found = accept is null
                        ? (int)USearchNative.usearch_search(_index, q, ScalarKind.Float32, (nuint)wanted, k, d, out var error)
                        : (int)USearchNative.usearch_filtered_search(_index, q, ScalarKind.Float32, (nuint)wanted,
                            &Filter, GCHandle.ToIntPtr(handle), k, d, out error);
                    USearchNative.Check(error);
                }
            }
            finally
            {
                _contexts.Release();
                _gate.ExitReadLock();
            }
            if (state.Error is { } thrown)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(thrown);

            var entries = Volatile.Read(ref _entries);
            var matches = new List<VectorMatch>(found);
            for (var i = 0; i < found; i++)
            {
                var key = keys[i];
                if (key < (ulong)entries.Length && entries[key].Live)
                    matches.Add(new VectorMatch(entries[key].Id, 1f - distances[i]));
            }
            // A filter that lets few through, or a request for every vector: the walk may not reach them all (removals
            // can leave nodes no path leads to), the scan does.
            if ((accept is not null || wanted == live) && matches.Count < Math.Min(count, live))
                return ScanAccepted(query, count, accept ?? AcceptAll);
            matches.Sort(static (a, b) => TopMatches.Better(a, b) ? -1 : TopMatches.Better(b, a) ? 1 : 0);
            if (matches.Count > count)
                matches.RemoveRange(count, matches.Count - count);
            return matches;
        }
        finally
        {
            handle.Free();
            ArrayPool<ulong>.Shared.Return(keys);
            ArrayPool<float>.Shared.Return(distances);
        }
    }

    public void Dispose()
    {
        _gate.EnterWriteLock();
        try
        {
            lock (_map)
            {
                if (_disposed)
                    return;
                _disposed = true;
            }
            _index.Dispose();
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    /// <summary>
    /// The exact answer among the accepted vectors, read back from the graph's own copies (as quantised): for the
    /// filters that let too few through for the graph walk to find them.
    /// </summary>
    private VectorMatch[] ScanAccepted(ReadOnlySpan<float> query, int count, Func<Guid, bool> accept)
    {
        var top = new TopMatches(count);
        var vector = new float[Dimensions];
        ulong end;
        lock (_map)
            end = _nextKey;
        _gate.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            fixed (float* v = vector)
            {
                for (ulong key = 0; key < end; key++)
                {
                    var entries = Volatile.Read(ref _entries);
                    var entry = entries[key];
                    if (!entry.Live || !entry.Added || !accept(entry.Id))
                        continue;
                    var got = USearchNative.usearch_get(_index, key, 1, v, ScalarKind.Float32, out var error);
                    USearchNative.Check(error);
                    if (got > 0)
                        top.Add(entry.Id, TensorPrimitives.Dot(query, vector));
                }
            }
        }
        finally
        {
            _gate.ExitReadLock();
        }
        return top.ToSortedArray();
    }

    /// <summary>Marks a key dead; true when it is in the graph already (the caller removes it there).</summary>
    private bool Kill(ulong key)
    {
        ref var entry = ref _entries[key];
        entry.Live = false;
        return entry.Added;
    }

    private void AddNative(ulong key, ReadOnlySpan<float> vector)
    {
        _gate.EnterReadLock();
        _contexts.Wait();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            fixed (float* v = vector)
            {
                USearchNative.usearch_add(_index, key, v, ScalarKind.Float32, out var error);
                USearchNative.Check(error);
            }
        }
        finally
        {
            _contexts.Release();
            _gate.ExitReadLock();
        }
    }

    private void RemoveNative(ulong key)
    {
        _gate.EnterWriteLock();
        try
        {
            if (_disposed)
                return;
            USearchNative.usearch_remove(_index, key, out var error);
            USearchNative.Check(error);
            Interlocked.Decrement(ref _nativeEntries);
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    private void Grow(long needed)
    {
        _gate.EnterWriteLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (needed <= _capacity)
                return;
            var capacity = Math.Max(Math.Max(needed, _capacity * 2), MinimumCapacity);
            USearchNative.usearch_reserve(_index, (nuint)capacity, out var error);
            USearchNative.Check(error);
            // Reserving resets USearch's thread contexts to the machine's thread count; make them match the semaphore.
            USearchNative.usearch_change_threads_add(_index, (nuint)_contextCount, out error);
            USearchNative.Check(error);
            USearchNative.usearch_change_threads_search(_index, (nuint)_contextCount, out error);
            USearchNative.Check(error);
            Volatile.Write(ref _capacity, capacity);
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Filter(ulong key, IntPtr state)
    {
        var filter = (FilterState)GCHandle.FromIntPtr(state).Target!;
        try
        {
            var entries = Volatile.Read(ref filter.Index._entries);
            if (key >= (ulong)entries.Length || !entries[key].Live)
                return 0;
            return filter.Accept is null || filter.Accept(entries[key].Id) ? 1 : 0;
        }
        catch (Exception e)
        {
            // Nothing may unwind through native frames: the search ends empty-handed and the caller rethrows.
            filter.Error ??= e;
            return 0;
        }
    }

    private struct Entry(Guid id, bool live)
    {
        public readonly Guid Id = id;
        public bool Live = live;
        public bool Added;
    }

    private sealed class FilterState(HnswVectorIndex index, Func<Guid, bool>? accept)
    {
        public HnswVectorIndex Index { get; } = index;
        public Func<Guid, bool>? Accept { get; } = accept;
        public Exception? Error { get; set; }
    }
}
