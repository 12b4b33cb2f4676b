namespace Iris.Server.Hosting;

/// <summary>
/// The data folder (catalog, uploads, previews), owner-only, held by one server at a time: the
/// embedded catalog assumes a single node, so a second server on the same folder is refused.
/// </summary>
public sealed class DataFolder : IDisposable
{
    private readonly FileStream _lock;

    private DataFolder(string path, FileStream @lock)
    {
        Path = path;
        _lock = @lock;
    }

    public string Path { get; }

    public static DataFolder Acquire(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!OperatingSystem.IsWindows())
            Directory.CreateDirectory(full, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        else
            Directory.CreateDirectory(full);
        try
        {
            var @lock = new FileStream(System.IO.Path.Combine(full, "iris.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new DataFolder(full, @lock);
        }
        catch (IOException)
        {
            throw new InvalidOperationException($"Another Iris server is using the data folder {full}.");
        }
    }

    public void Dispose() => _lock.Dispose();
}
