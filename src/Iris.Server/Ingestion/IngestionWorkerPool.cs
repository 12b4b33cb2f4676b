using Iris.Blobs;
using Iris.Catalog;
using Iris.Ingestion;
using Iris.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Iris.Server.Ingestion;

/// <summary>
/// Runs <see cref="IrisOptions.Workers"/> workers inside the server. Each claims one job at a time
/// from the catalog queue (a lease), runs the pipeline and records the outcome. The catalog is the
/// source of truth: a worker that dies leaves a lease that expires and the job is claimed again.
/// </summary>
public sealed class IngestionWorkerPool(
    IIngestionQueue queue,
    IImageStore images,
    IBlobStore blobs,
    IngestionPipeline pipeline,
    IngestionSignal signal,
    IrisOptions options,
    TimeProvider time,
    ILogger<IngestionWorkerPool> logger) : BackgroundService
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);
    private readonly string _instance = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var workers = Math.Max(1, options.Workers);
        logger.LogInformation("Starting {Workers} ingestion workers", workers);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(i => Task.Run(() => WorkAsync($"{_instance}/{i}", stoppingToken), stoppingToken)));
    }

    private async Task WorkAsync(string workerId, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var jobs = await queue.ClaimAsync(workerId, 1, options.LeaseDuration, options.MaxAttempts, time.GetUtcNow(), stoppingToken);
                if (jobs.Count == 0)
                {
                    await signal.WaitAsync(IdlePoll, stoppingToken);
                    continue;
                }
                foreach (var job in jobs) await ProcessAsync(job, workerId, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The catalog failed (disk full, locked too long): back off; leases keep the jobs safe.
                logger.LogError(e, "Ingestion worker {Worker} failed; retrying", workerId);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task ProcessAsync(IngestionJob job, string workerId, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(options.ImageTimeout);
        IngestionOutcome outcome;
        try
        {
            outcome = await pipeline.RunAsync(job, timeout.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            outcome = new IngestionOutcome(job.ImageId, ImageStatus.Error, null, ErrorCodes.Unknown,
                $"Processing took longer than {options.ImageTimeout.TotalSeconds:0} seconds and was stopped.",
                [new ImageEvent(EventTypes.Error, time.GetUtcNow())]);
        }
        // Stopping mid-image leaves the lease to expire; the job is claimed again after a restart.
        if (await queue.CompleteAsync(job, workerId, outcome, time.GetUtcNow(), CancellationToken.None)) return;
        logger.LogWarning("Image {ImageId}: lease lost before completion (expired or dataset deleted); outcome dropped", job.ImageId);
        // The preview was written before the catalog said no. Keep it only if the image still exists
        // (another worker holding the lease writes the same key); otherwise nothing would ever delete it.
        if (outcome.PreviewKey is { } previewKey && await images.GetPreviewAsync(job.OrgId, job.ImageId, CancellationToken.None) is null)
            await blobs.DeleteAsync(previewKey, CancellationToken.None);
    }
}
