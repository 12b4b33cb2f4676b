namespace Iris.Blobs;

/// <summary>
/// Where Iris keeps bytes of its own (uploads, previews), by key such as
/// <c>uploads/sha256/ab/abcdef…</c>. A folder under the data folder now; S3 later.
/// </summary>
public interface IBlobStore
{
    /// <summary>Moves a finished local file into the store under <paramref name="key"/> (replacing any).</summary>
    Task PutFileAsync(string key, string localFile, CancellationToken ct = default);

    /// <summary>A local file path for the blob, or null if it does not exist.</summary>
    string? TryGetLocalPath(string key);

    Task<Stream?> OpenReadAsync(string key, CancellationToken ct = default);

    Task DeleteAsync(string key, CancellationToken ct = default);

    /// <summary>A fresh temporary file path on the same volume as the store, for writing before <see cref="PutFileAsync"/>.</summary>
    string NewTempPath();
}

public static class BlobKeys
{
    public static string Upload(string sha256) => $"uploads/sha256/{sha256[..2]}/{sha256}";

    /// <summary>The preview of one image (JPEG or WebP), spread over 256 folders by the id's last byte (ids start with time).</summary>
    public static string Preview(Guid imageId)
    {
        var id = imageId.ToString("N");
        return $"previews/{id[^2..]}/{id}";
    }
}
