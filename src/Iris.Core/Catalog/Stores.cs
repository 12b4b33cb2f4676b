using Iris.Models;

namespace Iris.Catalog;

// One interface per aggregate, so a second engine (PostgreSQL) can implement the same surface.
// Every method that reads or writes tenant data takes the caller's organization id and never
// returns anything of another organization.

public interface IOrganizationStore
{
    /// <summary>The organization with this name, created if it does not exist yet.</summary>
    Task<Organization> GetOrCreateAsync(string name, DateTimeOffset now, CancellationToken ct = default);
}

public interface ICredentialStore
{
    Task<Credential?> FindAsync(string clientId, CancellationToken ct = default);

    /// <summary>Inserts a new credential; false if the client id exists already.</summary>
    Task<bool> TryCreateAsync(Credential credential, CancellationToken ct = default);

    /// <summary>Creates the credential or replaces its organization, secret hash and revocation (bootstrap from the environment).</summary>
    Task UpsertAsync(Credential credential, CancellationToken ct = default);

    /// <summary>True if any credential that is not revoked exists.</summary>
    Task<bool> AnyActiveAsync(CancellationToken ct = default);

    Task<IReadOnlyList<Credential>> ListAsync(Guid orgId, CancellationToken ct = default);

    /// <summary>
    /// Marks the credential revoked, unless the organization has no such active credential or it is the
    /// organization's last active one (which would lock the organization out).
    /// </summary>
    Task<RevokeOutcome> RevokeAsync(Guid orgId, string clientId, DateTimeOffset now, CancellationToken ct = default);

    /// <summary>
    /// Sets the name of an active credential of the organization and returns it as stored now; null if the
    /// organization has no such active credential (unknown, another organization's, or revoked).
    /// </summary>
    Task<Credential?> RenameAsync(Guid orgId, string clientId, string name, CancellationToken ct = default);
}

public enum RevokeOutcome
{
    Revoked,
    NotFound,
    LastActive,
}

public interface IDatasetStore
{
    /// <summary>Inserts the dataset; null if the organization already has a dataset with that name.</summary>
    Task<Dataset?> TryCreateAsync(Dataset dataset, CancellationToken ct = default);

    Task<Dataset?> GetAsync(Guid orgId, Guid datasetId, CancellationToken ct = default);

    /// <summary>A page of the organization's datasets, oldest first, and the total count.</summary>
    Task<(IReadOnlyList<Dataset> Items, long Total)> ListAsync(Guid orgId, int offset, int limit, CancellationToken ct = default);

    /// <summary>
    /// Writes the dataset's name, description, status, encoder and settings (with its updated by/at), unless another dataset
    /// of the organization has that name. Returns the dataset as stored.
    /// </summary>
    Task<DatasetUpdate> UpdateAsync(Dataset dataset, CancellationToken ct = default);

    /// <summary>
    /// Deletes the dataset with its images, jobs and events, in one transaction. Returns the dataset as it was, the
    /// upload blobs its images pointed at and the preview blobs of its images (the caller decides which bytes go),
    /// or null if not found.
    /// </summary>
    Task<DatasetDeletion?> DeleteAsync(Guid orgId, Guid datasetId, CancellationToken ct = default);
}

/// <summary>The dataset as stored, or null with <see cref="NameTaken"/> (another dataset has the name) or without (not found).</summary>
public sealed record DatasetUpdate(Dataset? Dataset, bool NameTaken);

public sealed record DatasetDeletion(Dataset Dataset, IReadOnlyList<string> BlobSha256s, IReadOnlyList<string> PreviewKeys);

public interface IImageStore
{
    /// <summary>
    /// Adds images to a dataset, one per path (callers pass distinct paths), in one transaction: for each, the
    /// image the dataset has at that path (or null) goes through <paramref name="admit"/>, and what it answers is
    /// written (inserted or updated); when it says so, its latest event is appended to the history and a job is
    /// queued. Returns the records written, in order, or null if the organization has no such dataset.
    /// </summary>
    /// <remarks>
    /// With <paramref name="job"/>, the job is inserted in the same transaction with the records written as its assets,
    /// in order; those already completed or in error count as processed or errored at once, the others when they
    /// finish. The job answered has its counters and status (completed when nothing is left to wait for) set.
    /// </remarks>
    Task<IReadOnlyList<ImageRecord>?> AddAsync(
        Guid orgId, Guid datasetId, IReadOnlyList<NewImage> images, ImageAdmission admit, CancellationToken ct = default,
        IngestJob? job = null);

    /// <summary>
    /// A page of the dataset's images that match <paramref name="query"/>, oldest first, and how many match in all;
    /// null if the organization has no such dataset.
    /// </summary>
    Task<ImagePage?> ListAsync(Guid orgId, Guid datasetId, ImageQuery query, int offset, int limit, CancellationToken ct = default);

    /// <summary>The number of the dataset's images in each status that has any; null if the organization has no such dataset.</summary>
    Task<IReadOnlyDictionary<string, long>?> CountByStatusAsync(Guid orgId, Guid datasetId, CancellationToken ct = default);

