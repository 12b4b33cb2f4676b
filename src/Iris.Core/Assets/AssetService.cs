using Iris.Blobs;
using Iris.Catalog;
using Iris.Models;
using Iris.Sources;

namespace Iris.Assets;

/// <summary>
/// The rules of adding images to a dataset and looking them up by path: one spelling per file path, the last entry
/// of a repeated path wins, a path the dataset has keeps its image (metadata replaced when given), an image that
/// ended in error is queued again; uploaded bytes are filed content-addressed, and only while no deletion of the
/// same bytes can interleave (a catalog lock per blob, which holds across nodes).
/// </summary>
public sealed class AssetService(ICatalog catalog, IBlobStore blobs, TimeProvider time)
{
    /// <summary>
    /// Adds <paramref name="images"/>, and with <paramref name="job"/> records them as one ingest job (its id is the
    /// request's); null if the caller's organization has no such dataset.
    /// </summary>
    public async Task<AddedImages?> AddAsync(Caller caller, Guid datasetId, IReadOnlyList<NewImage> images, CancellationToken ct, JobSource? job = null)
    {
        var now = time.GetUtcNow();
        var requestId = Guid.CreateVersion7(now);
        var distinct = Distinct(images);
        var newJob = job?.ToJob(requestId, caller, datasetId, now);
        if (distinct.Count == 0)
        {
            if (await catalog.Datasets.GetAsync(caller.OrgId, datasetId, ct) is null) return null;
            if (newJob is null) return new AddedImages(requestId, now, [], null);
            newJob = IngestJobs.Counted(newJob, []);
            await catalog.Jobs.CreateAsync(newJob, ct);
            return new AddedImages(requestId, now, [], newJob);
        }
        var added = await catalog.Images.AddAsync(caller.OrgId, datasetId, distinct, Admission(caller, datasetId, requestId, now), ct, newJob);
        return added is null ? null : new AddedImages(requestId, now, added, newJob is null ? null : IngestJobs.Counted(newJob, added));
    }

    /// <summary>
    /// Files the staged upload files as blobs (each file is taken: filed or deleted) and adds their images; null if
    /// the organization has no such dataset. Bytes stored already are not stored again; bytes this call stored that
    /// no image points at afterwards (a path the dataset had) go again.
    /// </summary>
    public async Task<AddedImages?> AddUploadsAsync(Caller caller, Guid datasetId, IReadOnlyList<StagedUpload> uploads, CancellationToken ct, JobSource? job = null)
    {
        var created = new List<string>();
        try
        {
            var byBlob = uploads.DistinctBy(u => u.Sha256).ToList();
            await using (await catalog.Locks.AcquireAsync(byBlob.Select(u => BlobLock(u.Sha256)).ToList(), ct))
            {
                // From here on the work finishes even if the caller goes: the steps are short and must not stop halfway.
                foreach (var upload in byBlob)
                {
                    var key = BlobKeys.Upload(upload.Sha256);
                    if (await blobs.ExistsAsync(key, CancellationToken.None)) continue; // the same bytes are stored already
                    await blobs.PutFileAsync(key, upload.TempFile, CancellationToken.None);
                    created.Add(upload.Sha256);
                }

                var added = await AddAsync(caller, datasetId, uploads.Select(u => u.Image with { BlobSha256 = u.Sha256 }).ToList(), CancellationToken.None, job);
                var referenced = added?.Images.Select(i => i.BlobSha256).ToHashSet(StringComparer.Ordinal) ?? [];
                foreach (var sha in created.Where(sha => !referenced.Contains(sha)))
                    await blobs.DeleteAsync(BlobKeys.Upload(sha), CancellationToken.None);
                return added;
            }
        }
        finally
        {
            foreach (var upload in uploads) TryDelete(upload.TempFile); // the ones not filed
        }
    }

