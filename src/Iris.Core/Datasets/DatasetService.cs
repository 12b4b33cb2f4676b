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
    public Task<Dataset?> CreateAsync(
        Caller caller, string name, string? description, CancellationToken ct,
        string encoderName = DatasetDefaults.EncoderName, string? settingsJson = null)
    {
        var now = time.GetUtcNow();
        return catalog.Datasets.TryCreateAsync(
            new Dataset(Guid.CreateVersion7(now), caller.OrgId, name, description, caller.ClientId, now, caller.ClientId, now, 0,
                encoderName, DatasetStatus.Active, settingsJson), ct);
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the dataset and stores it; the answer says whether it was found and whether
    /// the new name is taken by another dataset of the organization.
    /// </summary>
    public async Task<DatasetUpdate> UpdateAsync(Caller caller, Guid datasetId, Func<Dataset, Dataset> change, CancellationToken ct)
    {
        var dataset = await catalog.Datasets.GetAsync(caller.OrgId, datasetId, ct);
        if (dataset is null) return new DatasetUpdate(null, NameTaken: false);
        var changed = change(dataset) with { Id = dataset.Id, OrgId = dataset.OrgId, UpdatedBy = caller.ClientId, UpdatedAt = time.GetUtcNow() };
        return await catalog.Datasets.UpdateAsync(changed, ct);
    }

    /// <summary>
    /// A page of the organization's datasets that pass <paramref name="filter"/>, oldest first, and how many pass.
    /// An organization holds few datasets, so they are filtered here rather than in each engine's SQL.
    /// </summary>
    public async Task<(IReadOnlyList<Dataset> Items, long Total)> ListAsync(Caller caller, Func<Dataset, bool> filter, int offset, int limit, CancellationToken ct)
    {
        var (all, _) = await catalog.Datasets.ListAsync(caller.OrgId, 0, int.MaxValue, ct);
        var matching = all.Where(filter).ToList();
        return (matching.Skip(offset).Take(limit).ToList(), matching.Count);
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
