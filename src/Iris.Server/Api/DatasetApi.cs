using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Iris.Datasets;
using Iris.Models;
using Iris.Server.Auth;
using Iris.Server.OpenApi;
using Microsoft.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Iris.Server.Api;

/// <summary>
/// Datasets, as Coactive's v1 document has them: create, list (filters and paging), get, PATCH, delete. Fields
/// that mean nothing in Iris (videos, keyframes, stored originals) are answered with fixed, truthful values.
/// </summary>
public static partial class DatasetApi
{
    public const int MaxDescriptionLength = 4096;
    public const int MaxPageLimit = 1000;
    public const int MaxMetadataFields = 1000;

    /// <summary>Coactive's visual encoders (each makes Iris's one visual embedding) and Iris's <c>none</c> (no embeddings).</summary>
    public static readonly IReadOnlyList<string> EncoderNames = Iris.Embeddings.Encoders.All;
    public static readonly string[] AssetTypes = ["image", "video"];
    public static readonly string[] KeyframeSamplingMethods = ["intelligent", "uniform"];
    public static readonly string[] Statuses = ["active", "inactive", "deleting", "deleted"];
    public static readonly string[] SettableStatuses = ["active", "inactive"];

    // What Iris answers for Coactive's video and storage settings: it ingests images only, reads originals where they
    // are (keeping only uploaded bytes) and always makes a preview.
    private static readonly string[] AllowedAssetTypes = ["image"];
    private const string KeyframeSamplingMethod = "intelligent";
    private const bool StoreOriginal = false;
    private const bool StorePreview = true;

