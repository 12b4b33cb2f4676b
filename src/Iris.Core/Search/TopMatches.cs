namespace Iris.Search;

/// <summary>
/// The best <c>capacity</c> matches seen so far: a bounded min-heap whose root is the worst kept match, so a candidate
/// costs one comparison unless it beats that. Better means a higher score, then the smaller id (answers are the same
/// whatever order the vectors are stored in).
/// </summary>
internal sealed class TopMatches
{
    private readonly VectorMatch[] _heap;
    private int _count;

    public TopMatches(int capacity)
    {
        _heap = new VectorMatch[Math.Max(capacity, 0)];
    }

    public int Count => _count;

    public bool IsFull => _count == _heap.Length;

    /// <summary>True when a match with this score (and any id) could still be kept: cheaper than <see cref="Add"/>.</summary>
    public bool Admits(float score) => _count < _heap.Length || (_heap.Length > 0 && score >= _heap[0].Score);

    public void Add(Guid id, float score)
    {
        var match = new VectorMatch(id, score);
        if (_count < _heap.Length)
        {
            _heap[_count] = match;
            SiftUp(_count++);
        }
        else if (_heap.Length > 0 && Better(match, _heap[0]))
        {
            _heap[0] = match;
            SiftDown(0);
        }
    }

    /// <summary>The kept matches, best first.</summary>
    public VectorMatch[] ToSortedArray()
    {
        var result = _heap.AsSpan(0, _count).ToArray();
        Array.Sort(result, static (a, b) => Better(a, b) ? -1 : Better(b, a) ? 1 : 0);
        return result;
    }

    internal static bool Better(VectorMatch a, VectorMatch b) =>
        a.Score > b.Score || (a.Score == b.Score && a.Id.CompareTo(b.Id) < 0);

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (!Better(_heap[parent], _heap[i]))
                break;
            (_heap[parent], _heap[i]) = (_heap[i], _heap[parent]);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            var left = 2 * i + 1;
            if (left >= _count)
                return;
            var worst = left + 1 < _count && Better(_heap[left], _heap[left + 1]) ? left + 1 : left;
            if (!Better(_heap[i], _heap[worst]))
                return;
            (_heap[worst], _heap[i]) = (_heap[i], _heap[worst]);
            i = worst;
        }
    }
}
