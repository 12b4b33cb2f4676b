using Microsoft.AspNetCore.Builder;
using Microsoft.OpenApi;

namespace Iris.Server.OpenApi;

/// <summary>
/// A query parameter a handler reads itself (through <c>QueryFields</c>, to answer FastAPI-style 422s), declared so that
/// the OpenAPI document lists it.
/// </summary>
public sealed record QueryParameter(string Name, JsonSchemaType Type, string Description, bool Repeated = false, IReadOnlyList<string>? Values = null, string? Format = null)
{
    public static QueryParameter Offset { get; } = new("offset", JsonSchemaType.Integer, "How many items to skip (0 or more; default 0).");

    public static QueryParameter Limit(int max, int fallback = 100) =>
        new("limit", JsonSchemaType.Integer, $"Items per page (1 to {max}; default {fallback}).");

    internal OpenApiParameter ToOpenApi()
    {
        var schema = new OpenApiSchema { Type = Type, Format = Format };
        if (Values is { } values) schema.Enum = values.Select(v => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(v)!).ToList();
        return new OpenApiParameter
        {
            Name = Name,
            In = ParameterLocation.Query,
            Required = false,
            Description = Description,
            Schema = Repeated ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = schema } : schema,
            Explode = Repeated,
        };
    }
}

public static class QueryParameterExtensions
{
    /// <summary>Declares the query parameters the endpoint's handler reads by hand.</summary>
    public static RouteHandlerBuilder WithQuery(this RouteHandlerBuilder builder, params QueryParameter[] parameters) =>
        builder.WithMetadata(parameters.Cast<object>().ToArray());
}