    /// <summary>
    /// Changes the metadata of the dataset's images named by id or path (<paramref name="change"/> turns the target's
    /// index and current metadata into the new metadata, in order, so two changes of one image compose) and records
    /// the request as a finished metadata job: targets that name no image of the dataset are its errored assets.
    /// <paramref name="details"/> writes the job's details from the accepted (index, image) pairs and the invalid
    /// indexes. Null if the organization has no such dataset.
    /// </summary>
    public async Task<IngestJob?> ChangeMetadataAsync(
        Caller caller, Guid datasetId, IReadOnlyList<(Guid? Id, string? Path)> targets, Func<int, string?, string?> change,
        CancellationToken ct, Func<IReadOnlyList<(int Index, ImageRecord Image)>, IReadOnlyList<int>, string> details)
    {
        if (await catalog.Datasets.GetAsync(caller.OrgId, datasetId, ct) is null) return null;
        var paths = targets.Where(t => t.Id is null && t.Path is not null).Select(t => ImagePaths.Normalize(t.Path!)).Distinct().ToList();
        var byPath = (await catalog.Images.GetStatusesAsync(caller.OrgId, datasetId, paths, ct))
            .Where(s => s.ImageId is not null).ToDictionary(s => s.Path, s => s.ImageId!.Value, StringComparer.Ordinal);
        var ids = targets.Select(t => t.Id ?? (t.Path is { } p && byPath.TryGetValue(ImagePaths.Normalize(p), out var id) ? id : (Guid?)null)).ToList();
        var images = (await catalog.Images.GetManyAsync(caller.OrgId, ids.OfType<Guid>().Distinct().ToList(), ct))
            .Where(i => i.DatasetId == datasetId).ToDictionary(i => i.Id);

        var accepted = new List<(int Index, ImageRecord Image)>();
        var invalid = new List<int>();
        var metadata = new Dictionary<Guid, string?>();
        for (var i = 0; i < targets.Count; i++)
        {
            if (ids[i] is not { } id || !images.TryGetValue(id, out var image))
            {
                invalid.Add(i);
                continue;
            }
            metadata[id] = change(i, metadata.TryGetValue(id, out var soFar) ? soFar : image.MetadataJson);
            accepted.Add((i, image));
        }
        if (metadata.Count > 0)
        {
            var result = await catalog.Images.UpdateMetadataAsync(caller.OrgId, datasetId,
                metadata.Select(m => new MetadataUpdate(m.Key, null, m.Value)).ToList(), caller.ClientId, time.GetUtcNow(), ct);
            if (result.MissingIndex is not null) // deleted since it was read: nothing was written; try once more without it
                return await ChangeMetadataAsync(caller, datasetId, targets, change, ct, details);
        }

        var now = time.GetUtcNow();
        var job = new IngestJob(Guid.CreateVersion7(now), caller.OrgId, datasetId, IngestJobType.Metadata, details(accepted, invalid),
            null, "metadata", null, IngestJobStatus.Completed, targets.Count, accepted.Count, invalid.Count,
            invalid.Count == 0 ? null : $"{invalid.Count} of {targets.Count} updates named no image of the dataset.",
            caller.ClientId, now, now, now, now);
        await catalog.Jobs.CreateAsync(job, ct);
        return CatalogTime.Truncate(job);
    }

    /// <summary>One status per path, in the order given: looked up as stored (one spelling per file), answered as asked.</summary>
    public async Task<IReadOnlyList<PathStatus>> GetStatusesAsync(Guid orgId, Guid datasetId, IReadOnlyList<string> paths, CancellationToken ct)
    {
        List<string>? normalizedPaths = null; // made only when a path has another spelling
        for (var i = 0; i < paths.Count; i++)
        {
            var normalized = ImagePaths.Normalize(paths[i]);
            if (ReferenceEquals(normalized, paths[i])) continue;
            normalizedPaths ??= [.. paths];
            normalizedPaths[i] = normalized;
        }
        var statuses = await catalog.Images.GetStatusesAsync(orgId, datasetId, normalizedPaths ?? paths, ct);
        if (normalizedPaths is null) return statuses;
        var answered = new PathStatus[statuses.Count];
        for (var i = 0; i < answered.Length; i++) answered[i] = statuses[i] with { Path = paths[i] };
        return answered;
    }

