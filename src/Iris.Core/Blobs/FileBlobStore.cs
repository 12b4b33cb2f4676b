namespace Iris.Blobs;

/// <summary>Blobs as files under a folder (the data folder's <c>blobs/</c>), written by atomic rename.</summary>
public sealed class FileBlobStore : IBlobStore
{
    private readonly string _root;
    private readonly string _tmp;

    public FileBlobStore(string root)
    {
        _root = Path.GetFullPath(root);
        _tmp = Path.Combine(_root, "tmp");
        Directory.CreateDirectory(_tmp);
    }

    public Task PutFileAsync(string key, string localFile, CancellationToken ct = default)
    {
        var target = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(localFile, target, overwrite: true);
        return Task.CompletedTask;
    }

    public string? TryGetLocalPath(string key)
    {
        var path = PathOf(key);
        return File.Exists(path) ? path : null;
    }

    public Task<Stream?> OpenReadAsync(string key, CancellationToken ct = default)
    {
        var path = PathOf(key);
        Stream? stream = File.Exists(path)
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, useAsync: true)
            : null;
        return Task.FromResult(stream);
    }

    public Task DeleteAsync(string key, CancellationToken ct = default)
    {
        File.Delete(PathOf(key));
        return Task.CompletedTask;
    }

    public string NewTempPath() => Path.Combine(_tmp, Guid.NewGuid().ToString("N"));

    /// <summary>Removes temporary files left by a crash (called at start).</summary>
    public void CleanTemp()
    {
        foreach (var file in Directory.EnumerateFiles(_tmp))
        {
            try { File.Delete(file); } catch (IOException) { }
        }
    }

    // Keys are made by Iris (BlobKeys), never by users; still refuse anything that could leave the root.
    private string PathOf(string key)
    {
        if (key.Length == 0 || key.Contains("..", StringComparison.Ordinal) || key.StartsWith('/') || key.Contains('\\'))
            throw new ArgumentException($"Invalid blob key '{key}'.", nameof(key));
        return Path.Combine(_root, key);
    }
}
