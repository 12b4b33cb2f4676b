using Iris.Catalog;
using Iris.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Iris.Server.Api;

/// <summary>Per-image details beyond the seed (v1): the history of ingestion events.</summary>
public static class ImageDetailsApi
{
    public static RouteGroupBuilder MapImageDetailsApi(this RouteGroupBuilder api)
    {
        var images = api.MapGroup("/v1/images").WithTags("ImageDetailsApi");

        images.MapGet("/{coactive_image_id}/events", GetImageEvents)
            .WithName("get_image_events")
            .WithSummary("The ingestion events of an image, oldest first");

        return api;
    }

    public static async Task<Results<Ok<ImageEventsResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>>> GetImageEvents(
        [FromRoute(Name = "coactive_image_id")] string coactiveImageId, HttpContext http, IImageStore images)
    {
        var errors = new ValidationErrors();
        var id = RequestParsing.ParseUuid(coactiveImageId, errors, "coactive_image_id");
        if (errors.Any) return errors.ToResult();
        var events = await images.GetEventsAsync(http.Caller().OrgId, id, http.RequestAborted);
        if (events is null) return Errors.ImageNotFound;
        return TypedResults.Ok(new ImageEventsResponse(id,
            events.Select(e => new ImageEventResponse(e.EventType, e.At, e.Detail)).ToArray()));
    }
}
