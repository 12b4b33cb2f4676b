namespace Iris;

/// <summary>
/// Scratch files of this node (downloads being ingested, uploads being received), under the data folder's <c>tmp/</c>:
/// on the same volume as a folder blob store, so filing one is a rename. Emptied at start, when no request or worker
/// of this data folder can still be using one (one server per data folder).
/// </summary>
public sealed class TempFolder
{
    public TempFolder(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>A fresh file name in the folder (the file is not created).</summary>
    public string NewPath() => System.IO.Path.Combine(Path, Guid.NewGuid().ToString("N"));

    /// <summary>Removes files left by a crash.</summary>
    public void Clean()
    {
        foreach (var file in Directory.EnumerateFiles(Path))
        {
            try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
