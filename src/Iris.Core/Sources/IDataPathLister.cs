namespace Iris.Sources;

/// <summary>Lists the image paths under a <c>dataPath</c> prefix (a folder or a bucket prefix).</summary>
public interface IDataPathLister
{
    bool CanList(string dataPath);

    /// <summary>
    /// The image paths below <paramref name="dataPath"/>, in a stable order, at most
    /// <paramref name="max"/> + 1 of them (so the caller can tell there were too many).
    /// Throws <see cref="DataPathException"/> with a sentence for the client when the prefix cannot be listed.
    /// </summary>
    IAsyncEnumerable<string> ListAsync(string dataPath, int max, CancellationToken ct);
}

public sealed class DataPathException(string message) : Exception(message);
