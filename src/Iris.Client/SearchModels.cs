using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iris.Client;

// The shapes of Coactive's image-to-image search and Iris' embeddings route, snake_case on the wire through
// IrisV1JsonContext.

/// <summary>
/// The body of <c>POST /api/v1/search/image-to-image</c> (Coactive's <c>ImageSearchRequest</c>): the dataset to search
/// and one query image, <see cref="CoactiveImageId"/> (any image of the organization) or <see cref="PublicUrl"/> (a
/// public http(s) address the server fetches). A local file is sent with
/// <see cref="SearchApi.SearchByFileAsync(Guid, Stream, string, int, int, MetadataFilters?, string?, CancellationToken)"/>.
/// Fields left null are not sent (the server's defaults: offset 0, limit 100).
/// </summary>
public sealed record ImageSearchRequest(Guid DatasetId)
{
    /// <summary>An image of the organization (in this dataset or another) to find look-alikes of; it is left out of the hits.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Guid? CoactiveImageId { get; init; }

    /// <summary>A public http(s) URL of the query image; private and loopback addresses are refused (422) unless the server allows them.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PublicUrl { get; init; }

    /// <summary>Hits to skip, from 0; offset + limit is at most the server's window (10000).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Offset { get; init; }

    /// <summary>Hits to answer, 1 to <see cref="SearchApi.MaxLimit"/> (default 100).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Limit { get; init; }

    /// <summary>Only images whose metadata every clause holds for.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MetadataFilters? MetadataFilters { get; init; }

    /// <summary><c>image</c> or <c>video</c> (Iris holds images: a search for videos finds none).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? AssetType { get; init; }
}

/// <summary>Coactive's <c>MetadataFilters</c>: an image is a hit only if every clause holds for its metadata (at most 100 clauses).</summary>
public sealed record MetadataFilters(IReadOnlyList<MetadataFilter> Filters)
{
    public MetadataFilters(params MetadataFilter[] filters) : this((IReadOnlyList<MetadataFilter>)filters)
    {
    }
}

/// <summary>
/// One clause of <see cref="MetadataFilters"/>: <see cref="MetadataFilterOperator.Equal"/> with a string or boolean
/// <see cref="Value"/>, <see cref="MetadataFilterOperator.NotEqual"/> with a string, or
/// <see cref="MetadataFilterOperator.DateTimeRangeInclusive"/> with epoch-second bounds (either may be open). Build one
/// with <see cref="Equal(string, string)"/>, <see cref="NotEqual"/> or <see cref="InRange"/>.
/// </summary>
public sealed record MetadataFilter(string Key, string Operator)
{
    /// <summary>The value compared with (a string or a boolean).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public object? Value { get; init; }

    /// <summary>The earliest time, in seconds since 1970 UTC, a range clause takes.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? StartUtcEpoch { get; init; }

    /// <summary>The latest time, in seconds since 1970 UTC, a range clause takes.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? EndUtcEpoch { get; init; }

    /// <summary>The key's value is this string.</summary>
    public static MetadataFilter Equal(string key, string value) => new(key, MetadataFilterOperator.Equal) { Value = value };

    /// <summary>The key's value is this boolean.</summary>
    public static MetadataFilter Equal(string key, bool value) => new(key, MetadataFilterOperator.Equal) { Value = value };

    /// <summary>The key's value is not this string.</summary>
    public static MetadataFilter NotEqual(string key, string value) => new(key, MetadataFilterOperator.NotEqual) { Value = value };

    /// <summary>The key holds a time from <paramref name="from"/> to <paramref name="to"/>, both included (null: open).</summary>
    public static MetadataFilter InRange(string key, DateTimeOffset? from, DateTimeOffset? to) => new(key, MetadataFilterOperator.DateTimeRangeInclusive)
    {
        StartUtcEpoch = from?.ToUnixTimeMilliseconds() / 1000.0,
        EndUtcEpoch = to?.ToUnixTimeMilliseconds() / 1000.0,
    };
}

/// <summary>The <c>operator</c> of a <see cref="MetadataFilter"/>.</summary>
public static class MetadataFilterOperator
{
    public const string Equal = "==";
    public const string NotEqual = "!=";
    public const string DateTimeRangeInclusive = "DateTimeRangeInclusive";
}

/// <summary>
/// One image a search found (Coactive's search <c>Image</c>) plus Iris' <see cref="Score"/>: the cosine similarity of
/// its embedding to the query image's, 1 for the same picture.
/// </summary>
public sealed record SearchHit(
    string CreatedUserId,
    DateTimeOffset CreatedDt,
    string UpdatedUserId,
    DateTimeOffset UpdatedDt,
    Guid CoactiveImageId,
    string? Path,
    IReadOnlyDictionary<string, JsonElement>? Metadata,
    double? ModerationScore,
    double Score);

/// <summary>A page of hits, most similar first (Coactive's <c>SearchResponse</c>).</summary>
public sealed record ImageSearchResponse(IReadOnlyList<SearchHit> Data);

/// <summary>The optional body of <c>POST /api/v1/datasets/{id}/embeddings</c>: the dataset's new encoder (one that makes embeddings).</summary>
public sealed record StartEmbeddingsRequest(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EncoderName);
