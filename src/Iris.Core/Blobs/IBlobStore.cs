namespace Iris.Blobs;

/// <summary>
/// Where Iris keeps bytes of its own (uploads, previews), by key such as <c>uploads/sha256/ab/abcdef…</c>: what an
/// object store does, nothing more. A folder (<see cref="FileBlobStore"/>, the default) or an S3 bucket
/// (<see cref="S3BlobStore"/>). A store that cannot be reached throws <see cref="BlobStoreUnavailableException"/>.
/// </summary>
public interface IBlobStore
{
    Task<bool> ExistsAsync(string key, CancellationToken ct = default);

    /// <summary>Stores the bytes of <paramref name="localFile"/> under <paramref name="key"/> (replacing any) and takes the file: it is moved in or deleted.</summary>
    Task PutFileAsync(string key, string localFile, CancellationToken ct = default);

    /// <summary>Stores <paramref name="bytes"/> under <paramref name="key"/>, replacing any.</summary>
    Task PutAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken ct = default);

    /// <summary>The blob's bytes, or null if there is no such blob. A store that is a folder answers a <see cref="FileStream"/>.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken ct = default);

    /// <summary>Deletes the blob; nothing happens if there is none.</summary>
    Task DeleteAsync(string key, CancellationToken ct = default);

    /// <summary>Every blob whose key starts with <paramref name="prefix"/>, in key order.</summary>
    IAsyncEnumerable<BlobInfo> ListAsync(string prefix, CancellationToken ct = default);
}

public sealed record BlobInfo(string Key, long Size, DateTimeOffset LastModified);

/// <summary>The blob store could not be reached or answered with a server error: an outage of Iris's own storage, never a fault of an image.</summary>
public sealed class BlobStoreUnavailableException(string message, Exception? inner = null) : ServiceUnavailableException(message, inner);

public static class BlobKeys
{
    public const string UploadsPrefix = "uploads/sha256/";

    public static string Upload(string sha256) => $"{UploadsPrefix}{sha256[..2]}/{sha256}";

    /// <summary>The preview of one image (JPEG or WebP), spread over 256 folders by the id's last byte (ids start with time).</summary>
    public static string Preview(Guid imageId)
    {
        var id = imageId.ToString("N");
        return $"previews/{id[^2..]}/{id}";
    }
}
