using System.Text.Json;
using System.Text.RegularExpressions;
using Iris.Datasets;
using Iris.Catalog;
using Iris.Models;
using Iris.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Iris.Server.Api;

/// <summary>Datasets, in Coactive's v1 shapes: create, list (paged), get, delete.</summary>
public static partial class DatasetApi
{
    public const int MaxDescriptionLength = 4096;
    public const int MaxPageLimit = 1000;

    public static RouteGroupBuilder MapDatasetApi(this RouteGroupBuilder api)
    {
        var datasets = api.MapGroup("/v1/datasets").WithTags("DatasetApi");

        datasets.MapPost("/", CreateDataset)
            .WithName("create_dataset")
            .WithSummary("Create a dataset; its name is unique within the organization")
            .Accepts<CreateDatasetRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status409Conflict)
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge);

        datasets.MapGet("/", ListDatasets)
            .WithName("list_datasets")
            .WithSummary("List the organization's datasets, oldest first, a page at a time");

        datasets.MapGet("/{dataset_id}", GetDataset)
            .WithName("get_dataset")
            .WithSummary("Get one dataset");

        datasets.MapDelete("/{dataset_id}", DeleteDataset)
            .WithName("delete_dataset")
            .WithSummary("Delete a dataset with its images and the files Iris stored for them");

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
        if (body.Root.ValueKind != JsonValueKind.Object)
        {
            errors.WrongType(JsonValueKind.Object, "body");
            return errors.ToResult();
        }
        string? name = null, description = null;
        if (!body.Root.TryGetProperty("name", out var nameElement) || nameElement.ValueKind == JsonValueKind.Null)
            errors.Missing("body", "name");
        else if (nameElement.ValueKind != JsonValueKind.String)
            errors.WrongType(JsonValueKind.String, "body", "name");
        else if (!NamePattern().IsMatch(name = nameElement.GetString()!))
            errors.Add("Name must be 1 to 128 letters, digits or underscores", "string_pattern_mismatch", "body", "name");

        if (body.Root.TryGetProperty("description", out var descriptionElement) && descriptionElement.ValueKind != JsonValueKind.Null)
        {
            if (descriptionElement.ValueKind != JsonValueKind.String)
                errors.WrongType(JsonValueKind.String, "body", "description");
            else if ((description = descriptionElement.GetString()!).Length > MaxDescriptionLength)
                errors.Add($"String should have at most {MaxDescriptionLength} characters", "string_too_long", "body", "description");
        }
        if (errors.Any) return errors.ToResult();

        var created = await datasets.CreateAsync(http.Caller(), name!, description, http.RequestAborted);
        return created is null
            ? TypedResults.Conflict(new ErrorResponse($"A dataset named '{name}' already exists."))
            : TypedResults.Ok(DatasetResponse.From(created));
    }

    public static async Task<Results<Ok<DatasetListResponse>, UnprocessableEntity<HTTPValidationError>>> ListDatasets(
        [FromQuery(Name = "offset")] string? offset, [FromQuery(Name = "limit")] string? limit, HttpContext http, IDatasetStore datasets)
    {
        var errors = new ValidationErrors();
        var offsetValue = ParseInt(offset, 0, 0, int.MaxValue, "offset", errors);
        var limitValue = ParseInt(limit, 10, 1, MaxPageLimit, "limit", errors);
        if (errors.Any) return errors.ToResult();

        var (items, total) = await datasets.ListAsync(http.Caller().OrgId, offsetValue, limitValue, http.RequestAborted);
        var lastPage = (int)Math.Max(1, (total + limitValue - 1) / limitValue);
        var next = offsetValue + limitValue < total ? PageLink(offsetValue + limitValue, limitValue) : null;
        var meta = new PageMeta(
            new PageInfo(offsetValue / limitValue + 1, limitValue, offsetValue, lastPage, total),
            new PageLinks(next, PageLink(0, limitValue), PageLink((lastPage - 1) * limitValue, limitValue)));
        return TypedResults.Ok(new DatasetListResponse(meta, items.Select(DatasetResponse.From).ToArray()));
    }

    private static string PageLink(long offset, int limit) => $"/api/v1/datasets?offset={offset}&limit={limit}";

    private static int ParseInt(string? value, int fallback, int min, int max, string name, ValidationErrors errors)
    {
        if (value is null) return fallback;
        if (!int.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
        {
            errors.Add("Input should be a valid integer, unable to parse string as an integer", "int_parsing", "query", name);
            return fallback;
        }
        if (parsed < min)
            errors.Add($"Input should be greater than or equal to {min}", "greater_than_equal", "query", name);
        else if (parsed > max)
            errors.Add($"Input should be less than or equal to {max}", "less_than_equal", "query", name);
        return parsed;
    }

    public static async Task<Results<Ok<DatasetResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>>> GetDataset(
        [FromRoute(Name = "dataset_id")] string datasetId, HttpContext http, IDatasetStore datasets)
    {
        var errors = new ValidationErrors();
        var id = RequestParsing.ParseUuid(datasetId, errors);
        if (errors.Any) return errors.ToResult();
        var dataset = await datasets.GetAsync(http.Caller().OrgId, id, http.RequestAborted);
        return dataset is null ? Errors.DatasetNotFound : TypedResults.Ok(DatasetResponse.From(dataset));
    }

    public static async Task<Results<Ok<DatasetResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>>> DeleteDataset(
        [FromRoute(Name = "dataset_id")] string datasetId, HttpContext http, DatasetService datasets)
    {
        var errors = new ValidationErrors();
        var id = RequestParsing.ParseUuid(datasetId, errors);
        if (errors.Any) return errors.ToResult();
        var deleted = await datasets.DeleteAsync(http.Caller(), id, http.RequestAborted);
        return deleted is null ? Errors.DatasetNotFound : TypedResults.Ok(DatasetResponse.From(deleted));
    }
}
