using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

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

/// <summary>One ingestion event of an image (Iris's own route, in Coactive's v1 event shape: <c>event_entity</c> is always <c>image</c>).</summary>
public sealed record ImageEventResponse(string EventType, string EventEntity, DateTimeOffset TimestampDt, string? Detail);

/// <summary>A page of an image's ingestion events, oldest first.</summary>
public sealed record ImageEventsResponse(Guid AssetId, IReadOnlyList<ImageEventResponse> Data, PagedMeta Meta);

/// <summary>An image of the same dataset that looks like the one asked about; <c>distance</c> is in bits of the 64-bit perceptual hash.</summary>
public sealed record DuplicateImageResponse(Guid AssetId, string SourcePath, int Distance, bool Exact);

/// <summary>
/// A page of the duplicates: exact copies (same SHA-256) first, then near copies by ascending distance. <c>meta.page.total</c>
/// (and <c>last_page</c>) are null while more duplicates follow this page.
/// </summary>
public sealed record DuplicatesResponse(Guid AssetId, IReadOnlyList<DuplicateImageResponse> Data, PagedMeta Meta);

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
[JsonSerializable(typeof(ImageEventsResponse))]
[JsonSerializable(typeof(DuplicatesResponse))]
[JsonSerializable(typeof(IngestJobResponse))]
[JsonSerializable(typeof(GetManyIngestJobsResponse))]
[JsonSerializable(typeof(PagedAssetsStatusResponse))]
[JsonSerializable(typeof(PagedAssetsStatusSummaryResponse))]
[JsonSerializable(typeof(DatasetAssetsStatusCountResponse))]
[JsonSerializable(typeof(DatasetProgressEvent))]
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
[JsonSerializable(typeof(ClientResponse))]
[JsonSerializable(typeof(IReadOnlyList<ClientResponse>))]
[JsonSerializable(typeof(CreateClientRequest))]
[JsonSerializable(typeof(UpdateClientRequest))]
[JsonSerializable(typeof(ImageSearchRequest))]
[JsonSerializable(typeof(SearchResponse))]
[JsonSerializable(typeof(StartEmbeddingsRequest))]
public sealed partial class V1JsonContext : JsonSerializerContext
{
    /// <summary>
    /// This context as a resolver for the API's options (ASP.NET's camelCase web defaults). A source-generated context
    /// that resolves for options other than its own names properties by those options' policy, not by its own
    /// SnakeCaseLower, so the v1 shapes would go out camelCase; this sets each name again, snake_case of the C# member
    /// (an explicit <see cref="JsonPropertyNameAttribute"/> wins). The OpenAPI document reads the same names. Built on
    /// first use: the generated <c>Default</c> is not set yet while this class's own static fields are.
    /// </summary>
    public static IJsonTypeInfoResolver SnakeCase => s_snakeCase ??= Default.WithAddedModifier(SnakeCaseNames);

    private static IJsonTypeInfoResolver? s_snakeCase;

    private static void SnakeCaseNames(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object) return;
        foreach (var property in info.Properties)
        {
            if (property.AttributeProvider is MemberInfo member && !member.IsDefined(typeof(JsonPropertyNameAttribute), inherit: true))
                property.Name = JsonNamingPolicy.SnakeCaseLower.ConvertName(member.Name);
        }
    }
}
