using System.Text.Json;
using Iris.Catalog;
using Iris.Models;
using Iris.Server.Auth;
using Iris.Server.OpenApi;
using Microsoft.OpenApi;
using Iris.Sources;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Iris.Server.Api;

/// <summary>Coactive's ingestion statuses: of a dataset's assets (paged, filtered), their counts, a dataset's jobs, one image.</summary>
public static class IngestionStatusApi
{
    private static readonly string[] Filters = ["completed", "error", "in_progress"];

    private static readonly QueryParameter FilterParameter =
        new("filter", JsonSchemaType.String, "Only assets completed, in error, or in progress (pending or processing_started).", Values: Filters);

    public static RouteGroupBuilder MapIngestionStatusApi(this RouteGroupBuilder api)
    {
        var ingestion = api.MapGroup("/v1/ingestion").WithTags("IngestionApi");

        ingestion.MapPost("/datasets/{dataset_id}/assets/status", DatasetAssetsStatus)
            .WithName("get-dataset-assets-status-api-v-1-ingestion-datasets-dataset-id-assets-status-post")
            .WithSummary("Statuses of the dataset's assets, oldest first, a page at a time; filter by status, and by source_path (exact, or a prefix ending in /)")
            .Accepts<GetDatasetAssetsStatusRequest>("application/json")
            .WithQuery(FilterParameter, QueryParameter.Offset, QueryParameter.Limit(IngestionApi.MaxPageLimit))
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge);

        ingestion.MapGet("/datasets/{dataset_id}/assets/status/count", DatasetAssetsStatusCount)
            .WithName("get-dataset-assets-status-count-api-v-1-ingestion-datasets-dataset-id-assets-status-count-get")
            .WithSummary("How many of the dataset's assets are in each status (completed, error, in_progress = pending + processing_started), and in all");

        ingestion.MapGet("/datasets/{dataset_id}/assets/status/summary", DatasetAssetsStatusSummary)
            .WithName("get-dataset-assets-status-summary-api-v-1-ingestion-datasets-dataset-id-assets-status-summary-get")
            .WithSummary("A short status of each of the dataset's assets, oldest first, a page at a time")
            .WithQuery(FilterParameter, QueryParameter.Offset, QueryParameter.Limit(IngestionApi.MaxPageLimit));

        ingestion.MapGet("/datasets/{dataset_id}/status", DatasetStatus)
            .WithName("get-dataset-status-api-v-1-ingestion-datasets-dataset-id-status-get")
            .WithSummary("The dataset's ingest jobs and their statuses, newest first")
            .WithQuery(QueryParameter.Offset, QueryParameter.Limit(IngestionApi.MaxPageLimit));

        ingestion.MapGet("/images/{asset_id}/status", ImageStatusRoute)
            .WithName("get-image-asset-status-api-v-1-ingestion-images-asset-id-status-get")
            .WithSummary("One image's ingestion status");

