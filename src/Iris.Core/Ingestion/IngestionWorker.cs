using Iris.Blobs;
using Iris.Catalog;
using Iris.Models;
using Microsoft.Extensions.Logging;

namespace Iris.Ingestion;

/// <summary>
/// The rules of one ingestion worker: claim a job at a time from the catalog queue (a lease), keep the lease renewed
/// while the pipeline runs, and record the outcome. A job that used up its attempts ends its image in error
/// (<c>unknown</c>); one that is stopped (SIGTERM) or meets an outage of Iris's own catalog or blob store is handed
/// back without counting the attempt, so no image ends in error because Iris's storage was down. The catalog is the
/// source of truth: a worker that dies leaves a lease that runs out, and any worker on any node takes the job again.
/// </summary>
public sealed class IngestionWorker(
    IIngestionQueue queue,
    IImageStore images,
    IBlobStore blobs,
    IngestionPipeline pipeline,
    IrisOptions options,
    TimeProvider time,
    ILogger<IngestionWorker> logger)
{
    /// <summary>How long an idle worker waits for a wake-up before it looks at the queue again.</summary>
    public static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);

    /// <summary>How long an image handed back because of a storage outage waits before it may be claimed again.</summary>
    public static readonly TimeSpan OutageRetryDelay = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    public async Task RunAsync(string workerId, CancellationToken stopping)
    {
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var jobs = await queue.ClaimAsync(workerId, 1, options.LeaseDuration, time.GetUtcNow(), stopping);
                if (failures > 0) logger.LogInformation("Ingestion worker {Worker}: the catalog answers again", workerId);
                failures = 0;
                if (jobs.Count == 0)
                {
                    await queue.WaitForJobsAsync(IdlePoll, stopping);
                    continue;
                }
                foreach (var job in jobs) await ProcessAsync(job, workerId, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The catalog is down or failed (restarting, disk full, locked too long): back off; leases keep the jobs safe.
                if (failures++ == 0) LogFailure(e, "Ingestion worker {Worker}: the catalog failed; retrying with backoff", workerId);
                await DelayAsync(Backoff(failures), stopping);
            }
        }
    }

    private async Task ProcessAsync(IngestionJob job, string workerId, CancellationToken stopping)
    {
        using var activity = IngestionMetrics.Activities.StartActivity("ingest image");
        activity?.SetTag("iris.image.id", job.ImageId);
        activity?.SetTag("iris.dataset.id", job.DatasetId);
        activity?.SetTag("iris.attempt", job.Attempt);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["ImageId"] = job.ImageId });
        IngestionMetrics.Started();
        try
        {
            await RunJobAsync(job, workerId, stopping);
        }
        finally
        {
            IngestionMetrics.Finished();
        }
    }

    private async Task RunJobAsync(IngestionJob job, string workerId, CancellationToken stopping)
    {
        if (job.Attempt > options.MaxAttempts)
        {
            var reason = $"Processing did not finish after {job.Attempt - 1} attempts; the file may crash or hang the decoder.";
            await FinishAsync(job, workerId, Failed(job, ErrorCodes.Unknown, reason), stopping);
            return;
        }

        using var timeout = new CancellationTokenSource(options.ImageTimeout);
        using var lost = new CancellationTokenSource();
        using var grace = new CancellationTokenSource();
        // A stopping worker gives its image a little longer, then hands it back.
        await using var onStop = stopping.Register(() => grace.CancelAfter(options.ShutdownGrace));
        using var work = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, lost.Token, grace.Token);
        using var renewing = new CancellationTokenSource();
        var renewal = RenewWhileRunningAsync(job, workerId, lost, renewing.Token);

        IngestionOutcome outcome;
        try
        {
            outcome = await pipeline.RunAsync(job, work.Token);
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested)
        {
            logger.LogWarning("Image {ImageId}: the lease was lost (taken over or its dataset deleted); stopped", job.ImageId);
            return;
        }
        catch (OperationCanceledException) when (grace.IsCancellationRequested)
        {
            await HandBackAsync(job, workerId, time.GetUtcNow());
            return;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            outcome = Failed(job, ErrorCodes.Unknown, $"Processing took longer than {options.ImageTimeout.TotalSeconds:0} seconds and was stopped.");
        }
        catch (ServiceUnavailableException e)
        {
            logger.LogWarning("Image {ImageId}: {Reason}; handed back for later", job.ImageId, e.Message);
            await HandBackAsync(job, workerId, time.GetUtcNow() + OutageRetryDelay);
            return;
        }
        finally
        {
            await renewing.CancelAsync();
            await renewal;
        }
        await FinishAsync(job, workerId, outcome, stopping);
    }

    /// <summary>Renews the lease every third of its length until <paramref name="done"/>; cancels <paramref name="lost"/> once it is gone.</summary>
    private async Task RenewWhileRunningAsync(IngestionJob job, string workerId, CancellationTokenSource lost, CancellationToken done)
    {
        var every = options.LeaseDuration / 3;
        while (!done.IsCancellationRequested)
        {
            if (!await DelayAsync(every, done)) return;
            try
            {
                if (!await queue.RenewAsync(job, workerId, time.GetUtcNow() + options.LeaseDuration, done))
                {
                    await lost.CancelAsync();
                    return;
                }
            }
            catch (OperationCanceledException) when (done.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The catalog is down: keep working, renew at the next tick; the completion decides in the end.
                logger.LogDebug(e, "Image {ImageId}: lease renewal failed", job.ImageId);
            }
        }
    }

    /// <summary>
    /// Records the outcome, retrying while the catalog is down (until the worker stops); any other failure is tried
    /// a few times only. Given up, the lease runs out and the image is processed again: never lost.
    /// </summary>
    private async Task FinishAsync(IngestionJob job, string workerId, IngestionOutcome outcome, CancellationToken stopping)
    {
        const int OtherFailuresAllowed = 3;
        var otherFailures = 0;
        for (var failures = 0; ; failures++)
        {
            try
            {
                if (await queue.CompleteAsync(job, workerId, outcome, time.GetUtcNow(), CancellationToken.None))
                {
                    IngestionMetrics.Ended(outcome.Status, outcome.ErrorCode);
                    logger.LogDebug("Image {ImageId} ended {Status} {ErrorCode}", job.ImageId, outcome.Status, outcome.ErrorCode);
                    return;
                }
                break;
            }
            catch (Exception e)
            {
                if (failures == 0) LogFailure(e, "Image {ImageId}: recording the outcome failed; retrying", job.ImageId);
                if (e is not ServiceUnavailableException && ++otherFailures >= OtherFailuresAllowed)
                {
                    logger.LogError(e, "Image {ImageId}: recording the outcome failed {Failures} times; its lease will run out", job.ImageId, otherFailures);
                    return;
                }
                if (!await DelayAsync(Backoff(failures + 1), stopping)) return;
            }
        }

        logger.LogWarning("Image {ImageId}: lease lost before completion (expired or dataset deleted); outcome dropped", job.ImageId);
        // The preview was written before the catalog said no. Keep it only if the image still exists (another worker
        // holding the lease writes the same key); otherwise nothing would ever delete it.
        if (outcome.PreviewKey is { } previewKey)
        {
            try
            {
                if (await images.GetPreviewAsync(job.OrgId, job.ImageId, CancellationToken.None) is null)
                    await blobs.DeleteAsync(previewKey, CancellationToken.None);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Image {ImageId}: could not check or delete the preview of a dropped outcome", job.ImageId);
            }
        }
    }

    private async Task HandBackAsync(IngestionJob job, string workerId, DateTimeOffset notBefore)
    {
        try
        {
            await queue.ReleaseAsync(job, workerId, notBefore, CancellationToken.None);
        }
        catch (Exception e)
        {
            // The catalog is down too: the lease runs out instead (the attempt then counts).
            LogFailure(e, "Image {ImageId}: could not hand the image back; its lease will run out", job.ImageId);
        }
    }

    /// <summary>An outage is expected and says what it is in its message; anything else gets its stack trace.</summary>
    private void LogFailure(Exception e, string message, object subject)
    {
        if (e is ServiceUnavailableException) logger.LogWarning(message + ": {Reason}", subject, e.Message);
        else logger.LogWarning(e, message, subject);
    }

    private IngestionOutcome Failed(IngestionJob job, string code, string reason) =>
        new(job.ImageId, ImageStatus.Error, null, code, reason, [new ImageEvent(EventTypes.Error, time.GetUtcNow(), code)]);

    private static TimeSpan Backoff(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(failures, 10))) * (0.75 + Random.Shared.NextDouble() / 2));

    /// <summary>Waits; false if cancelled first.</summary>
    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, ct);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