    Task<ImageRecord?> GetAsync(Guid orgId, Guid imageId, CancellationToken ct = default);

    /// <summary>The images found, in the order of <paramref name="imageIds"/> (callers pass distinct ids); unknown ids are left out.</summary>
    Task<IReadOnlyList<ImageRecord>> GetManyAsync(Guid orgId, IReadOnlyList<Guid> imageIds, CancellationToken ct = default);

    /// <summary>
    /// Hands the image to <paramref name="writer"/> as the catalog holds it (the single-image answer is written
    /// from the row, without a record); false if the organization has no such image.
    /// </summary>
    Task<bool> WriteAsync(Guid orgId, Guid imageId, IImageRowWriter writer, CancellationToken ct = default);

    /// <summary>
    /// Hands the images found to <paramref name="writer"/> one row at a time, in the order of <paramref name="imageIds"/>
    /// (callers pass distinct ids); unknown ids are left out. Returns how many were handed over.
    /// </summary>
    Task<int> WriteManyAsync(Guid orgId, IReadOnlyList<Guid> imageIds, IImageRowWriter writer, CancellationToken ct = default);

    /// <summary>One status per path, in the order given (callers pass distinct paths); unknown paths are <c>not_found</c>.</summary>
    Task<IReadOnlyList<PathStatus>> GetStatusesAsync(Guid orgId, Guid datasetId, IReadOnlyList<string> paths, CancellationToken ct = default);

    /// <summary>
    /// Replaces the metadata of images of a dataset, all or nothing. If one of them is not in the
    /// dataset, nothing changes and <see cref="MetadataUpdateResult.MissingIndex"/> says which.
    /// </summary>
    Task<MetadataUpdateResult> UpdateMetadataAsync(
        Guid orgId, Guid datasetId, IReadOnlyList<MetadataUpdate> updates, string clientId,
        DateTimeOffset now, CancellationToken ct = default);

    /// <summary>
    /// Deletes the dataset's images named by id or by path (callers pass distinct ids and normalized, distinct
    /// paths; an image named both ways goes once) with their events and queued jobs, and keeps the dataset's
    /// completed count right, in one transaction. Ids and paths the dataset does not have (unknown, of another
    /// dataset or of another organization) are passed over. A worker holding the lease of a deleted image's job
    /// then finds that its completion does nothing. Returns what was deleted (the caller decides which bytes go),
    /// or null if the organization has no such dataset.
    /// </summary>
    Task<ImageDeletion?> DeleteAsync(
        Guid orgId, Guid datasetId, IReadOnlyList<Guid> imageIds, IReadOnlyList<string> paths, CancellationToken ct = default);

    /// <summary>True if any image, of any organization, points at the upload blob with this SHA-256.</summary>
    Task<bool> UsesBlobAsync(string sha256, CancellationToken ct = default);

    /// <summary>The image's events, oldest first; null if the image is unknown to the organization.</summary>
    Task<IReadOnlyList<ImageEvent>?> GetEventsAsync(Guid orgId, Guid imageId, CancellationToken ct = default);

    /// <summary>The image's status and preview blob key (null unless completed); null if the image is unknown to the organization.</summary>
    Task<ImagePreview?> GetPreviewAsync(Guid orgId, Guid imageId, CancellationToken ct = default);

    /// <summary>
    /// Other completed images of the image's dataset that look the same: exact copies (same SHA-256) first,
    /// then images whose perceptual hashes differ in at most <paramref name="maxDistance"/> bits, nearest first;
    /// at most <paramref name="limit"/> in all. Null if the image is unknown to the organization; no matches
    /// unless it has completed.
    /// </summary>
    Task<DuplicateSearch?> FindDuplicatesAsync(Guid orgId, Guid imageId, int maxDistance, int limit, CancellationToken ct = default);
}

/// <summary>Which images of a dataset to list: any of <see cref="Statuses"/> (all if null), at <see cref="Path"/> exactly, or below <see cref="PathPrefix"/>.</summary>
public sealed record ImageQuery(IReadOnlyList<string>? Statuses = null, string? Path = null, string? PathPrefix = null);

/// <summary>A page of images and how many there are in all.</summary>
public sealed record ImagePage(IReadOnlyList<ImageRecord> Items, long Total);

/// <summary>
/// Ingest jobs. Jobs that add images are created with them (<see cref="IImageStore.AddAsync"/>); their counters move in
/// the transaction that finishes each image (<see cref="IIngestionQueue.CompleteAsync"/>), so they are exact at every
/// moment and survive a crash with the images.
/// </summary>
public interface IIngestJobStore
{
    /// <summary>Inserts a job that waits for no image (a metadata job, or one whose source could not be read).</summary>
    Task CreateAsync(IngestJob job, CancellationToken ct = default);

    Task<IngestJob?> GetAsync(Guid orgId, Guid jobId, CancellationToken ct = default);

    /// <summary>A page of the organization's jobs, newest first, optionally of one dataset and in one status, and the total.</summary>
    Task<(IReadOnlyList<IngestJob> Items, long Total)> ListAsync(
        Guid orgId, Guid? datasetId, string? status, int offset, int limit, CancellationToken ct = default);

