using Iris.Blobs;
using Iris.Catalog;
using Iris.Models;
using Iris.Sources;

namespace Iris.Assets;

/// <summary>
/// Deleting images of a dataset, named by coactive image id or by path (Coactive's delete-assets). An identifier that
/// parses as a UUID names an image by its id; any other is a path, looked up in its one stored spelling (the rule adds
/// use). A name the dataset does not have (unknown, in another dataset, or another organization's) deletes nothing,
/// exactly as an unknown one. Iris deletes at once: the rows (the image, its events, its queued job) go in one
/// transaction, then the bytes, as a dataset deletion does: the previews, and each upload blob once no image of any
/// organization points at it, checked under the blob's lock.
/// </summary>
public sealed class AssetDeletion(ICatalog catalog, IBlobStore blobs, TimeProvider time)
{
    /// <summary>Deletes the images <paramref name="identifiers"/> name; null if the caller's organization has no such dataset.</summary>
    public async Task<DeletedAssets?> DeleteAsync(Caller caller, Guid datasetId, IReadOnlyList<string> identifiers, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var ids = new List<Guid>();
        var paths = new List<string>();
        var seenIds = new HashSet<Guid>();
        var seenPaths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var identifier in identifiers)
        {
            if (Guid.TryParse(identifier, out var id))
            {
                if (seenIds.Add(id)) ids.Add(id);
            }
            else if (ImagePaths.Normalize(identifier) is var path && seenPaths.Add(path))
            {
                paths.Add(path);
            }
        }

        var deleted = await catalog.Images.DeleteAsync(caller.OrgId, datasetId, ids, paths, ct);
        if (deleted is null) return null;
        await DeleteBytesAsync(catalog, blobs, deleted.BlobSha256s, deleted.PreviewKeys);
        return new DeletedAssets(Guid.CreateVersion7(now), now, deleted);
    }

    /// <summary>
    /// The bytes of images whose rows are gone: each upload blob once no image anywhere points at it, checked under the
    /// blob's lock (an upload of the same bytes at that moment either committed its image first, and the blob stays, or
    /// finds the blob gone and stores it again), and the previews. Finishes even if the caller goes.
    /// </summary>
    public static async Task DeleteBytesAsync(ICatalog catalog, IBlobStore blobs, IReadOnlyList<string> blobSha256s, IReadOnlyList<string> previewKeys)
    {
        foreach (var sha in blobSha256s)
        {
            await using (await catalog.Locks.AcquireAsync([AssetService.BlobLock(sha)], CancellationToken.None))
            {
                if (!await catalog.Images.UsesBlobAsync(sha, CancellationToken.None))
                    await blobs.DeleteAsync(BlobKeys.Upload(sha), CancellationToken.None);
            }
        }
        // Previews belong to one image each: nothing can start pointing at them again, so no lock is needed.
        foreach (var key in previewKeys)
            await blobs.DeleteAsync(key, CancellationToken.None);
    }
}

/// <summary>What one deletion request did: its id and time, and the images it removed.</summary>
public sealed record DeletedAssets(Guid RequestId, DateTimeOffset At, ImageDeletion Deleted);
