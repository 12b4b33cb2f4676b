using System.Diagnostics;

namespace Iris.Client;

/// <summary>
/// Coactive's IngestionApi (<c>/api/v1/ingestion/...</c>). Every request that adds images (a list of paths, a bucket or
/// folder prefix, a CSV or JSON manifest) or changes their metadata is one ingest job, whose counters the server keeps
/// exact while the images are ingested in the background: create one, then follow it with <see cref="WaitForJobAsync"/>.
/// Also the statuses: of a dataset's assets (paged, filtered), their counts, a dataset's jobs, one image.
/// </summary>
public sealed class IngestionApi(ApiClient apiClient)
{
    /// <summary>Most images, assets or metadata updates one job request takes.</summary>
    public const int MaxBatchSize = 1000;

    /// <summary>Most items the server returns in one page.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>How often <see cref="WaitForJobAsync"/> asks by default.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);

    private const string Ingestion = "api/v1/ingestion";

    private readonly ApiClient _api = apiClient ?? throw new ArgumentNullException(nameof(apiClient));

    // Creating jobs.

    /// <summary>
    /// Ingests up to 1000 images by path (<c>s3://</c>, <c>http(s)://</c>, <c>file:///</c> below an allowed root,
    /// <c>upload://</c>) as one job (<c>POST /api/v1/ingestion/images</c>). Each image is recorded as <c>pending</c> before
    /// the answer; a path the dataset already has keeps its image (its metadata replaced when given), one that ended in
    /// error is tried again. 404 for an unknown dataset, 422 for a bad path or metadata.
    /// </summary>
    public Task<IngestJobResponse> CreateJobFromImagesAsync(CreateIngestJobFromImagesRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Create("images", ApiClient.Json(request, IrisV1JsonContext.Default.CreateIngestJobFromImagesRequest), cancellationToken);
    }

