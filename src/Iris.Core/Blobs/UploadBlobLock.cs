namespace Iris.Blobs;

/// <summary>
/// Serializes the short steps that decide whether an uploaded blob exists, is referenced, or goes: filing staged
/// bytes and inserting the images that point at them (an upload), and deleting blobs no image points at any more
/// (a dataset deleted, an upload whose paths existed). Without it, one request could delete bytes that a second
/// one, uploading the same bytes at that moment, had just found and pointed a new image at. Streaming the bytes
/// happens outside the lock; one server owns a data folder, so a lock in the process is enough.
/// </summary>
public sealed class UploadBlobLock
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<IDisposable> AcquireAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        return new Release(_gate);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release();
        }
    }
}
