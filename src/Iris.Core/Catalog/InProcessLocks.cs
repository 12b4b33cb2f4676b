namespace Iris.Catalog;

/// <summary>
/// <see cref="ICatalogLocks"/> for a catalog only one process uses (the embedded one: one server per data folder):
/// a semaphore per name, created while someone holds or waits for it.
/// </summary>
public sealed class InProcessLocks : ICatalogLocks
{
    private readonly Dictionary<string, (SemaphoreSlim Gate, int Users)> _locks = new(StringComparer.Ordinal);

    public async Task<IAsyncDisposable> AcquireAsync(IReadOnlyCollection<string> names, CancellationToken ct = default)
    {
        var ordered = names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var held = new List<string>(ordered.Length);
        try
        {
            foreach (var name in ordered)
            {
                var gate = Enter(name);
                try
                {
                    await gate.WaitAsync(ct).ConfigureAwait(false);
                }
                catch
                {
                    Leave(name, release: false);
                    throw;
                }
                held.Add(name);
            }
            return new Held(this, held);
        }
        catch
        {
            foreach (var name in held) Leave(name, release: true);
            throw;
        }
    }

    private SemaphoreSlim Enter(string name)
    {
        lock (_locks)
        {
            var entry = _locks.TryGetValue(name, out var found) ? found : (new SemaphoreSlim(1, 1), 0);
            _locks[name] = (entry.Item1, entry.Item2 + 1);
            return entry.Item1;
        }
    }

    private void Leave(string name, bool release)
    {
        lock (_locks)
        {
            var (gate, users) = _locks[name];
            if (release) gate.Release();
            if (users == 1)
            {
                _locks.Remove(name);
                gate.Dispose();
            }
            else
            {
                _locks[name] = (gate, users - 1);
            }
        }
    }

    private sealed class Held(InProcessLocks owner, List<string> names) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                for (var i = names.Count - 1; i >= 0; i--) owner.Leave(names[i], release: true);
            }
            return ValueTask.CompletedTask;
        }
    }
}
