using Iris.Catalog;
using Iris.Server.Auth;
using Iris.Assets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Server.Api;

/// <summary>The seed: Coactive's v0 ImageApi (metadata of one or many images, statuses by path) and their POST twins.</summary>
public static class ImageApi
{
    public static RouteGroupBuilder MapImageApi(this RouteGroupBuilder api)
    {
        var v0 = api.MapGroup("/v0").WithTags("ImageApi");

        v0.MapGet("/images/{coactive_image_id}/metadata", GetMetadataForImage)
            .WithName("get_metadata_for_image")
            .WithSummary("Get the metadata of one image");

        v0.MapGet("/images/metadata", GetMetadataForImages)
            .RequireRateLimiting(BatchReads.Policy)
            .Produces<ErrorResponse>(StatusCodes.Status429TooManyRequests)
            .WithName("get_metadata_for_images")
            .WithSummary("Get the metadata of up to 1000 images, in the order asked, each once");

        v0.MapPost("/images/metadata", PostMetadataForImages)
            .RequireRateLimiting(BatchReads.Policy)
            .Produces<ErrorResponse>(StatusCodes.Status429TooManyRequests)
            .WithName("post_metadata_for_images")
            .WithSummary("Same as GET /api/v0/images/metadata, with the ids in the body")
            .Accepts<ImageIdsRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge);

        v0.MapGet("/datasets/{dataset_id}/images/statuses", GetStatusesForImages)
            .RequireRateLimiting(BatchReads.Policy)
            .Produces<ErrorResponse>(StatusCodes.Status429TooManyRequests)
            .WithName("get_statuses_for_images")
            .WithSummary("Get the ingestion status of up to 1000 paths of a dataset, in the order asked, each once");

