using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iris.Client;

// The shapes of Coactive's v1 API (datasets, ingest jobs, ingestion statuses), snake_case on the wire through
// IrisV1JsonContext. Property names are the snake_case JSON names in PascalCase; records are named as in the
// server's OpenAPI document.

/// <summary>Where a page is in the whole list (Coactive's <c>PagedPageDetailsResponse</c>); <c>total</c> counts every item.</summary>
public sealed record PageDetails(int CurrentPage, int? LastPage, int Limit, int Offset, long? Total);

/// <summary>The paging <c>meta</c> of a v1 list (Coactive's <c>PagedMetaResponse</c>).</summary>
public sealed record PagedMeta(PageDetails Page);

/// <summary>The encoder a dataset names (Coactive's <c>Encoder</c>).</summary>
public sealed record EncoderResponse(Guid Id, string Name, string Modality, IReadOnlyList<string> Modalities);

/// <summary>
/// A dataset (Coactive's <c>DatasetResponse</c>) plus Iris' <c>image_count</c> (completed images). <c>status</c> is
/// one of <see cref="DatasetStatus"/>; the video and storage settings are answered with the fixed values Iris works by.
/// </summary>
public sealed record DatasetResponse(
    DateTimeOffset CreatedDt,
    DateTimeOffset? UpdatedDt,
    string CreatedBy,
    string? UpdatedBy,
    DateTimeOffset? DeletedDt,
    string? DeletedBy,
    Guid Id,
    string Name,
    IReadOnlyList<EncoderResponse> Embeddings,
    IReadOnlyList<EncoderResponse> Encoders,
    string? Description,
    IReadOnlyList<string> AllowedAssetTypes,
    string? Status,
    string KeyframeSamplingMethod,
    double? KeyframeUniformFpsSamplingRate,
    bool StoreOriginal,
    bool StorePreview,
    IReadOnlyList<string>? MetadataFieldsToIndex,
    IReadOnlyList<string>? MetadataFieldsToEmbed,
    JsonElement? DatasetConfig,
    long ImageCount);

/// <summary>A page of datasets (Coactive's <c>DatasetGetManyResponse</c>).</summary>
public sealed record DatasetGetManyResponse(PagedMeta Meta, IReadOnlyList<DatasetResponse> Data);

/// <summary>
/// The body of <c>POST /api/v1/datasets</c> (Coactive's <c>DatasetCreateRequest</c>). <see cref="Name"/>: 1 to 128 of
/// <c>[A-Za-z0-9_]</c>; <see cref="EncoderName"/>: one of <see cref="EncoderNames"/>. Fields left null are not sent.
/// </summary>
public sealed record DatasetCreateRequest(string Name, string EncoderName = EncoderNames.Multimodal)
{
    /// <summary>What the dataset holds (at most 4096 characters).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Description { get; init; }

    /// <summary><c>image</c> and/or <c>video</c>; Iris ingests images only.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? AllowedAssetTypes { get; init; }

    /// <summary><c>intelligent</c> or <c>uniform</c> (kept for Coactive clients; Iris has no videos to sample).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? KeyframeSamplingMethod { get; init; }

    /// <summary>Keyframes per second with <c>uniform</c> sampling, 0.00001 to 5.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? KeyframeUniformFpsSamplingRate { get; init; }

    /// <summary>Whether to keep a copy of each original (Iris keeps only uploaded bytes and answers false).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? StoreOriginal { get; init; }

    /// <summary>Whether to make previews (Iris always makes them and answers true).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? StorePreview { get; init; }

    /// <summary>Metadata keys to index for search (kept and answered).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? MetadataFieldsToIndex { get; init; }

    /// <summary>Metadata keys to embed for search (kept and answered).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? MetadataFieldsToEmbed { get; init; }

    /// <summary>Coactive's <c>DatasetConfig</c> (an object with <c>embedding_id</c> and <c>encoder_name</c> maps), kept and answered as given.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? DatasetConfig { get; init; }
}

/// <summary>
/// The body of <c>PATCH /api/v1/datasets/{id}</c> (Coactive's <c>DatasetUpdateRequest</c>): only the fields given
/// (not null) change.
/// </summary>
public sealed record DatasetUpdateRequest
{
    /// <summary>A new name: 1 to 128 of <c>[A-Za-z0-9_]</c>, unique in the organization (409 otherwise).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    /// <summary>A new description (at most 4096 characters).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Description { get; init; }

