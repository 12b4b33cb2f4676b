using System.Text.Json;
using Iris.Assets;
using Iris.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Iris.Server.Api;

/// <summary>Coactive's delete-assets: images of a dataset deleted by coactive image id or by path.</summary>
public static class DeleteAssetsApi
{
    /// <summary>Coactive's limit: "up to 100 assets per request".</summary>
    public const int MaxAssetsPerRequest = 100;

    public static RouteGroupBuilder MapDeleteAssetsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/v0/delete/assets", DeleteAssets)
            .WithTags("AssetApi")
            .WithName("delete-assets")
            .WithSummary("Delete up to 100 images of a dataset by coactiveImageId or path; they are gone when the answer is sent")
            .WithDescription(
                "Each identifier that is a UUID names an image by its coactive image id; any other is a path (file:/// paths " +
                "in any spelling of the same file). The image goes with its events, its queued ingestion, its preview and, once " +
                "no other image uses the same bytes, its uploaded file. The answer lists every asset asked for, as asked, with " +
                "the id of this request's deletion: it does not say which existed (an unknown identifier, or one of another " +
                "dataset or organization, deletes nothing). Iris holds images only: asset_type video is refused (422).")
            .Accepts<DeleteAssetsRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge);
        return api;
    }

    public static async Task<Results<Accepted<DeleteAssetsResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> DeleteAssets(
        HttpContext http, AssetDeletion deletion, IrisOptions options)
    {
        using var body = await RequestParsing.ReadJsonAsync(http.Request, options.MaxJsonBodyBytes, http.RequestAborted);
        if (body.TooLargeError is { } tooLarge) return tooLarge;
        if (body.Invalid is { } invalid) return invalid;

        var errors = new ValidationErrors();
        if (body.Root.ValueKind != JsonValueKind.Object)
        {
            errors.WrongType(JsonValueKind.Object, "body");
            return errors.ToResult();
        }
        var datasetId = ParseDatasetId(body.Root, errors);
        var identifiers = ParseAssets(body.Root, errors);
        if (errors.Any) return errors.ToResult();

        var caller = http.Caller();
        var deleted = await deletion.DeleteAsync(caller, datasetId, identifiers, http.RequestAborted);
        if (deleted is null) return Errors.DatasetNotFound;
        // Iris deletes synchronously: the images are gone already when this 202 is sent. delete_job_id names this
        // request's deletion (one per request, Coactive's field), not a job still to run.
        var assets = identifiers.Select(i => new DeleteAssetsResponseAssetsItems(AssetType.Image, i, deleted.RequestId)).ToArray();
        return TypedResults.Accepted((string?)null, new DeleteAssetsResponse(caller.OrgId, datasetId, assets));
    }

    private static Guid ParseDatasetId(JsonElement root, ValidationErrors errors)
    {
        if (!root.TryGetProperty("dataset_id", out var element) || element.ValueKind == JsonValueKind.Null)
            errors.Missing("body", "dataset_id");
        else if (element.ValueKind != JsonValueKind.String)
            errors.Add("UUID input should be a string, bytes or UUID object", "uuid_type", "body", "dataset_id");
        else if (Guid.TryParse(element.GetString(), out var id))
            return id;
        else
            errors.NotUuid("body", "dataset_id");
        return Guid.Empty;
    }

    /// <summary>The identifiers, in the order asked (every asset is an image once the request is valid).</summary>
    private static List<string> ParseAssets(JsonElement root, ValidationErrors errors)
    {
        var identifiers = new List<string>();
        if (!root.TryGetProperty("assets", out var array) || array.ValueKind == JsonValueKind.Null)
        {
            errors.Missing("body", "assets");
            return identifiers;
        }
        if (array.ValueKind != JsonValueKind.Array)
        {
            errors.WrongType(JsonValueKind.Array, "body", "assets");
            return identifiers;
        }
        var count = array.GetArrayLength();
        if (count == 0)
        {
            errors.Add("List should have at least 1 item after validation, not 0", "too_short", "body", "assets");
            return identifiers;
        }
        if (count > MaxAssetsPerRequest)
        {
            errors.TooLong(MaxAssetsPerRequest, count, "body", "assets");
            return identifiers;
        }

        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var index = i++;
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors.WrongType(JsonValueKind.Object, "body", "assets", index);
                continue;
            }

            if (!item.TryGetProperty("asset_type", out var type) || type.ValueKind == JsonValueKind.Null)
                errors.Missing("body", "assets", index, "asset_type");
            else if (type.ValueKind == JsonValueKind.String && type.ValueEquals("video"))
                errors.Add("Iris holds images only: there is no video to delete; use asset_type 'image'", "value_error",
                    "body", "assets", index, "asset_type");
            else if (type.ValueKind != JsonValueKind.String || !type.ValueEquals("image"))
                errors.Add("Input should be 'image' or 'video'", "enum", "body", "assets", index, "asset_type");

            if (!item.TryGetProperty("identifier", out var identifier) || identifier.ValueKind == JsonValueKind.Null)
                errors.Missing("body", "assets", index, "identifier");
            else if (identifier.ValueKind != JsonValueKind.String)
                errors.WrongType(JsonValueKind.String, "body", "assets", index, "identifier");
            else if (IngestionSources.PathProblem(identifier.GetString()!) is { } problem)
                errors.Add(problem.Msg, problem.Type, "body", "assets", index, "identifier");
            else
                identifiers.Add(identifier.GetString()!);
        }
        return identifiers;
    }
}
