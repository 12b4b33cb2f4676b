using System.Text.Json;
using System.Text.Json.Serialization;
using Iris.Models;

namespace Iris.Server.Api;

// Coactive's ingestion shapes (snake_case through V1JsonContext).

/// <summary>JSON text written into the answer as it is (a job's details).</summary>
[JsonConverter(typeof(RawJsonConverter<RawJson>))]
public sealed class RawJson(string json) : IRawJson
{
    public string Json { get; } = json;
}

/// <summary>
/// Coactive's <c>CreateIngestJobResponse</c> and <c>GetOneIngestJobResponse</c> in one: every field of both
/// (<c>request_type</c> is always <c>submit</c>).
/// </summary>
public sealed record IngestJobResponse(
    string Id,
    string OrgId,
    Guid DatasetId,
    string? ConnectionName,
    string JobType,
    RawJson? Details,
    string RequestType,
    string? SourceType,
    string? FilePath,
    DateTimeOffset CreatedDt,
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
    /// <remarks>Coactive's job types have no embeddings job: Iris answers it as <c>unspecified</c>, its details saying what it makes.</remarks>
    public static IngestJobResponse From(IngestJob j, string detailsJson) => new(
        j.Id.ToString(), j.OrgId.ToString(), j.DatasetId, j.ConnectionName,
        j.JobType == IngestJobType.Embeddings ? "unspecified" : j.JobType, new RawJson(detailsJson), "submit", j.SourceType,
        j.FilePath, j.CreatedAt, j.UpdatedAt, j.StartedAt, j.FinishedAt, j.Status, j.TotalAssets, j.ProcessedAssets, j.ErroredAssets,
        j.ErrorDetails, RequestId: null);
}

/// <summary>Coactive's <c>GetManyIngestJobsResponse</c> plus Iris's paging <c>meta</c>.</summary>
public sealed record GetManyIngestJobsResponse(IReadOnlyList<IngestJobResponse> Jobs, PagedMeta Meta);

/// <summary>Coactive's <c>LatestEvent</c>.</summary>
public sealed record AssetLatestEvent(string? EventType, string? EventEntity, DateTimeOffset? TimestampDt);

/// <summary>Coactive's <c>Status</c>: one asset's ingestion status.</summary>
public sealed record AssetStatusResponse(
    string Status, Guid AssetId, Guid DatasetId, string? ErrorCode, string? ErrorReason, string? SourcePath, AssetLatestEvent LatestEvent, string? AssetType)
{
    public static AssetStatusResponse From(ImageRecord i) => new(
        i.Status, i.Id, i.DatasetId, i.ErrorCode, i.ErrorReason, i.Path,
        new AssetLatestEvent(i.LatestEvent?.EventType, i.LatestEvent is null ? null : "image", i.LatestEvent?.At), "image");
}

public sealed record PagedAssetsStatusResponse(PagedMeta Meta, IReadOnlyList<AssetStatusResponse> Data);

/// <summary>Coactive's <c>StatusSummary</c>; <c>ingestion_dt</c> is when the image was last asked for.</summary>
public sealed record StatusSummaryResponse(string Status, Guid AssetId, Guid DatasetId, string AssetType, string? SourcePath, DateTimeOffset? IngestionDt)
{
    public static StatusSummaryResponse From(ImageRecord i) => new(i.Status, i.Id, i.DatasetId, "image", i.Path, i.RequestAt ?? i.CreatedAt);
}

public sealed record PagedAssetsStatusSummaryResponse(PagedMeta Meta, IReadOnlyList<StatusSummaryResponse> Data);

public sealed record DatasetAssetsStatusCountResponse(IReadOnlyDictionary<string, long> Data);

public sealed record DatasetIngestionInfo(string Status, string IngestJobId, DateTimeOffset? IngestionDt);

public sealed record DatasetIngestionStatusResponse(PagedMeta Meta, IReadOnlyList<DatasetIngestionInfo> Data);

public sealed record ImageAssetStatusResponse(AssetStatusResponse Data);

public sealed record JobStatus(string Status, PagedAssetsStatusResponse Assets);

public sealed record IngestJobStatusResponse(JobStatus Data);

// Request bodies, for the OpenAPI document (they are read field by field).

public sealed record IngestJobImage(string SourcePath, Dictionary<string, JsonElement>? Metadata);

public sealed record CreateIngestJobFromImagesRequest(Guid DatasetId, string? ConnectionName, IReadOnlyList<IngestJobImage> Images);

public sealed record IngestJobAsset(string SourcePath, Dictionary<string, JsonElement>? Metadata, string? AssetType);

public sealed record CreateIngestJobFromAssetsRequest(Guid DatasetId, string? ConnectionName, IReadOnlyList<IngestJobAsset> Assets);

public sealed record BucketSpec(string Bucket, string? Prefix, string? Provider);

public sealed record CreateIngestJobFromBucketRequest(
    Guid DatasetId, string? ConnectionName, string? Path, BucketSpec? Spec, string? SourcePath, BucketSpec? SourceSpec, int? MaxDepth);

public sealed record CreateIngestJobFromFileRequest(Guid DatasetId, string SourcePath, string? ConnectionName, string? FileType);

public sealed record ExistingAssetMetadataUpdate(Guid? AssetId, string? SourcePath, string AssetType, Dictionary<string, JsonElement>? Metadata);

public sealed record CreateIngestJobForMetadataRequest(
    Guid DatasetId, IReadOnlyList<ExistingAssetMetadataUpdate>? UpdateAssets, string? SourcePath, string? UpdateType);

public sealed record GetDatasetAssetsStatusRequest(string? SourcePath);
