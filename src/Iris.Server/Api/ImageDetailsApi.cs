using System.Security.Cryptography;
using Iris.Blobs;
using Iris.Catalog;
using Iris.Ingestion;
using Iris.Models;
using Iris.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Iris.Server.Api;

/// <summary>Per-image details beyond the seed (v1): ingestion events, the preview, duplicates.</summary>
public static class ImageDetailsApi
{
    public const int DefaultMaxDistance = 8;
    public const int MaxHashDistance = 64;
    public const int DefaultDuplicatesLimit = 100;
    public const int MaxDuplicatesLimit = 1000;
    /// <summary>How far into the duplicates a page may start (each page is searched from the first duplicate).</summary>
    public const int MaxDuplicatesOffset = 10_000;
    public const int DefaultEventsLimit = 100;
    public const int MaxEventsLimit = 1000;

    /// <summary>A preview never changes for an image id (completed images are never processed again), so clients may keep it.</summary>
    public const string PreviewCacheControl = "private, max-age=31536000, immutable";

    // Previews are a few kilobytes; anything far larger in the store is not one of ours.
    private const int MaxPreviewBytes = 8 * 1024 * 1024;

    public static RouteGroupBuilder MapImageDetailsApi(this RouteGroupBuilder api)
    {
        var images = api.MapGroup("/v1/images").WithTags("ImageDetailsApi");

        images.MapGet("/{asset_id}/events", GetImageEvents)
            .WithName("get_image_events")
            .WithSummary("The ingestion events of an image, oldest first, a page at a time")
            .WithDescription($"`offset` (default 0) and `limit` (1 to {MaxEventsLimit}, default {DefaultEventsLimit}) pick the page; "
                + "`meta.page.total` counts all the image's events.");

        images.MapGet("/{asset_id}/preview", GetImagePreview)
            .WithName("get_image_preview")
            .WithSummary("A preview of a completed image: longest side at most 256 px, EXIF orientation applied")
            .WithDescription("JPEG, or WebP when the image has transparency. Answers with a strong ETag and may be cached "
                + "for a year; If-None-Match with that ETag gives 304.")
            .Produces(StatusCodes.Status200OK, typeof(Stream), PreviewEncoder.JpegMimeType, PreviewEncoder.WebpMimeType)
            .Produces(StatusCodes.Status304NotModified);

        images.MapGet("/{asset_id}/duplicates", GetImageDuplicates)
            .WithName("get_image_duplicates")
            .WithSummary("Completed images of the same dataset that look the same: exact copies (same SHA-256) first, then by perceptual-hash distance")
            .WithDescription($"`max_distance` (0 to {MaxHashDistance} bits, default {DefaultMaxDistance}) bounds the perceptual-hash distance; "
                + $"`offset` (0 to {MaxDuplicatesOffset}, default 0) and `limit` (1 to {MaxDuplicatesLimit}, default {DefaultDuplicatesLimit}) pick the page. "
                + "`meta.page.total` and `last_page` are known (not null) once the page reaches the last duplicate.");

        return api;
    }

    public static async Task<Results<Ok<ImageEventsResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>>> GetImageEvents(
        [FromRoute(Name = "asset_id")] string assetId,
        [FromQuery(Name = "offset")] string? offset,
        [FromQuery(Name = "limit")] string? limit,
        HttpContext http, IImageStore images)
    {
        var errors = new ValidationErrors();
        var id = RequestParsing.ParseUuid(assetId, errors, "asset_id");
        var skip = QueryFields.ParseInt(offset, 0, 0, int.MaxValue, "offset", errors);
        var count = QueryFields.ParseInt(limit, DefaultEventsLimit, 1, MaxEventsLimit, "limit", errors);
        if (errors.Any) return errors.ToResult();
        // The store answers all of an image's events (a handful); the page is cut here.
        var events = await images.GetEventsAsync(http.Caller().OrgId, id, http.RequestAborted);
        if (events is null) return Errors.ImageNotFound;
        var page = events.Skip(skip).Take(count).Select(e => new ImageEventResponse(e.EventType, EventEntityImage, e.At, e.Detail)).ToArray();
        return TypedResults.Ok(new ImageEventsResponse(id, page, PagedMeta.For(skip, count, events.Count)));
    }

