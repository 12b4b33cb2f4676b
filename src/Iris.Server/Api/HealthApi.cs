using Iris.Blobs;
using Iris.Catalog;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Iris.Server.Api;

/// <summary>The probes, on API and worker nodes alike, without credentials: liveness and readiness.</summary>
public static class HealthApi
{
    /// <summary>How long readiness waits for each of the catalog and the blob store: a probe must answer, not hang.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", Ok<HealthResponse> () => TypedResults.Ok(new HealthResponse("ok")))
            .WithName("healthz")
            .WithTags("Health")
            .WithSummary("Liveness: 200 while the process answers; needs no credentials");

        app.MapGet("/readyz", Ready)
            .WithName("readyz")
            .WithTags("Health")
            .WithSummary("Readiness: 200 when the catalog and the blob store answer, 503 (with the reason) otherwise; needs no credentials");
        return app;
    }

    public static async Task<Results<Ok<HealthResponse>, JsonHttpResult<ErrorResponse>>> Ready(ICatalog catalog, IBlobStore blobs, HttpContext http)
    {
        var catalogProblem = await ProbeAsync(ct => catalog.PingAsync(ct), "the catalog", http.RequestAborted);
        var blobProblem = await ProbeAsync(ct => blobs.ExistsAsync("readyz/probe", ct), "the blob store", http.RequestAborted);
        var problems = new[] { catalogProblem, blobProblem }.OfType<string>().ToList();
        if (problems.Count == 0) return TypedResults.Ok(new HealthResponse("ready"));
        http.Response.Headers.RetryAfter = "2";
        return Errors.Json(StatusCodes.Status503ServiceUnavailable, "Not ready: " + string.Join("; ", problems) + ".");
    }

    /// <summary>Null when <paramref name="probe"/> answers within <see cref="ProbeTimeout"/>, else what went wrong, in words.</summary>
    private static async Task<string?> ProbeAsync(Func<CancellationToken, Task> probe, string what, CancellationToken aborted)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await probe(timeout.Token);
            return null;
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            return $"{what} did not answer within {ProbeTimeout.TotalSeconds:0} s";
        }
        catch (Exception e) when (!aborted.IsCancellationRequested)
        {
            // An outage says what it is; anything else (a disk error of the embedded catalog) only its kind.
            return e is ServiceUnavailableException ? $"{what} is unavailable ({e.Message.TrimEnd('.')})" : $"{what} failed ({e.GetType().Name})";
        }
    }
}