    /// <summary>
    /// Counts work done by a job that finishes no image (an embeddings job): adds to its processed and errored counters
    /// and, with <paramref name="finished"/>, completes it (its total becomes what it counted). Moves a pending job to
    /// in progress. False if the organization has no such job or it is finished already.
    /// </summary>
    Task<bool> AdvanceAsync(Guid orgId, Guid jobId, long processed, long errored, bool finished, DateTimeOffset now, CancellationToken ct = default);

    /// <summary>The jobs of <paramref name="jobType"/> not finished yet, of every organization, oldest first (for the workers that run them).</summary>
    Task<IReadOnlyList<IngestJob>> ListOpenAsync(string jobType, int limit, CancellationToken ct = default);

    /// <summary>A page of the job's images in the job's order (as they are now), and the total; null if the job is unknown to the organization.</summary>
    Task<ImagePage?> ListImagesAsync(Guid orgId, Guid jobId, int offset, int limit, CancellationToken ct = default);
}

/// <summary>What adding an image does, given the image the dataset already has at its path (null if none).</summary>
public delegate ImageWrite ImageAdmission(ImageRecord? existing, NewImage image);

/// <summary>The record to store; with <see cref="Enqueue"/>, its latest event joins the history and a job is queued.</summary>
public sealed record ImageWrite(ImageRecord Record, bool Enqueue);

/// <summary>
/// The images a deletion removed (ids and paths in the same order), the upload blobs they pointed at (distinct; other
/// images may still use them) and their preview blobs.
/// </summary>
public sealed record ImageDeletion(
    IReadOnlyList<Guid> ImageIds, IReadOnlyList<string> Paths, IReadOnlyList<string> BlobSha256s, IReadOnlyList<string> PreviewKeys);

public sealed record ImagePreview(string Status, string? PreviewKey);

/// <summary>The status of the image searched from, and the duplicates found.</summary>
public sealed record DuplicateSearch(string Status, IReadOnlyList<DuplicateImage> Duplicates);

/// <summary>An image like the one searched from: <see cref="Distance"/> is the Hamming distance of the perceptual hashes.</summary>
public sealed record DuplicateImage(Guid ImageId, string Path, int Distance, bool Exact);

/// <summary>Identifies an image by id or by path (exactly one is set) and gives its new metadata (JSON object text or null).</summary>
public sealed record MetadataUpdate(Guid? ImageId, string? Path, string? MetadataJson);

public sealed record MetadataUpdateResult(IReadOnlyList<ImageRecord> Updated, int? MissingIndex);

/// <summary>
/// The ingestion queue lives in the catalog: a job is a row, a claim is a lease with an expiry that the worker
/// holding it renews. A lease that runs out (a crashed or cut-off worker) makes the job claimable again, by any
/// worker on any node; each claim counts an attempt (the Core worker ends an image that used up its attempts).
/// </summary>
public interface IIngestionQueue
{
    /// <summary>
    /// Leases up to <paramref name="max"/> jobs whose lease is free or expired, oldest first, counts an attempt on
    /// each and marks their images <c>processing_started</c>. Two claimers never get the same job.
    /// </summary>
    Task<IReadOnlyList<IngestionJob>> ClaimAsync(string workerId, int max, TimeSpan lease, DateTimeOffset now, CancellationToken ct = default);

    /// <summary>Extends the lease to <paramref name="expiresAt"/>; false if this worker no longer holds it (expired and re-claimed, or the dataset deleted).</summary>
    Task<bool> RenewAsync(IngestionJob job, string workerId, DateTimeOffset expiresAt, CancellationToken ct = default);

    /// <summary>
    /// Hands the job back without counting the attempt (the worker stopped, or Iris's storage was down): the image
    /// is <c>pending</c> again and the job claimable from <paramref name="notBefore"/>. False if no longer held.
    /// </summary>
    Task<bool> ReleaseAsync(IngestionJob job, string workerId, DateTimeOffset notBefore, CancellationToken ct = default);

    /// <summary>
    /// Records the outcome: status, error or technical metadata, the events, and removes the job. Does nothing
    /// (returns false) if the job is no longer held by this lease (expired and re-claimed, or its dataset deleted).
    /// </summary>
    Task<bool> CompleteAsync(IngestionJob job, string workerId, IngestionOutcome outcome, DateTimeOffset now, CancellationToken ct = default);

    /// <summary>Number of jobs waiting or in flight.</summary>
    Task<long> CountAsync(CancellationToken ct = default);

    /// <summary>Number of jobs no live lease holds at <paramref name="now"/>: images waiting for a worker.</summary>
    Task<long> CountWaitingAsync(DateTimeOffset now, CancellationToken ct = default);

    /// <summary>Returns when jobs may have been queued (on any node), or after <paramref name="timeout"/>; a hint, never a guarantee.</summary>
    Task WaitForJobsAsync(TimeSpan timeout, CancellationToken ct = default);
}