    /// <summary>Ingests up to 1000 images by path, without metadata, as one job (see <see cref="CreateJobFromImagesAsync(CreateIngestJobFromImagesRequest, CancellationToken)"/>).</summary>
    public Task<IngestJobResponse> CreateJobFromImagesAsync(Guid datasetId, IEnumerable<string> sourcePaths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourcePaths);
        return CreateJobFromImagesAsync(new CreateIngestJobFromImagesRequest(datasetId, sourcePaths.Select(p => new IngestJobImage(p)).ToList()), cancellationToken);
    }

    /// <summary>
    /// Ingests up to 1000 assets by path as one job (<c>POST /api/v1/ingestion/assets</c>); as
    /// <see cref="CreateJobFromImagesAsync(CreateIngestJobFromImagesRequest, CancellationToken)"/>, with an <c>asset_type</c>
    /// per asset (Iris ingests images: <c>video</c> is a 422).
    /// </summary>
    public Task<IngestJobResponse> CreateJobFromAssetsAsync(CreateIngestJobFromAssetsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Create("assets", ApiClient.Json(request, IrisV1JsonContext.Default.CreateIngestJobFromAssetsRequest), cancellationToken);
    }

    /// <summary>
    /// Ingests every image below an <c>s3://bucket/prefix/</c> or <c>file:///folder/</c> as one job
    /// (<c>POST /api/v1/ingestion/buckets</c>, answered 202 once the prefix is listed). 422 if it cannot be listed or
    /// holds more images than one job takes.
    /// </summary>
    public Task<IngestJobResponse> CreateJobFromBucketAsync(CreateIngestJobFromBucketRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Create("buckets", ApiClient.Json(request, IrisV1JsonContext.Default.CreateIngestJobFromBucketRequest), cancellationToken);
    }

    /// <summary>Ingests every image below <paramref name="path"/>, at most <paramref name="maxDepth"/> folders deep (0: all), as one job.</summary>
    public Task<IngestJobResponse> CreateJobFromBucketAsync(Guid datasetId, string path, int maxDepth = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        return CreateJobFromBucketAsync(new CreateIngestJobFromBucketRequest(datasetId) { Path = path, MaxDepth = maxDepth }, cancellationToken);
    }

    /// <summary>
    /// Ingests the images a CSV or JSON manifest lists (read from <c>s3://</c>, <c>http(s)://</c> or <c>file:///</c>) as
    /// one job (<c>POST /api/v1/ingestion/files</c>, 202). 422 with the rows at fault if the manifest cannot be read.
    /// </summary>
    public Task<IngestJobResponse> CreateJobFromFileAsync(CreateIngestJobFromFileRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Create("files", ApiClient.Json(request, IrisV1JsonContext.Default.CreateIngestJobFromFileRequest), cancellationToken);
    }

    /// <summary>Ingests the images of the manifest at <paramref name="sourcePath"/> (<paramref name="fileType"/>: <see cref="ManifestFileType"/>) as one job.</summary>
    public Task<IngestJobResponse> CreateJobFromFileAsync(
        Guid datasetId, string sourcePath, string fileType = ManifestFileType.Unspecified, CancellationToken cancellationToken = default) =>
        CreateJobFromFileAsync(new CreateIngestJobFromFileRequest(datasetId, sourcePath, fileType), cancellationToken);

    /// <summary>
    /// Overwrites, upserts or removes metadata of up to 1000 ingested images, found by <c>asset_id</c> or <c>source_path</c>,
    /// as one job (<c>POST /api/v1/ingestion/metadata</c>, 202). The job is finished in the answer: updates that name
    /// no image of the dataset are its <c>errored_assets</c>.
    /// </summary>
    public Task<IngestJobResponse> CreateJobForMetadataAsync(CreateIngestJobForMetadataRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Create("metadata", ApiClient.Json(request, IrisV1JsonContext.Default.CreateIngestJobForMetadataRequest), cancellationToken);
    }

    private Task<IngestJobResponse> Create(string route, HttpContent body, CancellationToken ct) =>
        _api.SendAsync(_api.Request(HttpMethod.Post, $"{Ingestion}/{route}", body), IrisV1JsonContext.Default.IngestJobResponse, ct);

    // Following jobs.

    /// <summary>One ingest job with its counters; 404 if it does not exist (or belongs to another organization).</summary>
    public Task<IngestJobResponse> GetJobAsync(string jobId, CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Get, JobPath(jobId)), IrisV1JsonContext.Default.IngestJobResponse, cancellationToken);

    /// <summary>
    /// One page of the organization's ingest jobs, newest first, optionally of one dataset and/or in one
    /// <paramref name="status"/> (<see cref="IngestJobStatus"/>); <paramref name="limit"/> is 1 to 1000.
    /// </summary>
    public Task<GetManyIngestJobsResponse> ListJobsAsync(
        Guid? datasetId = null, string? status = null, int offset = 0, int limit = 100, CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Get, new QueryString($"{Ingestion}/jobs")
                .Add("dataset_id", datasetId).Add("status", status).Add("offset", offset).Add("limit", limit).ToString()),
            IrisV1JsonContext.Default.GetManyIngestJobsResponse, cancellationToken);

    /// <summary>
    /// Every ingest job of the organization (optionally of one dataset, in one status), newest first, fetched
    /// <paramref name="pageSize"/> at a time as you enumerate. A job created meanwhile shifts the pages by one.
    /// </summary>
    public IAsyncEnumerable<IngestJobResponse> ListAllJobsAsync(
        Guid? datasetId = null, string? status = null, int pageSize = 100, CancellationToken cancellationToken = default) =>
        Paging.EnumerateAsync(
            (offset, limit, ct) => ListJobsAsync(datasetId, status, offset, limit, ct), page => page.Jobs, page => page.Meta,
            pageSize, MaxPageSize, cancellationToken);

    /// <summary>A job's status and one page of its assets' statuses, in the order the job listed them.</summary>
    public Task<IngestJobStatusResponse> GetJobStatusAsync(string jobId, int offset = 0, int limit = 100, CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Get, new QueryString(JobPath(jobId) + "/status").Add("offset", offset).Add("limit", limit).ToString()),
            IrisV1JsonContext.Default.IngestJobStatusResponse, cancellationToken);

    /// <summary>The statuses of every asset of a job, in the order the job listed them, fetched <paramref name="pageSize"/> at a time.</summary>
    public IAsyncEnumerable<AssetStatusResponse> ListAllJobAssetsAsync(string jobId, int pageSize = 100, CancellationToken cancellationToken = default) =>
        Paging.EnumerateAsync(
            (offset, limit, ct) => GetJobStatusAsync(jobId, offset, limit, ct),
            page => page.Data.Assets?.Data ?? [], page => page.Data.Assets?.Meta,
            pageSize, MaxPageSize, cancellationToken);

    /// <summary>
    /// Polls a job every <paramref name="pollInterval"/> (default 1 s) until it is completed, failed or stopped
    /// (<see cref="IngestJobStatus.IsTerminal"/>) and returns it as it ended: check its <c>status</c> and
    /// <c>errored_assets</c>. <paramref name="progress"/> hears of every answer, the last one included.
    /// <paramref name="timeout"/> (default none) ends the wait with a <see cref="TimeoutException"/>.
    /// </summary>
    public async Task<IngestJobResponse> WaitForJobAsync(
        string jobId, TimeSpan? pollInterval = null, TimeSpan? timeout = null, IProgress<IngestJobResponse>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        var interval = pollInterval ?? DefaultPollInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero, nameof(pollInterval));
        if (timeout is { } t) ArgumentOutOfRangeException.ThrowIfLessThan(t, TimeSpan.Zero, nameof(timeout));
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var job = await GetJobAsync(jobId, cancellationToken).ConfigureAwait(false);
            progress?.Report(job);
            if (IngestJobStatus.IsTerminal(job.Status)) return job;
            var wait = interval;
            if (timeout is { } limit)
            {
                var left = limit - clock.Elapsed;
                if (left <= TimeSpan.Zero)
                    throw new TimeoutException(
                        $"Ingest job {jobId} is still {job.Status} after {limit.TotalSeconds:0.###} s: {job.ProcessedAssets} processed, " +
                        $"{job.ErroredAssets} errored of {job.TotalAssets?.ToString() ?? "?"}.");
                if (left < wait) wait = left;
            }
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    // Statuses.

    /// <summary>
    /// One page of the statuses of a dataset's assets, oldest first (<c>POST /api/v1/ingestion/datasets/{id}/assets/status</c>):
    /// only those <paramref name="filter"/> names (<see cref="AssetStatusFilter"/>), and only <paramref name="sourcePath"/>
    /// (or those below it, if it ends in <c>/</c>). 404 for an unknown dataset.
    /// </summary>
    public Task<PagedAssetsStatusResponse> GetDatasetAssetsStatusAsync(
        Guid datasetId, string? filter = null, string? sourcePath = null, int offset = 0, int limit = 100, CancellationToken cancellationToken = default)
    {
        var route = new QueryString($"{Ingestion}/datasets/{datasetId}/assets/status").Add("filter", filter).Add("offset", offset).Add("limit", limit);
        var body = sourcePath is null ? null : ApiClient.Json(new GetDatasetAssetsStatusRequest(sourcePath), IrisV1JsonContext.Default.GetDatasetAssetsStatusRequest);
        return _api.SendAsync(_api.Request(HttpMethod.Post, route.ToString(), body), IrisV1JsonContext.Default.PagedAssetsStatusResponse, cancellationToken);
    }

    /// <summary>The statuses of every asset of a dataset that <paramref name="filter"/> and <paramref name="sourcePath"/> select, oldest first, a page at a time.</summary>
    public IAsyncEnumerable<AssetStatusResponse> ListAllDatasetAssetsStatusAsync(
        Guid datasetId, string? filter = null, string? sourcePath = null, int pageSize = 100, CancellationToken cancellationToken = default) =>
        Paging.EnumerateAsync(
            (offset, limit, ct) => GetDatasetAssetsStatusAsync(datasetId, filter, sourcePath, offset, limit, ct), page => page.Data, page => page.Meta,
            pageSize, MaxPageSize, cancellationToken);

    /// <summary>How many of a dataset's assets are completed, in error, in progress (pending + processing_started), and in all.</summary>
    public Task<DatasetAssetsStatusCountResponse> GetDatasetAssetsStatusCountAsync(Guid datasetId, CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Get, $"{Ingestion}/datasets/{datasetId}/assets/status/count"),
            IrisV1JsonContext.Default.DatasetAssetsStatusCountResponse, cancellationToken);

    /// <summary>One page of short statuses (status, id, path, when it was asked for) of a dataset's assets, oldest first, optionally filtered.</summary>
    public Task<PagedAssetsStatusSummaryResponse> GetDatasetAssetsStatusSummaryAsync(
        Guid datasetId, string? filter = null, int offset = 0, int limit = 100, CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Get, new QueryString($"{Ingestion}/datasets/{datasetId}/assets/status/summary")
                .Add("filter", filter).Add("offset", offset).Add("limit", limit).ToString()),
            IrisV1JsonContext.Default.PagedAssetsStatusSummaryResponse, cancellationToken);

    /// <summary>The short statuses of every asset of a dataset (optionally filtered), oldest first, a page at a time.</summary>
    public IAsyncEnumerable<StatusSummaryResponse> ListAllDatasetAssetsStatusSummaryAsync(
        Guid datasetId, string? filter = null, int pageSize = 100, CancellationToken cancellationToken = default) =>
        Paging.EnumerateAsync(
            (offset, limit, ct) => GetDatasetAssetsStatusSummaryAsync(datasetId, filter, offset, limit, ct), page => page.Data, page => page.Meta,
            pageSize, MaxPageSize, cancellationToken);

    /// <summary>One page of a dataset's ingest jobs with their statuses, newest first; 404 for an unknown dataset.</summary>
    public Task<DatasetIngestionStatusResponse> GetDatasetStatusAsync(
        Guid datasetId, int offset = 0, int limit = 100, CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Get, new QueryString($"{Ingestion}/datasets/{datasetId}/status")
                .Add("offset", offset).Add("limit", limit).ToString()),
            IrisV1JsonContext.Default.DatasetIngestionStatusResponse, cancellationToken);

    /// <summary>One image's ingestion status; 404 if it does not exist (or belongs to another organization).</summary>
    public Task<ImageAssetStatusResponse> GetImageStatusAsync(Guid assetId, CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Get, $"{Ingestion}/images/{assetId}/status"),
            IrisV1JsonContext.Default.ImageAssetStatusResponse, cancellationToken);

    private static string JobPath(string jobId)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        // "." and ".." are path steps, not segments: no URL can carry them as an id.
        if (jobId is "." or "..") throw new ArgumentException($"'{jobId}' is not an ingest job id.", nameof(jobId));
        return $"{Ingestion}/jobs/{Uri.EscapeDataString(jobId)}";
    }
}
