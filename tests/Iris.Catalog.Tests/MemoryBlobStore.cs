using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Iris.Blobs;

namespace Iris.Catalog.Tests;

/// <summary>Blobs in a dictionary, for the Core services' rules about which bytes stay and which go.</summary>
public sealed class MemoryBlobStore : IBlobStore
{
    private readonly ConcurrentDictionary<string, byte[]> _blobs = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Keys => _blobs.Keys.Order(StringComparer.Ordinal).ToList();

    public Task<bool> ExistsAsync(string key, CancellationToken ct = default) => Task.FromResult(_blobs.ContainsKey(key));

    public async Task PutFileAsync(string key, string localFile, CancellationToken ct = default)
    {
        _blobs[key] = await File.ReadAllBytesAsync(localFile, ct);
        File.Delete(localFile);
    }

    public Task PutAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken ct = default)
    {
        _blobs[key] = bytes.ToArray();
        return Task.CompletedTask;
    }

    public Task<Stream?> OpenReadAsync(string key, CancellationToken ct = default) =>
        Task.FromResult<Stream?>(_blobs.TryGetValue(key, out var bytes) ? new MemoryStream(bytes, writable: false) : null);

    public Task DeleteAsync(string key, CancellationToken ct = default)
    {
        _blobs.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var key in Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
            yield return new BlobInfo(key, _blobs[key].Length, DateTimeOffset.UtcNow);
        await Task.CompletedTask;
    }
}
