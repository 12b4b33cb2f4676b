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

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(PagedMeta))]
[JsonSerializable(typeof(DeleteAssetsRequest))]
[JsonSerializable(typeof(DeleteAssetsResponse))]
public sealed partial class V1JsonContext : JsonSerializerContext;
