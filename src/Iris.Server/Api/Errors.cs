using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Iris.Server.Api;

/// <summary>The ErrorResponse answers, each worded once.</summary>
public static class Errors
{
    public static readonly JsonHttpResult<ErrorResponse> NotAuthenticated = Json(403, "Not authenticated");
    public static readonly JsonHttpResult<ErrorResponse> InvalidCredentials = Json(401, "Invalid authentication credentials");
    public static readonly NotFound<ErrorResponse> ImageNotFound = TypedResults.NotFound(new ErrorResponse("Image not found"));
    public static readonly NotFound<ErrorResponse> DatasetNotFound = TypedResults.NotFound(new ErrorResponse("Dataset not found"));
    public static readonly NotFound<ErrorResponse> JobNotFound = TypedResults.NotFound(new ErrorResponse("Ingest job not found"));
    public static readonly NotFound<ErrorResponse> ClientNotFound = TypedResults.NotFound(new ErrorResponse("Client not found"));

    public static JsonHttpResult<ErrorResponse> Json(int status, string detail) =>
        TypedResults.Json(new ErrorResponse(detail), IrisJsonContext.Default.ErrorResponse, statusCode: status);
}
