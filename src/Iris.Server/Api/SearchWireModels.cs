using Iris.Search;

namespace Iris.Server.Api;

/// <summary>Coactive's <c>ImageSearchRequest</c> (for the OpenAPI document; the handler reads the body field by field).</summary>
public sealed record ImageSearchRequest(
    Guid DatasetId,
    int Offset,
    int Limit,
    MetadataFiltersRequest? MetadataFilters,
    string? ModerationScoreType,
    Guid? CoactiveImageId,
    string? PublicUrl,
    string? UploadId,
    string? AssetType,
    bool SkipModeration);

/// <summary>Coactive's <c>MetadataFilters</c>: every clause must hold.</summary>
public sealed record MetadataFiltersRequest(IReadOnlyList<MetadataFilterClause> Filters);

/// <summary>One of Coactive's clauses: <c>==</c> with a string or boolean value, <c>!=</c>, or <c>DateTimeRangeInclusive</c> with epoch bounds.</summary>
public sealed record MetadataFilterClause(string Key, string Operator, object? Value, double? StartUtcEpoch, double? EndUtcEpoch);

/// <summary>Coactive's search <c>Image</c>, plus Iris's <c>score</c>: the cosine similarity to the query image (1 is identical).</summary>
public sealed record SearchImageResponse(
    string CreatedUserId,
    DateTimeOffset CreatedDt,
    string UpdatedUserId,
    DateTimeOffset UpdatedDt,
    Guid CoactiveImageId,
    string? Path,
    RawJson? Metadata,
    double? ModerationScore,
    double Score)
{
    public static SearchImageResponse From(SearchHit hit) => new(
        hit.Image.CreatedBy, hit.Image.CreatedAt, hit.Image.UpdatedBy, hit.Image.UpdatedAt, hit.Image.Id, hit.Image.Path,
        hit.Image.MetadataJson is { } json ? new RawJson(json) : null, ModerationScore: null, Math.Round(hit.Score, 6));
}

/// <summary>Coactive's search <c>SearchResponse</c>: the page of hits, most similar first.</summary>
public sealed record SearchResponse(IReadOnlyList<SearchImageResponse> Data);

/// <summary>Starts an embeddings job; <c>encoder_name</c> (optional) is the dataset's new encoder, one that makes embeddings.</summary>
public sealed record StartEmbeddingsRequest(string? EncoderName);
