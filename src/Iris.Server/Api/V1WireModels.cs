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

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(PagedMeta))]
[JsonSerializable(typeof(ClientResponse))]
[JsonSerializable(typeof(IReadOnlyList<ClientResponse>))]
[JsonSerializable(typeof(CreateClientRequest))]
[JsonSerializable(typeof(UpdateClientRequest))]
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