    /// <summary>The lock that serializes filing, referencing and deleting the upload blob with this SHA-256.</summary>
    public static string BlobLock(string sha256) => "blob:" + sha256;

    /// <summary>Paths normalized, one entry per path in first-appearance order, the later entry of a repeated path winning.</summary>
    private static List<NewImage> Distinct(IReadOnlyList<NewImage> images)
    {
        var distinct = new List<NewImage>(images.Count);
        var positions = new Dictionary<string, int>(images.Count, StringComparer.Ordinal);
        foreach (var given in images)
        {
            var image = given with { Path = ImagePaths.Normalize(given.Path) };
            if (positions.TryGetValue(image.Path, out var at)) distinct[at] = image;
            else
            {
                positions.Add(image.Path, distinct.Count);
                distinct.Add(image);
            }
        }
        return distinct;
    }

    private static ImageAdmission Admission(Caller caller, Guid datasetId, Guid requestId, DateTimeOffset now)
    {
        var received = new ImageEvent(EventTypes.Received, now);
        return (existing, item) =>
        {
            if (existing is null)
            {
                return new ImageWrite(new ImageRecord(
                    Guid.CreateVersion7(now), caller.OrgId, datasetId, item.Path, item.UserId, item.MetadataJson,
                    ImageStatus.Pending, null, null, null, item.BlobSha256,
                    caller.ClientId, now, caller.ClientId, now, requestId, now, received), Enqueue: true);
            }

            var record = existing with
            {
                UserId = item.UserId ?? existing.UserId,
                MetadataJson = item.MetadataJson ?? existing.MetadataJson,
                UpdatedBy = caller.ClientId,
                UpdatedAt = now,
                RequestId = requestId,
                RequestAt = now,
            };
            if (existing.Status != ImageStatus.Error) return new ImageWrite(record, Enqueue: false);
            // A failed image gets another chance; new bytes (an upload) replace the old ones.
            return new ImageWrite(record with
            {
                Status = ImageStatus.Pending,
                ErrorCode = null,
                ErrorReason = null,
                TechnicalMetadataJson = null,
                BlobSha256 = item.BlobSha256 ?? existing.BlobSha256,
                LatestEvent = received,
            }, Enqueue: true);
        };
    }

    private static void TryDelete(string file)
    {
        try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>What one add request did: its id and time, the images as stored (one per distinct path), and its job if it made one.</summary>
public sealed record AddedImages(Guid RequestGroupId, DateTimeOffset At, IReadOnlyList<ImageRecord> Images, IngestJob? Job);

/// <summary>What an ingest job says of where its images came from (its details are the answer's canonical JSON).</summary>
public sealed record JobSource(string JobType, string? SourceType, string? FilePath, string DetailsJson, string? ConnectionName)
{
    /// <summary>A job of listed images (a list, assets, uploads): its details are its images as they are now, written when it is read.</summary>
    public static JobSource Images(string? connectionName) => new(IngestJobType.Assets, "image", null, "", connectionName);

    public IngestJob ToJob(Guid id, Caller caller, Guid datasetId, DateTimeOffset now) => new(
        id, caller.OrgId, datasetId, JobType, DetailsJson, ConnectionName, SourceType, FilePath, IngestJobStatus.Pending,
        TotalAssets: null, ProcessedAssets: 0, ErroredAssets: 0, ErrorDetails: null, caller.ClientId, now, now, StartedAt: null, FinishedAt: null);
}

/// <summary>An uploaded file staged in a scratch file, its SHA-256, and the image to add for it.</summary>
public sealed record StagedUpload(NewImage Image, string Sha256, string TempFile);
