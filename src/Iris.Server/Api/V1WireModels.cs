using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iris.Server.Api;

// The shapes of Coactive's v1 API (snake_case, as in ../shared/coactive-v1.openapi.json) and of Iris's own routes
// that follow its conventions. Types listed in V1JsonContext are written snake_case; the seed's v0 shapes stay in
// IrisJsonContext (camelCase).

/// <summary>Coactive's <c>PagedPageDetailsResponse</c>: where a page is in the whole list.</summary>
public sealed record PageDetails(int CurrentPage, int? LastPage, int Limit, int Offset, long? Total)
{
    public static PageDetails For(int offset, int limit, long total) =>
        new(offset / Math.Max(1, limit) + 1, (int)Math.Max(1, (total + limit - 1) / Math.Max(1, limit)), limit, offset, total);
}

/// <summary>Coactive's <c>PagedMetaResponse</c>.</summary>
public sealed record PagedMeta(PageDetails Page)
{
    public static PagedMeta For(int offset, int limit, long total) => new(PageDetails.For(offset, limit, total));
}

/// <summary>Coactive's <c>Encoder</c>: the one encoder a dataset names (Iris computes no embedding with it yet).</summary>
public sealed record EncoderResponse(Guid Id, string Name, string Modality, IReadOnlyList<string> Modalities);

/// <summary>Coactive's <c>DatasetResponse</c>, plus Iris's <c>image_count</c> (completed images).</summary>
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

/// <summary>Coactive's <c>DatasetGetManyResponse</c>.</summary>
public sealed record DatasetGetManyResponse(PagedMeta Meta, IReadOnlyList<DatasetResponse> Data);

/// <summary>The Coactive dataset settings Iris keeps and answers but does not act on (stored as this record's JSON).</summary>
public sealed record DatasetSettings(IReadOnlyList<string>? MetadataFieldsToIndex, IReadOnlyList<string>? MetadataFieldsToEmbed, JsonElement? DatasetConfig);

/// <summary>Coactive's <c>DatasetCreateRequest</c> (for the OpenAPI document; bodies are read field by field).</summary>
public sealed record DatasetCreateRequest(
    string Name, string EncoderName, string? Description, IReadOnlyList<string>? AllowedAssetTypes, string? KeyframeSamplingMethod,
    double? KeyframeUniformFpsSamplingRate, bool? StoreOriginal, bool? StorePreview, IReadOnlyList<string>? MetadataFieldsToIndex,
    IReadOnlyList<string>? MetadataFieldsToEmbed, JsonElement? DatasetConfig);

/// <summary>Coactive's <c>DatasetUpdateRequest</c>.</summary>
public sealed record DatasetUpdateRequest(string? Name, string? Description, string? Status, bool? StoreOriginal, bool? StorePreview, JsonElement? DatasetConfig);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(PagedMeta))]
[JsonSerializable(typeof(DatasetResponse))]
[JsonSerializable(typeof(DatasetGetManyResponse))]
[JsonSerializable(typeof(DatasetSettings))]
[JsonSerializable(typeof(DatasetCreateRequest))]
[JsonSerializable(typeof(DatasetUpdateRequest))]
[JsonSerializable(typeof(IngestJobResponse))]
[JsonSerializable(typeof(GetManyIngestJobsResponse))]
[JsonSerializable(typeof(PagedAssetsStatusResponse))]
[JsonSerializable(typeof(PagedAssetsStatusSummaryResponse))]
[JsonSerializable(typeof(DatasetAssetsStatusCountResponse))]
[JsonSerializable(typeof(DatasetIngestionStatusResponse))]
[JsonSerializable(typeof(ImageAssetStatusResponse))]
[JsonSerializable(typeof(IngestJobStatusResponse))]
[JsonSerializable(typeof(CreateIngestJobFromImagesRequest))]
[JsonSerializable(typeof(CreateIngestJobFromAssetsRequest))]
[JsonSerializable(typeof(CreateIngestJobFromBucketRequest))]
[JsonSerializable(typeof(CreateIngestJobFromFileRequest))]
[JsonSerializable(typeof(CreateIngestJobForMetadataRequest))]
[JsonSerializable(typeof(GetDatasetAssetsStatusRequest))]
[JsonSerializable(typeof(DeleteAssetsRequest))]
[JsonSerializable(typeof(DeleteAssetsResponse))]
public sealed partial class V1JsonContext : JsonSerializerContext;
