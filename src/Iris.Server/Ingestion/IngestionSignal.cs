namespace Iris.Server.Ingestion;

/// <summary>Wakes idle workers when images are added, so a new image does not wait for the next poll.</summary>
public sealed class IngestionSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, int.MaxValue);

    public void Notify()
    {
        // Wake at most as many waiters as there are; extra releases would only cause empty claims.
        if (_semaphore.CurrentCount < 64) _semaphore.Release();
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _semaphore.WaitAsync(timeout, ct);
}