    public static RouteGroupBuilder MapDatasetApi(this RouteGroupBuilder api)
    {
        var datasets = api.MapGroup("/v1/datasets").WithTags("DatasetApi");

        datasets.MapPost("/", CreateDataset)
            .WithName("create-dataset-api-v-1-datasets-post")
            .WithSummary("Create a dataset; its name is unique within the organization")
            .Accepts<DatasetCreateRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status409Conflict)
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge);

        datasets.MapGet("/", ListDatasets)
            .WithName("get-datasets-api-v-1-datasets-get")
            .WithSummary("List the organization's datasets, oldest first, filtered, a page at a time (skip, limit)")
            .WithQuery(
                new("dataset_ids", JsonSchemaType.String, "Only these datasets.", Repeated: true, Format: "uuid"),
                new("status", JsonSchemaType.String, "Only datasets in these statuses.", Repeated: true, Values: Statuses),
                new("allowed_asset_types", JsonSchemaType.String, "Only datasets allowing these (Iris's datasets allow image).", Repeated: true, Values: AssetTypes),
                new("keyframe_sampling_method", JsonSchemaType.String, "Only this method (Iris's datasets say intelligent).", Values: KeyframeSamplingMethods),
                new("store_original", JsonSchemaType.Boolean, "Iris's datasets say false."),
                new("store_preview", JsonSchemaType.Boolean, "Iris's datasets say true."),
                new("created_before", JsonSchemaType.String, "Created before this instant.", Format: "date-time"),
                new("created_after", JsonSchemaType.String, "Created after this instant.", Format: "date-time"),
                new("last_updated_before", JsonSchemaType.String, "Last updated before this instant.", Format: "date-time"),
                new("last_updated_after", JsonSchemaType.String, "Last updated after this instant.", Format: "date-time"),
                new("name_pattern", JsonSchemaType.String, "Names containing this text, ignoring case."),
                new("new_video_data_model", JsonSchemaType.Boolean, "Iris has none: true matches nothing."),
                new("celebrity_detection_enabled", JsonSchemaType.Boolean, "Iris has none: true matches nothing."),
                new("context_studio_enabled", JsonSchemaType.Boolean, "Iris has none: true matches nothing."),
                new("skip", JsonSchemaType.Integer, "How many datasets to skip (0 or more; default 0)."),
                QueryParameter.Limit(MaxPageLimit),
                new("include_deleted", JsonSchemaType.Boolean, "No effect: a deleted dataset is gone at once."));

        datasets.MapGet("/{dataset_id}", GetDataset)
            .WithName("get-dataset-by-id-api-v-1-datasets-dataset-id-get")
            .WithSummary("Get one dataset")
            .WithQuery(new QueryParameter("include_deleted", JsonSchemaType.Boolean, "No effect: a deleted dataset is gone at once."));

        datasets.MapPatch("/{dataset_id}", UpdateDataset)
            .WithName("update-dataset-by-id-api-v-1-datasets-dataset-id-patch")
            .WithSummary("Rename a dataset, change its description or status (active, inactive)")
            .Accepts<DatasetUpdateRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status409Conflict)
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge);

        datasets.MapDelete("/{dataset_id}", DeleteDataset)
            .WithName("delete-dataset-by-id-api-v-1-datasets-dataset-id-delete")
            .WithSummary("Delete a dataset with its images, jobs and the files Iris stored for them");

        return api;
    }

    [GeneratedRegex("^[A-Za-z0-9_]{1,128}$")]
    private static partial Regex NamePattern();

    public static async Task<Results<Ok<DatasetResponse>, Conflict<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> CreateDataset(
        HttpContext http, DatasetService datasets, IrisOptions options)
    {
        using var body = await RequestParsing.ReadJsonAsync(http.Request, options.MaxJsonBodyBytes, http.RequestAborted);
        if (body.TooLargeError is { } tooLarge) return tooLarge;
        if (body.Invalid is { } invalid) return invalid;
        var errors = new ValidationErrors();
        if (BodyFields.OfBody(body, errors) is not { } fields) return errors.ToResult();
        var name = Name(fields, required: true);
        var encoder = fields.Enum("encoder_name", EncoderNames, required: true);
        var description = fields.String("description", maxLength: MaxDescriptionLength);
        fields.Strings("allowed_asset_types", 2, AssetTypes);
        fields.Enum("keyframe_sampling_method", KeyframeSamplingMethods);
        if (fields.Number("keyframe_uniform_fps_sampling_rate") is { } rate && rate is < 0.00001 or > 5)
            errors.Add("Input should be between 0.00001 and 5 keyframes per second", "value_error", fields.Loc("keyframe_uniform_fps_sampling_rate"));
        fields.Bool("store_original");
        fields.Bool("store_preview");
        var settings = Settings(fields, errors);
        if (errors.Any) return errors.ToResult();

        var created = await datasets.CreateAsync(http.Caller(), name!, description, http.RequestAborted, encoder!, settings);
        return created is null
            ? TypedResults.Conflict(new ErrorResponse($"A dataset named '{name}' already exists."))
            : TypedResults.Ok(Response(created));
    }

    public static async Task<Results<Ok<DatasetGetManyResponse>, UnprocessableEntity<HTTPValidationError>>> ListDatasets(
        HttpContext http, DatasetService datasets)
    {
        var errors = new ValidationErrors();
        var query = new QueryFields(http.Request.Query, errors);
        var ids = query.UuidList("dataset_ids", MaxPageLimit)?.ToHashSet();
        var statuses = query.EnumList("status", Statuses);
        var assetTypes = query.EnumList("allowed_asset_types", AssetTypes);
        var keyframes = query.Enum("keyframe_sampling_method", KeyframeSamplingMethods);
        var storeOriginal = query.Bool("store_original");
        var storePreview = query.Bool("store_preview");
        var createdBefore = query.Time("created_before");
        var createdAfter = query.Time("created_after");
        var updatedBefore = query.Time("last_updated_before");
        var updatedAfter = query.Time("last_updated_after");
        var namePattern = query.String("name_pattern", 256);
        // Iris has no video data model, celebrity detection or context studio: a filter asking for them matches nothing.
        var absentFeatures = new[] { query.Bool("new_video_data_model"), query.Bool("celebrity_detection_enabled"), query.Bool("context_studio_enabled") };
        var skip = query.Int("skip", 0, 0, int.MaxValue);
        var limit = query.Int("limit", 100, 1, MaxPageLimit);
        query.Bool("include_deleted"); // a deleted dataset is gone at once: there are none to include
        if (errors.Any) return errors.ToResult();

        bool Matches(Dataset d) =>
            (ids is null || ids.Contains(d.Id))
            && (statuses is null || statuses.Contains(d.Status))
            && (assetTypes is null || assetTypes.Intersect(AllowedAssetTypes).Any())
            && (keyframes is null || keyframes == KeyframeSamplingMethod)
            && (storeOriginal is null || storeOriginal == StoreOriginal)
            && (storePreview is null || storePreview == StorePreview)
            && (createdBefore is null || d.CreatedAt < createdBefore)
            && (createdAfter is null || d.CreatedAt > createdAfter)
            && (updatedBefore is null || d.UpdatedAt < updatedBefore)
            && (updatedAfter is null || d.UpdatedAt > updatedAfter)
            && (namePattern is null || d.Name.Contains(namePattern, StringComparison.OrdinalIgnoreCase))
            && absentFeatures.All(f => f is null or false);

        var (items, total) = await datasets.ListAsync(http.Caller(), Matches, skip, limit, http.RequestAborted);
        return TypedResults.Ok(new DatasetGetManyResponse(PagedMeta.For(skip, limit, total), items.Select(d => Response(d)).ToArray()));
    }

    public static async Task<Results<Ok<DatasetResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>>> GetDataset(
        [FromRoute(Name = "dataset_id")] string datasetId, HttpContext http, Iris.Catalog.IDatasetStore datasets)
    {
        var errors = new ValidationErrors();
        var id = RequestParsing.ParseUuid(datasetId, errors);
        new QueryFields(http.Request.Query, errors).Bool("include_deleted");
        if (errors.Any) return errors.ToResult();
        var dataset = await datasets.GetAsync(http.Caller().OrgId, id, http.RequestAborted);
        return dataset is null ? Errors.DatasetNotFound : TypedResults.Ok(Response(dataset));
    }

    public static async Task<Results<Ok<DatasetResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> UpdateDataset(
        [FromRoute(Name = "dataset_id")] string datasetId, HttpContext http, DatasetService datasets, IrisOptions options)
    {
        var errors = new ValidationErrors();
        var id = RequestParsing.ParseUuid(datasetId, errors);
        using var body = await RequestParsing.ReadJsonAsync(http.Request, options.MaxJsonBodyBytes, http.RequestAborted);
        if (body.TooLargeError is { } tooLarge) return tooLarge;
        if (body.Invalid is { } invalid) return invalid;
        if (BodyFields.OfBody(body, errors) is not { } fields) return errors.ToResult();
        var name = Name(fields, required: false);
        var hasDescription = body.Root.TryGetProperty("description", out _);
        var description = fields.String("description", maxLength: MaxDescriptionLength);
        var status = fields.Enum("status", SettableStatuses);
        fields.Bool("store_original");
        fields.Bool("store_preview");
        var hasConfig = fields.Get("dataset_config") is not null;
        var config = hasConfig ? Settings(fields, errors) : null;
        if (errors.Any) return errors.ToResult();

        var update = await datasets.UpdateAsync(http.Caller(), id, d => d with
        {
            Name = name ?? d.Name,
            Description = hasDescription ? description : d.Description,
            Status = status ?? d.Status,
            SettingsJson = hasConfig ? MergeConfig(d.SettingsJson, config) : d.SettingsJson,
        }, http.RequestAborted);
        if (update.NameTaken) return TypedResults.Conflict(new ErrorResponse($"A dataset named '{name}' already exists."));
        return update.Dataset is { } updated ? TypedResults.Ok(Response(updated)) : Errors.DatasetNotFound;
    }

    public static async Task<Results<Ok<DatasetResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>>> DeleteDataset(
        [FromRoute(Name = "dataset_id")] string datasetId, HttpContext http, DatasetService datasets, TimeProvider time)
    {
        var errors = new ValidationErrors();
        var id = RequestParsing.ParseUuid(datasetId, errors);
        if (errors.Any) return errors.ToResult();
        var caller = http.Caller();
        var deleted = await datasets.DeleteAsync(caller, id, http.RequestAborted);
        return deleted is null
            ? Errors.DatasetNotFound
            : TypedResults.Ok(Response(deleted with { Status = DatasetStatus.Deleted }, (time.GetUtcNow(), caller.ClientId)));
    }

    private static string? Name(BodyFields fields, bool required)
    {
        var name = fields.String("name", required, maxLength: 1024);
        if (name is null || NamePattern().IsMatch(name)) return name;
        fields.Errors.Add("Name must be 1 to 128 letters, digits or underscores", "string_pattern_mismatch", fields.Loc("name"));
        return null;
    }

    /// <summary>
    /// The settings Iris keeps without acting on them, as stored JSON. dataset_config must carry its two required maps
    /// (embedding_id of UUIDs, encoder_name of strings) so that answering it back stays valid.
    /// </summary>
    private static string? Settings(BodyFields fields, ValidationErrors errors)
    {
        var index = fields.Strings("metadata_fields_to_index", MaxMetadataFields);
        var embed = fields.Strings("metadata_fields_to_embed", MaxMetadataFields);
        var config = fields.ObjectField("dataset_config");
        if (config is { } c)
        {
            var inner = new BodyFields(c, errors, fields.Loc("dataset_config"));
            if (inner.ObjectField("embedding_id", required: true) is { } embeddingIds)
            {
                foreach (var p in embeddingIds.EnumerateObject())
                {
                    if (p.Value.ValueKind != JsonValueKind.String || !Guid.TryParse(p.Value.GetString(), out _))
                        errors.NotUuid(inner.Loc("embedding_id", p.Name));
                }
            }
            if (inner.ObjectField("encoder_name", required: true) is { } encoderNames)
            {
                foreach (var p in encoderNames.EnumerateObject())
                {
                    if (p.Value.ValueKind != JsonValueKind.String) errors.WrongType(JsonValueKind.String, inner.Loc("encoder_name", p.Name));
                }
            }
        }
        if (index is null && embed is null && config is null) return null;
        return JsonSerializer.Serialize(new DatasetSettings(index, embed, config?.Clone()), V1JsonContext.Default.DatasetSettings);
    }

    private static string? MergeConfig(string? settingsJson, string? newSettingsJson)
    {
        var old = ReadSettings(settingsJson);
        var config = ReadSettings(newSettingsJson).DatasetConfig;
        return JsonSerializer.Serialize(old with { DatasetConfig = config }, V1JsonContext.Default.DatasetSettings);
    }

    private static DatasetSettings ReadSettings(string? json) =>
        json is null ? new DatasetSettings(null, null, null) : JsonSerializer.Deserialize(json, V1JsonContext.Default.DatasetSettings)!;

    public static DatasetResponse Response(Dataset d, (DateTimeOffset At, string By)? deleted = null)
    {
        var settings = ReadSettings(d.SettingsJson);
        EncoderResponse[] encoders = [new(EncoderId(d.Id, d.EncoderName), d.EncoderName, "visual", ["visual"])];
        return new DatasetResponse(
            d.CreatedAt, d.UpdatedAt, d.CreatedBy, d.UpdatedBy, deleted?.At, deleted?.By, d.Id, d.Name, encoders, encoders,
            d.Description, AllowedAssetTypes, d.Status, KeyframeSamplingMethod, null, StoreOriginal, StorePreview,
            settings.MetadataFieldsToIndex, settings.MetadataFieldsToEmbed, settings.DatasetConfig, d.ImageCount);
    }

    /// <summary>A stable id for the dataset's encoder (Iris keeps no encoder rows): a name-based UUID of dataset and encoder.</summary>
    private static Guid EncoderId(Guid datasetId, string encoderName)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(datasetId.ToString("N") + "/" + encoderName), hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8: application-defined
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(hash[..16], bigEndian: true);
    }
}