        v0.MapPost("/datasets/{dataset_id}/images/statuses", PostStatusesForImages)
            .RequireRateLimiting(BatchReads.Policy)
            .Produces<ErrorResponse>(StatusCodes.Status429TooManyRequests)
            .WithName("post_statuses_for_images")
            .WithSummary("Same as GET .../images/statuses, with the paths in the body")
            .Accepts<PathsRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge);

        return api;
    }

    // The 200 answers of the metadata routes are written from the catalog's rows as it reads them (AssetJsonWriter);
    // Ok<...> stays in their result types to document that answer, EmptyHttpResult is what they return once it is sent.

    public static async Task<Results<Ok<AssetResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, EmptyHttpResult>> GetMetadataForImage(
        [FromRoute(Name = "coactive_image_id")] string coactiveImageId, HttpContext http, IImageStore images)
    {
        if (!Guid.TryParse(coactiveImageId, out var id))
            return ValidationErrors.Single("Input should be a valid UUID", "uuid_parsing", "path", "coactive_image_id");
        using var answer = new AssetJsonWriter(list: false);
        if (!await images.WriteAsync(http.Caller().OrgId, id, answer, http.RequestAborted)) return Errors.ImageNotFound;
        await answer.SendAsync(http.Response, http.RequestAborted);
        return TypedResults.Empty;
    }

    public static Task<Results<Ok<MetadataForImagesResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>, EmptyHttpResult>> GetMetadataForImages(
        [FromQuery(Name = "coactive_image_ids")] string[]? coactiveImageIds, HttpContext http, IImageStore images)
    {
        var errors = new ValidationErrors();
        var ids = RequestParsing.ParseIdList(coactiveImageIds, "query", "coactive_image_ids", errors);
        return MetadataForImages(ids, errors, http, images);
    }

    public static async Task<Results<Ok<MetadataForImagesResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>, EmptyHttpResult>> PostMetadataForImages(
        HttpContext http, IImageStore images, IrisOptions options)
    {
        using var body = await RequestParsing.ReadJsonAsync(http.Request, options.MaxJsonBodyBytes, http.RequestAborted);
        if (body.TooLargeError is { } tooLarge) return tooLarge;
        if (body.Invalid is { } invalid) return invalid;
        var errors = new ValidationErrors();
        var values = RequestParsing.ReadStringArray(body.Root, "coactiveImageIds", errors);
        var ids = errors.Any ? null : RequestParsing.ParseIdList(values, "body", "coactiveImageIds", errors);
        return await MetadataForImages(ids, errors, http, images);
    }

    private static async Task<Results<Ok<MetadataForImagesResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>, EmptyHttpResult>> MetadataForImages(
        List<Guid>? ids, ValidationErrors errors, HttpContext http, IImageStore images)
    {
        if (ids is null) return errors.ToResult();
        using var answer = new AssetJsonWriter(list: true, initialCapacity: 64 + 1536 * ids.Count);
        if (await images.WriteManyAsync(http.Caller().OrgId, ids, answer, http.RequestAborted) == 0) return Errors.ImageNotFound;
        await answer.SendAsync(http.Response, http.RequestAborted);
        return TypedResults.Empty;
    }

    public static Task<Results<Ok<StatusesForImagesResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> GetStatusesForImages(
        [FromRoute(Name = "dataset_id")] string datasetId, [FromQuery(Name = "paths")] string[]? paths,
        HttpContext http, IDatasetStore datasets, AssetService assets)
    {
        var errors = new ValidationErrors();
        var id = RequestParsing.ParseUuid(datasetId, errors);
        var list = RequestParsing.ParsePathList(paths, "query", "paths", errors);
        return StatusesForImages(id, list, errors, http, datasets, assets);
    }

    public static async Task<Results<Ok<StatusesForImagesResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> PostStatusesForImages(
        [FromRoute(Name = "dataset_id")] string datasetId, HttpContext http, IDatasetStore datasets, AssetService assets, IrisOptions options)
    {
        var errors = new ValidationErrors();
        var id = RequestParsing.ParseUuid(datasetId, errors);
        using var body = await RequestParsing.ReadJsonAsync(http.Request, options.MaxJsonBodyBytes, http.RequestAborted);
        if (body.TooLargeError is { } tooLarge) return tooLarge;
        if (body.Invalid is { } invalid) return invalid;
        var values = RequestParsing.ReadStringArray(body.Root, "paths", errors);
        var list = values is null ? null : RequestParsing.ParsePathList(values, "body", "paths", errors);
        return await StatusesForImages(id, list, errors, http, datasets, assets);
    }

    private static async Task<Results<Ok<StatusesForImagesResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> StatusesForImages(
        Guid datasetId, List<string>? paths, ValidationErrors errors, HttpContext http, IDatasetStore datasets, AssetService assets)
    {
        if (errors.Any || paths is null) return errors.ToResult();
        var org = http.Caller().OrgId;
        if (await datasets.GetAsync(org, datasetId, http.RequestAborted) is null) return Errors.DatasetNotFound;
        var statuses = await assets.GetStatusesAsync(org, datasetId, paths, http.RequestAborted);
        var data = new ImageStatusResponse[statuses.Count];
        for (var i = 0; i < data.Length; i++)
        {
            var s = statuses[i];
            data[i] = new ImageStatusResponse(s.Path, s.Status, s.ImageId, s.ErrorCode, s.ErrorReason,
                s.LatestEvent is { } e ? new LatestEvent(e.EventType, e.At) : null);
        }
        return TypedResults.Ok(new StatusesForImagesResponse(data));
    }
}

/// <summary>
/// Batch reads (up to 1000 images or paths each) run at most two per core at a time; the others
/// wait their turn in arrival order. Each holds about a megabyte of rows and JSON until its answer
/// is written: without the limit, 64 concurrent batches of 1000 tripled the CPU per image (garbage
/// collection) and the resident memory. Nothing is refused below <see cref="QueueLimit"/> waiting.
/// </summary>
public static class BatchReads
{
    public const string Policy = "batch-reads";
    public const int QueueLimit = 10_000;

    public static IServiceCollection AddBatchReadLimit(this IServiceCollection services) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.AddConcurrencyLimiter(Policy, options =>
            {
                options.PermitLimit = 2 * Environment.ProcessorCount;
                options.QueueLimit = QueueLimit;
                options.QueueProcessingOrder = System.Threading.RateLimiting.QueueProcessingOrder.OldestFirst;
            });
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, ct) => new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(
                new ErrorResponse("Too many batch reads are waiting; retry in a moment."), IrisJsonContext.Default.ErrorResponse, cancellationToken: ct));
        });
}