    /// <summary><see cref="DatasetStatus.Active"/> or <see cref="DatasetStatus.Inactive"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Status { get; init; }

    /// <summary>Accepted for Coactive clients; Iris keeps answering false.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? StoreOriginal { get; init; }

    /// <summary>Accepted for Coactive clients; Iris keeps answering true.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? StorePreview { get; init; }

    /// <summary>A new <c>dataset_config</c> (with its <c>embedding_id</c> and <c>encoder_name</c> maps).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? DatasetConfig { get; init; }
}

/// <summary>
/// Filters of <c>GET /api/v1/datasets</c>; each one given narrows the list (null: not filtered). Lists match any of
/// their values; <see cref="NamePattern"/> matches names containing it, ignoring case.
/// </summary>
public sealed record DatasetFilters
{
    /// <summary>Only these datasets (up to 1000 ids).</summary>
    public IReadOnlyList<Guid>? DatasetIds { get; init; }

    /// <summary>Only datasets in one of these statuses (<see cref="DatasetStatus"/>).</summary>
    public IReadOnlyList<string>? Status { get; init; }

    /// <summary>Only datasets whose name contains this text (ignoring case; at most 256 characters).</summary>
    public string? NamePattern { get; init; }

    /// <summary>Only datasets allowing one of these asset types (<c>image</c>, <c>video</c>).</summary>
    public IReadOnlyList<string>? AllowedAssetTypes { get; init; }

    /// <summary>Only datasets sampling keyframes this way (<c>intelligent</c>, <c>uniform</c>).</summary>
    public string? KeyframeSamplingMethod { get; init; }

    /// <summary>Only datasets that do (true) or do not (false) store originals.</summary>
    public bool? StoreOriginal { get; init; }

    /// <summary>Only datasets that do (true) or do not (false) store previews.</summary>
    public bool? StorePreview { get; init; }

    /// <summary>Only datasets created before this time.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary>Only datasets created after this time.</summary>
    public DateTimeOffset? CreatedAfter { get; init; }

    /// <summary>Only datasets last changed before this time.</summary>
    public DateTimeOffset? LastUpdatedBefore { get; init; }

    /// <summary>Only datasets last changed after this time.</summary>
    public DateTimeOffset? LastUpdatedAfter { get; init; }

    /// <summary>Also deleted datasets (Iris removes a dataset at once, so there are none to include).</summary>
    public bool? IncludeDeleted { get; init; }
}

/// <summary>
/// An ingest job (Coactive's <c>CreateIngestJobResponse</c> and <c>GetOneIngestJobResponse</c> in one). Its counters
/// are exact: <c>processed_assets</c> completed, <c>errored_assets</c> in error, of <c>total_assets</c>; <c>status</c> is
/// one of <see cref="IngestJobStatus"/>. <c>details</c> is the job's request as Coactive describes it (for a job of
/// listed images its first assets with their ids), kept as raw JSON.
/// </summary>
public sealed record IngestJobResponse(
    string Id,
    string OrgId,
    Guid DatasetId,
    string? ConnectionName,
    string JobType,
    JsonElement? Details,
    string? RequestType,
    string? SourceType,
    string? FilePath,
    DateTimeOffset? CreatedDt,
    DateTimeOffset? UpdatedDt,
    DateTimeOffset? StartedDt,
    DateTimeOffset? FinishedDt,
    string Status,
    long? TotalAssets,
    long ProcessedAssets,
    long ErroredAssets,
    string? ErrorDetails,
    string? RequestId)
{
    /// <summary>
    /// The assets a job of listed images (or an upload) names in its <c>details</c> (Coactive's <c>AssetsJobDetails</c>),
    /// in the order asked, each path once; empty for a job of another kind.
    /// </summary>
    public IReadOnlyList<IngestJobAssetResult> DetailAssets()
    {
        if (Details is not { ValueKind: JsonValueKind.Object } details
            || !details.TryGetProperty("assets", out var assets) || assets.ValueKind != JsonValueKind.Array) return [];
        var list = new List<IngestJobAssetResult>(assets.GetArrayLength());
        foreach (var item in assets.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) continue;
            var path = item.TryGetProperty("asset", out var asset) && asset.ValueKind == JsonValueKind.Object
                       && asset.TryGetProperty("source_path", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : "";
            var id = item.TryGetProperty("asset_id", out var i) && i.ValueKind == JsonValueKind.String && Guid.TryParse(i.GetString(), out var g) ? g : (Guid?)null;
            var error = item.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            list.Add(new IngestJobAssetResult(path, id, error));
        }
        return list;
    }
}