    /// <summary>The <c>event_entity</c> of every event Iris records: images are its only assets.</summary>
    public const string EventEntityImage = "image";

    public static async Task<Results<FileContentHttpResult, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>>> GetImagePreview(
        [FromRoute(Name = "asset_id")] string assetId, HttpContext http, IImageStore images, IBlobStore blobs)
    {
        var errors = new ValidationErrors();
        var id = RequestParsing.ParseUuid(assetId, errors, "asset_id");
        if (errors.Any) return errors.ToResult();
        var preview = await images.GetPreviewAsync(http.Caller().OrgId, id, http.RequestAborted);
        if (preview is null) return Errors.ImageNotFound;
        if (preview.PreviewKey is not { } key) return NoPreview(preview.Status);

        var bytes = await ReadPreviewAsync(blobs, key, http.RequestAborted);
        if (bytes is null) return TypedResults.NotFound(new ErrorResponse("The preview file is missing from storage."));
        var mimeType = PreviewEncoder.MimeTypeOf(bytes) ?? throw new InvalidDataException($"The preview blob {key} is neither JPEG nor WebP.");

        // A strong validator from the bytes themselves; the file result answers If-None-Match with 304.
        var etag = new EntityTagHeaderValue("\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..32] + "\"");
        http.Response.Headers.CacheControl = PreviewCacheControl;
        return TypedResults.File(bytes, mimeType, entityTag: etag);
    }

    private static NotFound<ErrorResponse> NoPreview(string status) => TypedResults.NotFound(new ErrorResponse(status switch
    {
        ImageStatus.Error => "The image has no preview: its ingestion ended in error.",
        ImageStatus.Completed => "No preview was made for this image (it was ingested before Iris made previews).",
        _ => "The image has no preview yet: it has not completed ingestion.",
    }));

    private static async Task<byte[]?> ReadPreviewAsync(IBlobStore blobs, string key, CancellationToken ct)
    {
        await using var stream = await blobs.OpenReadAsync(key, ct);
        if (stream is null) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxPreviewBytes) throw new InvalidDataException($"The preview blob {key} is larger than {MaxPreviewBytes} bytes.");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    public static async Task<Results<Ok<DuplicatesResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>>> GetImageDuplicates(
        [FromRoute(Name = "asset_id")] string assetId,
        [FromQuery(Name = "max_distance")] string? maxDistance,
        [FromQuery(Name = "offset")] string? offset,
        [FromQuery(Name = "limit")] string? limit,
        HttpContext http, IImageStore images)
    {
        var errors = new ValidationErrors();
        var id = RequestParsing.ParseUuid(assetId, errors, "asset_id");
        var distance = QueryFields.ParseInt(maxDistance, DefaultMaxDistance, 0, MaxHashDistance, "max_distance", errors);
        var skip = QueryFields.ParseInt(offset, 0, 0, MaxDuplicatesOffset, "offset", errors);
        var count = QueryFields.ParseInt(limit, DefaultDuplicatesLimit, 1, MaxDuplicatesLimit, "limit", errors);
        if (errors.Any) return errors.ToResult();

        // The search ranks from the first duplicate: ask for the pages before this one, this page and one more, to know
        // whether any follow (then the total is not known).
        var search = await images.FindDuplicatesAsync(http.Caller().OrgId, id, distance, skip + count + 1, http.RequestAborted);
        if (search is null) return Errors.ImageNotFound;
        if (search.Status != ImageStatus.Completed)
        {
            return TypedResults.NotFound(new ErrorResponse(search.Status == ImageStatus.Error
                ? "The image's ingestion ended in error; only completed images are compared for duplicates."
                : "The image has not completed ingestion yet; its duplicates can be found once it has."));
        }
        var found = search.Duplicates;
        var page = found.Skip(skip).Take(count).Select(d => new DuplicateImageResponse(d.ImageId, d.Path, d.Distance, d.Exact)).ToArray();
        var meta = found.Count > skip + count
            ? new PagedMeta(new PageDetails(skip / count + 1, null, count, skip, null))
            : PagedMeta.For(skip, count, found.Count);
        return TypedResults.Ok(new DuplicatesResponse(id, page, meta));
    }
}
