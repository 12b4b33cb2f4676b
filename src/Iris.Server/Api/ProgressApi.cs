using System.Text;
using System.Text.Json;
using Iris.Datasets;
using Iris.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace Iris.Server.Api;

/// <summary>
/// A dataset's live ingestion progress as server-sent events: the count route's answer, pushed when it changes. The
/// console follows it with fetch() (EventSource cannot send the bearer header), one stream per page.
/// </summary>
public static class ProgressApi
{
    /// <summary>A comment line this often keeps proxies and idle timeouts from closing a quiet stream.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    public const string EventStreamMimeType = "text/event-stream";
    public const string CountsEvent = "counts";

    /// <summary>How long a client should wait before reconnecting after the stream ends (the SSE <c>retry</c> field).</summary>
    private const int RetryMilliseconds = 2000;

    public static RouteGroupBuilder MapProgressApi(this RouteGroupBuilder api)
    {
        api.MapGroup("/v1/ingestion").WithTags("IngestionApi")
            .MapGet("/datasets/{dataset_id}/assets/status/stream", StreamDatasetProgress)
            .WithName("stream_dataset_assets_status_count")
            .WithSummary("The dataset's asset counts per status and its throughput, as server-sent events, pushed when they change")
            .WithDescription("A `text/event-stream` that never ends by itself: a `counts` event (data: `DatasetProgressEvent`, the "
                + "fields of `.../assets/status/count` plus `throughput`, images finished per second over the last "
                + $"{DatasetProgress.Window.TotalSeconds:0} s) at once and then whenever the counts or the throughput change, at most every "
                + $"{DatasetProgress.SampleInterval.TotalMilliseconds:0} ms, and a `: heartbeat` comment every {HeartbeatInterval.TotalSeconds:0} s. "
                + "It ends when the client goes, when the dataset is deleted and when the server stops; reconnect after the `retry` "
                + "milliseconds it gives. Send the bearer header as on every route (EventSource cannot: read it with fetch).")
            .Produces<DatasetProgressEvent>(StatusCodes.Status200OK, EventStreamMimeType);
        return api;
    }

    public static async Task<Results<EmptyHttpResult, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>>> StreamDatasetProgress(
        [FromRoute(Name = "dataset_id")] string datasetId, HttpContext http, DatasetProgress progress, IHostApplicationLifetime lifetime)
    {
        var errors = new ValidationErrors();
        var id = RequestParsing.ParseUuid(datasetId, errors);
        if (errors.Any) return errors.ToResult();
        var orgId = http.Caller().OrgId;
        // Looked up before the stream starts, so an unknown (or another organization's) dataset is a plain JSON 404.
        if (await progress.CountAsync(orgId, id, http.RequestAborted) is not { } first) return Errors.DatasetNotFound;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var response = http.Response;
        response.ContentType = EventStreamMimeType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // reverse proxies pass each event on at once
        try
        {
            await WriteAsync(response, $"retry: {RetryMilliseconds}\n\n", stop.Token);
            var lastWrite = DateTimeOffset.MinValue;
            await foreach (var sample in progress.WatchAsync(orgId, id, first, stop.Token))
            {
                if (sample.Changed)
                {
                    await WriteAsync(response, Event(id, sample), stop.Token);
                    lastWrite = sample.At;
                }
                else if (sample.At - lastWrite >= HeartbeatInterval)
                {
                    await WriteAsync(response, ": heartbeat\n\n", stop.Token);
                    lastWrite = sample.At;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client went or the server is stopping: the stream simply ends.
        }
        catch (ServiceUnavailableException)
        {
            // The catalog is briefly gone; the answer has started, so end it and let the client reconnect.
        }
        return TypedResults.Empty;
    }

    private static string Event(Guid datasetId, ProgressSample sample)
    {
        var c = sample.Counts;
        var data = new DatasetProgressEvent(datasetId, c.Completed, c.Error, c.InProgress, c.Pending, c.ProcessingStarted, c.Total,
            sample.Throughput, sample.At);
        return $"event: {CountsEvent}\ndata: {JsonSerializer.Serialize(data, V1JsonContext.Default.DatasetProgressEvent)}\n\n";
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken ct)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
        await response.Body.FlushAsync(ct);
    }
}