/// <summary>One asset of a job's <c>details.assets</c>: its path, the image it is (<c>asset_id</c>) and its error, if any.</summary>
public sealed record IngestJobAssetResult(string SourcePath, Guid? AssetId, string? Error);

/// <summary>A page of ingest jobs, newest first (Coactive's <c>GetManyIngestJobsResponse</c> plus Iris' paging <c>meta</c>).</summary>
public sealed record GetManyIngestJobsResponse(IReadOnlyList<IngestJobResponse> Jobs, PagedMeta? Meta);

/// <summary>The latest ingestion event of an asset (Coactive's <c>LatestEvent</c>).</summary>
public sealed record AssetLatestEvent(string? EventType, string? EventEntity, DateTimeOffset? TimestampDt);

/// <summary>
/// One asset's ingestion status (Coactive's <c>Status</c>): <c>status</c> is one of <see cref="ImageStatus"/>;
/// <c>error_code</c> and <c>error_reason</c> are set when it is <c>error</c>.
/// </summary>
public sealed record AssetStatusResponse(
    string Status,
    Guid AssetId,
    Guid DatasetId,
    string? ErrorCode,
    string? ErrorReason,
    string? SourcePath,
    AssetLatestEvent? LatestEvent,
    string? AssetType);

/// <summary>A page of asset statuses (Coactive's <c>PagedAssetsStatusResponse</c>).</summary>
public sealed record PagedAssetsStatusResponse(PagedMeta Meta, IReadOnlyList<AssetStatusResponse> Data);

/// <summary>A short status of one asset (Coactive's <c>StatusSummary</c>); <c>ingestion_dt</c> is when it was last asked for.</summary>
public sealed record StatusSummaryResponse(string Status, Guid AssetId, Guid DatasetId, string AssetType, string? SourcePath, DateTimeOffset? IngestionDt);

/// <summary>A page of short statuses (Coactive's <c>PagedAssetsStatusSummaryResponse</c>).</summary>
public sealed record PagedAssetsStatusSummaryResponse(PagedMeta Meta, IReadOnlyList<StatusSummaryResponse> Data);

/// <summary>
/// How many of a dataset's assets are in each status (Coactive's <c>DatasetAssetsStatusCountResponse</c>). Iris
/// answers <c>completed</c>, <c>error</c>, <c>in_progress</c> (<c>pending</c> + <c>processing_started</c>), <c>pending</c>,
/// <c>processing_started</c> and <c>total</c>; <see cref="Count"/> reads one, 0 if absent.
/// </summary>
public sealed record DatasetAssetsStatusCountResponse(IReadOnlyDictionary<string, long> Data)
{
    /// <summary>The count under <paramref name="key"/>, 0 if the answer has none.</summary>
    public long Count(string key) => Data.TryGetValue(key, out var n) ? n : 0;
}

/// <summary>One ingest job of a dataset and its status (Coactive's <c>DatasetIngestionInfo</c>).</summary>
public sealed record DatasetIngestionInfo(string Status, string IngestJobId, DateTimeOffset? IngestionDt);

/// <summary>A dataset's ingest jobs, newest first (Coactive's <c>DatasetIngestionStatusResponse</c>).</summary>
public sealed record DatasetIngestionStatusResponse(PagedMeta Meta, IReadOnlyList<DatasetIngestionInfo> Data);

/// <summary>One image's ingestion status (Coactive's <c>ImageAssetStatusResponse</c>).</summary>
public sealed record ImageAssetStatusResponse(AssetStatusResponse Data);

/// <summary>A job's status with a page of its assets' statuses (Coactive's <c>JobStatus</c>).</summary>
public sealed record JobStatus(string Status, PagedAssetsStatusResponse? Assets);

/// <summary>The answer of <c>GET /api/v1/ingestion/jobs/{id}/status</c> (Coactive's <c>IngestJobStatusResponse</c>).</summary>
public sealed record IngestJobStatusResponse(JobStatus Data);

// Request bodies of the ingest jobs.

