using Iris.Models;

namespace Iris.Sources;

/// <summary>
/// Reads the bytes behind one path scheme. A source hands back a local file (the original for
/// <c>file:///</c>, a stored blob for uploads, a temporary download for remote schemes) so every
/// later stage can read it as many times as it needs.
/// </summary>
public interface IImageSource
{
    /// <summary>True if this source reads paths like <paramref name="path"/> (by scheme).</summary>
    bool CanRead(string path);

    /// <summary>Opens the image; throws <see cref="Ingestion.IngestionException"/> with the fitting error code.</summary>
    ValueTask<SourceFile> FetchAsync(IngestionJob job, CancellationToken ct);
}

/// <summary>A local file holding an image's bytes; deletes it on dispose when it is a temporary copy.</summary>
public sealed class SourceFile(string localPath, bool isTemporary) : IAsyncDisposable
{
    public string LocalPath { get; } = localPath;
    public bool IsTemporary { get; } = isTemporary;

    public ValueTask DisposeAsync()
    {
        if (IsTemporary)
        {
            try { File.Delete(LocalPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return ValueTask.CompletedTask;
    }
}
