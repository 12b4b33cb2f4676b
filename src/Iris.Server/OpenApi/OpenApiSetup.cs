using System.Text.Json.Nodes;
using Iris.Models;
using Iris.Server.Api;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Iris.Server.OpenApi;

/// <summary>The OpenAPI document at /openapi/v1.json: bearer scheme, 401/403/429/503 on /api routes, stored-JSON schemas.</summary>
public static class OpenApiSetup
{
    public const string BearerScheme = "Bearer";

    public static IServiceCollection AddIrisOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", options =>
        {
            // The stored-JSON wrapper stands for TechnicalMetadata on the wire; name it so.
            options.CreateSchemaReferenceId = type => type.Type == typeof(StoredTechnicalMetadata)
                ? nameof(TechnicalMetadata)
                : OpenApiOptions.CreateDefaultSchemaReferenceId(type);

            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Iris",
                    Version = "v1",
                    Description = "Self-hosted image ingestion and metadata service speaking the Coactive v0 Image API. "
                                  + "Authenticate with `Authorization: Bearer CLIENT_ID:CLIENT_SECRET`.",
                    License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" },
                };
                // The server the document was read from, without the trailing slash the generator gives it.
                foreach (var server in document.Servers ?? []) server.Url = server.Url?.TrimEnd('/');
                document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));
                // Every /api operation needs the bearer credential; the probes say they need none (an empty requirement).
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [BearerScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http,
                        Scheme = "bearer",
                        BearerFormat = "CLIENT_ID:CLIENT_SECRET",
                        Description = "The credential's client id and secret joined by a colon.",
                    },
                };
                return Task.CompletedTask;
            });

            options.AddOperationTransformer((operation, context, _) =>
            {
                if (!context.Description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) ?? true)
                {
                    operation.Security = [new OpenApiSecurityRequirement()];
                    operation.Responses ??= new OpenApiResponses();
                    AddError(operation, "400", "The request is malformed (Kestrel refuses it before it reaches the probe).", context);
                    return Task.CompletedTask;
                }
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] }];
                operation.Responses ??= new OpenApiResponses();
                AddError(operation, "401", "The token is malformed, unknown, revoked or has the wrong secret.", context);
                AddError(operation, "403", "No Authorization: Bearer header.", context);
                AddError(operation, "429", "The credential's rate limit is used up; the Retry-After header says in how many seconds to try again.", context);
                AddError(operation, "503", "Iris's catalog or blob store is briefly unreachable; nothing was lost: retry after the Retry-After header's seconds.", context);
                // Query parameters the handlers read themselves (QueryFields) are declared on the endpoint.
                var declared = context.Description.ActionDescriptor.EndpointMetadata.OfType<QueryParameter>().ToList();
                if (declared.Count > 0)
                {
                    operation.Parameters ??= [];
                    foreach (var parameter in declared) operation.Parameters.Add(parameter.ToOpenApi());
                }
                // The handlers bind these lists as optional strings to answer 422 themselves; the contract requires them.
                foreach (var parameter in operation.Parameters ?? [])
                {
                    if (parameter is OpenApiParameter { In: ParameterLocation.Query, Name: "coactive_image_ids" or "paths" } required)
                        required.Required = true;
                }
                return Task.CompletedTask;
            });

            // User and technical metadata are stored as JSON and copied out as is; describe what they hold.
            options.AddSchemaTransformer(async (schema, context, ct) =>
            {
                var type = context.JsonTypeInfo.Type;
                if (type == typeof(DateTimeOffset) || type == typeof(DateTimeOffset?))
                {
                    // Our converter hides the type from the generator; it writes ISO 8601 UTC strings.
                    schema.Type = type == typeof(DateTimeOffset) ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
                    schema.Format = "date-time";
                }
                else if (type == typeof(ValidationError) && schema.Properties?.TryGetValue("loc", out var loc) == true && loc is OpenApiSchema locSchema)
                {
                    // loc is ["query", "coactive_image_ids", 0]: names and indexes.
                    locSchema.Items = new OpenApiSchema
                    {
                        AnyOf = [new OpenApiSchema { Type = JsonSchemaType.String }, new OpenApiSchema { Type = JsonSchemaType.Integer }],
                    };
                }
                else if (type == typeof(AssetType))
                {
                    // The enum converter hides the type from the generator; Coactive's AssetType is a string enum.
                    schema.Type = JsonSchemaType.String;
                    schema.Description = "What an identifier names. Iris holds images only: video is refused.";
                }
                else if (type == typeof(UserMetadata))
                {
                    schema.Type = JsonSchemaType.Object;
                    schema.Description = "User-provided key/values: strings, numbers, booleans or ISO timestamps.";
                    schema.AdditionalProperties = new OpenApiSchema
                    {
                        AnyOf = [new OpenApiSchema { Type = JsonSchemaType.String }, new OpenApiSchema { Type = JsonSchemaType.Number }, new OpenApiSchema { Type = JsonSchemaType.Boolean }],
                    };
                }
                else if (type == typeof(StoredTechnicalMetadata))
                {
                    var technical = await context.GetOrCreateSchemaAsync(typeof(TechnicalMetadata), null, ct);
                    schema.Type = technical.Type;
                    schema.Properties = technical.Properties;
                    schema.Required = technical.Required;
                    schema.Description = "What ingestion read from the file; null until the image is processed.";
                }
            });
        });

    /// <summary>The tags of the operations (the groups of the API reference), described.</summary>
    private static readonly Dictionary<string, string> Tags = new()
    {
        ["ImageApi"] = "Coactive's v0 Image API, the seed: metadata of one or many images, ingestion statuses by path.",
        ["DatasetApi"] = "Datasets in Coactive's v1 shapes: create, list (filters, paging), get, update, delete.",
        ["IngestionApi"] = "Coactive's ingest jobs (images, assets, buckets, manifests, metadata) and ingestion statuses of jobs, datasets and images.",
        ["AssetApi"] = "Uploading image files into a dataset, as one ingest job; deleting images (Coactive's delete-assets).",
        ["ImageDetailsApi"] = "Per image: its ingestion events, its preview, its duplicates.",
        ["AuthManagementApi"] = "The organization's credentials, in Coactive's auth-management shapes: create, list, get, rename, revoke.",
        ["Health"] = "The probes an orchestrator calls, without credentials: liveness and readiness.",
    };

    private static void AddError(OpenApiOperation operation, string code, string description, OpenApiOperationTransformerContext context)
    {
        if (operation.Responses!.ContainsKey(code)) return;
        operation.Responses[code] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = new OpenApiSchemaReference(nameof(ErrorResponse), context.Document) },
            },
        };
    }
}