/// <summary>
/// An image to ingest by path (<c>s3://</c>, <c>http(s)://</c>, <c>file:///</c> below an allowed root, <c>upload://</c>).
/// Metadata values are strings, numbers, booleans or timestamps (<see cref="DateTimeOffset"/>).
/// </summary>
public sealed record IngestJobImage(
    string SourcePath,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, object?>? Metadata = null);

/// <summary>The body of <c>POST /api/v1/ingestion/images</c>: up to 1000 images.</summary>
public sealed record CreateIngestJobFromImagesRequest(
    Guid DatasetId,
    IReadOnlyList<IngestJobImage> Images,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ConnectionName = null);

/// <summary>An asset to ingest by path; <c>asset_type</c> is <c>image</c> or <c>unspecified</c> (Iris refuses <c>video</c>).</summary>
public sealed record IngestJobAsset(
    string SourcePath,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, object?>? Metadata = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AssetType = null);

/// <summary>The body of <c>POST /api/v1/ingestion/assets</c>: up to 1000 assets.</summary>
public sealed record CreateIngestJobFromAssetsRequest(
    Guid DatasetId,
    IReadOnlyList<IngestJobAsset> Assets,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ConnectionName = null);

/// <summary>An S3 bucket and prefix (Coactive's <c>BucketSpec</c>); <c>provider</c> is <c>aws</c>.</summary>
public sealed record BucketSpec(
    string Bucket,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Prefix = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Provider = null);

/// <summary>
/// The body of <c>POST /api/v1/ingestion/buckets</c>: every image below <see cref="Path"/> (<c>s3://bucket/prefix/</c>
/// or <c>file:///folder/</c>) or <see cref="Spec"/> (give one), at most <see cref="MaxDepth"/> folders deep (0: all).
/// </summary>
public sealed record CreateIngestJobFromBucketRequest(Guid DatasetId)
{
    /// <summary>The prefix: <c>s3://bucket/prefix/</c> or <c>file:///folder/</c> below an allowed root.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Path { get; init; }

    /// <summary>The prefix as a bucket and prefix, instead of <see cref="Path"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BucketSpec? Spec { get; init; }

    /// <summary>How many folders deep to look (1: the prefix itself only; 0 or null: all).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MaxDepth { get; init; }

    /// <summary>Coactive's name of a stored connection (kept on the job; Iris reads with its own settings).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ConnectionName { get; init; }
}

/// <summary>
/// The body of <c>POST /api/v1/ingestion/files</c>: the images a CSV or JSON manifest at <see cref="SourcePath"/>
/// lists; <see cref="FileType"/> is <c>csv</c>, <c>json</c> or <c>unspecified</c> (told by the extension).
/// </summary>
public sealed record CreateIngestJobFromFileRequest(
    Guid DatasetId,
    string SourcePath,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FileType = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ConnectionName = null);

/// <summary>New metadata for one ingested image, found by <see cref="AssetId"/> or <see cref="SourcePath"/> (Coactive's <c>ExistingAssetMetadataUpdate</c>).</summary>
public sealed record ExistingAssetMetadataUpdate(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? AssetId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SourcePath,
    IReadOnlyDictionary<string, object?>? Metadata,
    string AssetType = "image");

/// <summary>
/// The body of <c>POST /api/v1/ingestion/metadata</c>: up to 1000 updates; <see cref="UpdateType"/> is
/// <see cref="MetadataUpdateType.Overwrite"/>, <see cref="MetadataUpdateType.Upsert"/> (default) or <see cref="MetadataUpdateType.Remove"/>.
/// </summary>
public sealed record CreateIngestJobForMetadataRequest(
    Guid DatasetId,
    IReadOnlyList<ExistingAssetMetadataUpdate> UpdateAssets,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UpdateType = null);

/// <summary>The optional body of the dataset assets' status route: one <c>source_path</c>, or a prefix ending in <c>/</c>.</summary>
public sealed record GetDatasetAssetsStatusRequest(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SourcePath);

// Values.

/// <summary>The encoders a dataset may name (<c>encoder_name</c>).</summary>
public static class EncoderNames
{
    /// <summary><c>multimodal</c>, the default.</summary>
    public const string Multimodal = "multimodal";

    /// <summary>
    /// No visual embeddings (Iris' own value): ingestion skips that stage and the dataset cannot be searched by image
    /// until an embeddings job (<see cref="SearchApi.StartEmbeddingsJobAsync"/>) gives it an encoder.
    /// </summary>
    public const string None = "none";

