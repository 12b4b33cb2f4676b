using System.Runtime.CompilerServices;

namespace Iris.Blobs;

/// <summary>Blobs as files under a folder (the data folder's <c>blobs/</c>), each written whole and then renamed into place.</summary>
public sealed class FileBlobStore : IBlobStore
{
    private readonly string _root;
    private readonly string _incoming;

    /// <param name="cleanStaging">
    /// Empty the staging folder of files a crash left: only the process that owns the data folder may (a backup reading
    /// a running server's folder must not).
    /// </param>
    public FileBlobStore(string root, bool cleanStaging = true)
    {
        _root = System.IO.Path.GetFullPath(root);
        // The store's own staging folder, so a reader never sees half a blob.
        _incoming = System.IO.Path.Combine(_root, "tmp");
        Directory.CreateDirectory(_incoming);
        if (!cleanStaging) return;
        foreach (var file in Directory.EnumerateFiles(_incoming))
        {
            try { File.Delete(file); } catch (IOException) { }
        }
    }

    public Task<bool> ExistsAsync(string key, CancellationToken ct = default) => Task.FromResult(File.Exists(PathOf(key)));

    public Task PutFileAsync(string key, string localFile, CancellationToken ct = default)
    {
        var target = PathOf(key);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        try
        {
            File.Move(localFile, target, overwrite: true);
        }
        catch (IOException) when (File.Exists(localFile))
        {
            // Another volume (a scratch folder elsewhere): copy through the staging folder, then rename.
            var staged = Staged();
            File.Copy(localFile, staged);
            File.Move(staged, target, overwrite: true);
            File.Delete(localFile);
        }
        return Task.CompletedTask;
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken ct = default)
    {
        var target = PathOf(key);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        var staged = Staged();
        try
        {
            await using (var file = new FileStream(staged, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
                await file.WriteAsync(bytes, ct);
            File.Move(staged, target, overwrite: true);
        }
        finally
        {
            File.Delete(staged); // gone already once moved
        }
    }

    public Task<Stream?> OpenReadAsync(string key, CancellationToken ct = default)
    {
        try
        {
            return Task.FromResult<Stream?>(new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, useAsync: true));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    public Task DeleteAsync(string key, CancellationToken ct = default)
    {
        try
        {
            File.Delete(PathOf(key));
        }
        catch (DirectoryNotFoundException)
        {
            // no such blob, nor its folder
        }
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        // Keys are '/'-separated paths below the root; only the folder the prefix names is walked.
        var found = new List<BlobInfo>();
        var slash = prefix.LastIndexOf('/');
        var folder = slash < 0 ? _root : System.IO.Path.Combine(_root, prefix[..slash]);
        if (Directory.Exists(folder))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            {
                ct.ThrowIfCancellationRequested();
                var key = System.IO.Path.GetRelativePath(_root, file).Replace(System.IO.Path.DirectorySeparatorChar, '/');
                if (key.StartsWith("tmp/", StringComparison.Ordinal) || !key.StartsWith(prefix, StringComparison.Ordinal)) continue;
                var info = new FileInfo(file);
                found.Add(new BlobInfo(key, info.Length, info.LastWriteTimeUtc));
            }
        }
        found.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var blob in found) yield return blob;
        await Task.CompletedTask;
    }

    private string Staged() => System.IO.Path.Combine(_incoming, Guid.NewGuid().ToString("N"));

    // Keys are made by Iris (BlobKeys), never by users; still refuse anything that could leave the root.
    private string PathOf(string key)
    {
        if (key.Length == 0 || key.Contains("..", StringComparison.Ordinal) || key.StartsWith('/') || key.Contains('\\') || key.StartsWith("tmp/", StringComparison.Ordinal))
            throw new ArgumentException($"Invalid blob key '{key}'.", nameof(key));
        return System.IO.Path.Combine(_root, key);
    }
}
