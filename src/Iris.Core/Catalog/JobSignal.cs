namespace Iris.Catalog;

/// <summary>
/// Wakes this process's idle workers when jobs may have been queued, so a new image does not wait for the next
/// poll. Engines call <see cref="Notify"/> after a commit that queued jobs (PostgreSQL also when another node's
/// NOTIFY arrives); workers still poll, so a lost wake-up only costs a second.
/// </summary>
public sealed class JobSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, int.MaxValue);

    public void Notify()
    {
        // Wake at most as many waiters as there are; extra releases would only cause empty claims.
        if (_semaphore.CurrentCount < 64) _semaphore.Release();
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _semaphore.WaitAsync(timeout, ct);
}