    /// <summary>Coactive's encoder names: each makes visual embeddings for image search.</summary>
    public static IReadOnlyList<string> Embedding { get; } =
        [Multimodal, "multimodal-tx-large2", "multimodal-tx-large3", "multimodal-tx-large4", "nova2-multimodal", "resnet-50", "resnet-50-reduced"];

    /// <summary>Every encoder name the server takes for a new dataset: <see cref="Embedding"/> and <see cref="None"/>.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Embedding, None];
}

/// <summary>The values of a dataset's <c>status</c>.</summary>
public static class DatasetStatus
{
    /// <summary>In use (every new dataset).</summary>
    public const string Active = "active";

    /// <summary>Set aside by its owner (PATCH); still readable.</summary>
    public const string Inactive = "inactive";

    /// <summary>Being deleted.</summary>
    public const string Deleting = "deleting";

    /// <summary>Deleted (the answer of a delete).</summary>
    public const string Deleted = "deleted";
}

/// <summary>The values of an ingest job's <c>status</c>.</summary>
public static class IngestJobStatus
{
    /// <summary>Accepted; none of its assets has been taken up yet.</summary>
    public const string Pending = "pending";

    /// <summary>Some assets done or being ingested.</summary>
    public const string InProgress = "in_progress";

    /// <summary>Every asset is completed or in error (see the job's counters).</summary>
    public const string Completed = "completed";

    /// <summary>The job itself failed (see <c>error_details</c>).</summary>
    public const string Failed = "failed";

    /// <summary>Stopped before it finished (Coactive; Iris does not stop jobs).</summary>
    public const string Stopped = "stopped";

    /// <summary>Whether a job in this status will not change any more (<c>completed</c>, <c>failed</c> or <c>stopped</c>).</summary>
    public static bool IsTerminal(string status) => status is Completed or Failed or Stopped;
}

/// <summary>The <c>filter</c> of the dataset assets' status routes.</summary>
public static class AssetStatusFilter
{
    /// <summary>Completed assets.</summary>
    public const string Completed = "completed";

    /// <summary>Assets in error.</summary>
    public const string Error = "error";

    /// <summary>Assets pending or being ingested.</summary>
    public const string InProgress = "in_progress";
}

/// <summary>The <c>update_type</c> of a metadata job.</summary>
public static class MetadataUpdateType
{
    /// <summary>The given metadata replaces the image's.</summary>
    public const string Overwrite = "overwrite";

    /// <summary>The given keys are set, the others kept (the default).</summary>
    public const string Upsert = "upsert";

    /// <summary>The given keys are removed.</summary>
    public const string Remove = "remove";
}

/// <summary>The values of a manifest job's <c>file_type</c>.</summary>
public static class ManifestFileType
{
    /// <summary>Told by the file's extension (<c>.json</c> is JSON, anything else CSV).</summary>
    public const string Unspecified = "unspecified";

    /// <summary>A CSV with a header row.</summary>
    public const string Csv = "csv";

    /// <summary>A JSON manifest.</summary>
    public const string Json = "json";
}

// Iris' per-image extras, in the v1 conventions.

/// <summary>One ingestion event of an image; <c>event_entity</c> is <c>image</c>.</summary>
public sealed record ImageEventResponse(string EventType, string EventEntity, DateTimeOffset TimestampDt, string? Detail);

/// <summary>A page of an image's ingestion events, oldest first (<c>GET /api/v1/images/{asset_id}/events</c>).</summary>
public sealed record ImageEventsResponse(Guid AssetId, IReadOnlyList<ImageEventResponse> Data, PagedMeta Meta);

/// <summary>An image that looks like another: <c>distance</c> between perceptual hashes, <c>exact</c> when the bytes are equal.</summary>
public sealed record DuplicateImageResponse(Guid AssetId, string SourcePath, int Distance, bool Exact);

/// <summary>
/// A page of an image's duplicates (<c>GET /api/v1/images/{asset_id}/duplicates</c>): exact copies first, then by distance.
/// <c>meta.page.total</c> is null while more duplicates follow the page.
/// </summary>
public sealed record DuplicatesResponse(Guid AssetId, IReadOnlyList<DuplicateImageResponse> Data, PagedMeta Meta);