        return api;
    }

    public static async Task<Results<Ok<PagedAssetsStatusResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> DatasetAssetsStatus(
        [FromRoute(Name = "dataset_id")] string datasetId, HttpContext http, IImageStore images, IrisOptions options)
    {
        var errors = new ValidationErrors();
        var id = RequestParsing.ParseUuid(datasetId, errors);
        var (statuses, offset, limit) = Paging(http, errors);
        string? sourcePath = null;
        // The body is optional (the document allows null): no body, or JSON null, lists every asset.
        if (http.Request.ContentLength is not 0 && (http.Request.ContentLength is not null || http.Request.Headers.TransferEncoding.Count > 0))
        {
            using var body = await RequestParsing.ReadJsonAsync(http.Request, options.MaxJsonBodyBytes, http.RequestAborted);
            if (body.TooLargeError is { } tooLarge) return tooLarge;
            if (body.Invalid is null && body.Root.ValueKind == JsonValueKind.Object)
                sourcePath = new BodyFields(body.Root, errors, "body").String("source_path", maxLength: IngestionSources.MaxPathLength);
            else if (body.Invalid is { } invalid && !IsMissing(invalid)) return invalid;
            else if (body.Invalid is null && body.Root.ValueKind != JsonValueKind.Null) errors.WrongType(JsonValueKind.Object, "body");
        }
        if (errors.Any) return errors.ToResult();

        var query = new ImageQuery(statuses);
        if (sourcePath is not null)
        {
            var normalized = ImagePaths.Normalize(sourcePath);
            query = normalized.EndsWith('/') ? query with { PathPrefix = normalized } : query with { Path = normalized };
        }
        var page = await images.ListAsync(http.Caller().OrgId, id, query, offset, limit, http.RequestAborted);
        return page is null
            ? Errors.DatasetNotFound
            : TypedResults.Ok(new PagedAssetsStatusResponse(PagedMeta.For(offset, limit, page.Total), page.Items.Select(AssetStatusResponse.From).ToArray()));
    }

    public static async Task<Results<Ok<DatasetAssetsStatusCountResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>>> DatasetAssetsStatusCount(
        [FromRoute(Name = "dataset_id")] string datasetId, HttpContext http, IImageStore images)
    {
        var errors = new ValidationErrors();
        var id = RequestParsing.ParseUuid(datasetId, errors);
        if (errors.Any) return errors.ToResult();
        if (await images.CountByStatusAsync(http.Caller().OrgId, id, http.RequestAborted) is not { } counts) return Errors.DatasetNotFound;
        long Count(string status) => counts.TryGetValue(status, out var n) ? n : 0;
        var pending = Count(ImageStatus.Pending);
        var started = Count(ImageStatus.ProcessingStarted);
        return TypedResults.Ok(new DatasetAssetsStatusCountResponse(new Dictionary<string, long>
        {
            ["completed"] = Count(ImageStatus.Completed),
            ["error"] = Count(ImageStatus.Error),
            ["in_progress"] = pending + started,
            ["pending"] = pending,
            ["processing_started"] = started,
            ["total"] = counts.Values.Sum(),
        }));
    }

    public static async Task<Results<Ok<PagedAssetsStatusSummaryResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>>> DatasetAssetsStatusSummary(
        [FromRoute(Name = "dataset_id")] string datasetId, HttpContext http, IImageStore images)
    {
        var errors = new ValidationErrors();
        var id = RequestParsing.ParseUuid(datasetId, errors);
        var (statuses, offset, limit) = Paging(http, errors);
        if (errors.Any) return errors.ToResult();
        var page = await images.ListAsync(http.Caller().OrgId, id, new ImageQuery(statuses), offset, limit, http.RequestAborted);
        return page is null
            ? Errors.DatasetNotFound
            : TypedResults.Ok(new PagedAssetsStatusSummaryResponse(PagedMeta.For(offset, limit, page.Total), page.Items.Select(StatusSummaryResponse.From).ToArray()));
    }

    public static async Task<Results<Ok<DatasetIngestionStatusResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>>> DatasetStatus(
        [FromRoute(Name = "dataset_id")] string datasetId, HttpContext http, IDatasetStore datasets, IIngestJobStore jobs)
    {
        var errors = new ValidationErrors();
        var id = RequestParsing.ParseUuid(datasetId, errors);
        var query = new QueryFields(http.Request.Query, errors);
        var offset = query.Int("offset", 0, 0, int.MaxValue);
        var limit = query.Int("limit", 100, 1, IngestionApi.MaxPageLimit);
        if (errors.Any) return errors.ToResult();
        var orgId = http.Caller().OrgId;
        if (await datasets.GetAsync(orgId, id, http.RequestAborted) is null) return Errors.DatasetNotFound;
        var (items, total) = await jobs.ListAsync(orgId, id, null, offset, limit, http.RequestAborted);
        return TypedResults.Ok(new DatasetIngestionStatusResponse(PagedMeta.For(offset, limit, total),
            items.Select(j => new DatasetIngestionInfo(j.Status, j.Id.ToString(), j.CreatedAt)).ToArray()));
    }

    public static async Task<Results<Ok<ImageAssetStatusResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>>> ImageStatusRoute(
        [FromRoute(Name = "asset_id")] string assetId, HttpContext http, IImageStore images)
    {
        var errors = new ValidationErrors();
        var id = RequestParsing.ParseUuid(assetId, errors, "asset_id");
        if (errors.Any) return errors.ToResult();
        var image = await images.GetAsync(http.Caller().OrgId, id, http.RequestAborted);
        return image is null ? Errors.ImageNotFound : TypedResults.Ok(new ImageAssetStatusResponse(AssetStatusResponse.From(image)));
    }

    /// <summary>The <c>filter</c>, <c>offset</c> and <c>limit</c> query parameters; the filter as the image statuses it means.</summary>
    private static (IReadOnlyList<string>? Statuses, int Offset, int Limit) Paging(HttpContext http, ValidationErrors errors)
    {
        var query = new QueryFields(http.Request.Query, errors);
        var filter = query.Enum("filter", Filters);
        var offset = query.Int("offset", 0, 0, int.MaxValue);
        var limit = query.Int("limit", 100, 1, IngestionApi.MaxPageLimit);
        IReadOnlyList<string>? statuses = filter switch
        {
            "completed" => [ImageStatus.Completed],
            "error" => [ImageStatus.Error],
            "in_progress" => [ImageStatus.Pending, ImageStatus.ProcessingStarted],
            _ => null,
        };
        return (statuses, offset, limit);
    }

    private static bool IsMissing(UnprocessableEntity<HTTPValidationError> invalid) =>
        invalid.Value?.Detail is [{ Type: "missing" }];
}
