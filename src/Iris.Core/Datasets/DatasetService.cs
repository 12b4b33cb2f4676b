using Iris.Assets;
using Iris.Blobs;
using Iris.Catalog;
using Iris.Models;

namespace Iris.Datasets;

/// <summary>
/// Datasets: created with a name unique in the organization; deleted with their images and the bytes Iris kept
/// for them. Uploads are content-addressed and shared, so an upload blob goes only once no image anywhere points
/// at it, checked under the blob's lock after the rows are gone (an upload of the same bytes at that moment either
/// committed its image first, and the blob stays, or finds the blob gone and stores it again).
/// </summary>
public sealed class DatasetService(ICatalog catalog, IBlobStore blobs, TimeProvider time)
{
    /// <summary>The new dataset, or null if the organization already has one with that name.</summary>
    public Task<Dataset?> CreateAsync(Caller caller, string name, string? description, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return catalog.Datasets.TryCreateAsync(
            new Dataset(Guid.CreateVersion7(now), caller.OrgId, name, description, caller.ClientId, now, caller.ClientId, now, 0), ct);
    }

    /// <summary>The dataset as it was before it went, or null if the organization has no such dataset.</summary>
    public async Task<Dataset?> DeleteAsync(Caller caller, Guid datasetId, CancellationToken ct)
    {
        var deletion = await catalog.Datasets.DeleteAsync(caller.OrgId, datasetId, ct);
        if (deletion is null) return null;
        // The rows are gone: finish the bytes even if the caller goes.
        await AssetDeletion.DeleteBytesAsync(catalog, blobs, deletion.BlobSha256s, deletion.PreviewKeys);
        return deletion.Dataset;
    }
}
