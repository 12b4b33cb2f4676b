using System.Text.Json;
using Iris.Blobs;
using Iris.Catalog;
using Iris.Ingestion;
using Iris.Models;
using Iris.Search;
using Microsoft.Extensions.Logging;

namespace Iris.Embeddings;

/// <summary>
/// Embeddings jobs: visual embeddings for the completed images of a dataset that have none (a dataset created with the
/// encoder <c>none</c>, or before Iris made embeddings). Each is made from the image's stored preview (the original may
/// be gone, and a 256 px preview is what ingestion embeds from too), so a job never fetches or decodes an original
/// again. The job counts each image as it is stored and completes when none is left; one node at a time runs a job
/// (a catalog lock), and a job interrupted by a restart or an outage goes on where it stopped.
/// </summary>
public sealed class EmbeddingJobs(
    ICatalog catalog, IBlobStore blobs, TempFolder temp, QueryImages images, Lazy<IImageEmbedder> embedder, TimeProvider time,
    ILogger<EmbeddingJobs> logger)
{
    private const int Batch = 32;

    /// <summary>How long a runner with nothing to do waits before it looks for jobs again.</summary>
    public static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Switches the dataset to <paramref name="encoderName"/> (one that embeds; without one, a dataset that embeds keeps
    /// its encoder and one with none gets Coactive's default) and starts a job for its images without an embedding; the
    /// job is completed at once when there are none. Null if the organization has no such dataset.
    /// </summary>
    public async Task<IngestJob?> StartAsync(Caller caller, Guid datasetId, string? encoderName, CancellationToken ct)
    {
        if (encoderName is not null && !Encoders.Embeds(encoderName))
            throw new ArgumentException($"The encoder '{encoderName}' makes no embeddings.", nameof(encoderName));
        var dataset = await catalog.Datasets.GetAsync(caller.OrgId, datasetId, ct);
        if (dataset is null) return null;
        encoderName ??= Encoders.Embeds(dataset.EncoderName) ? dataset.EncoderName : DatasetDefaults.EncoderName;
        var now = time.GetUtcNow();
        if (dataset.EncoderName != encoderName)
        {
            var updated = await catalog.Datasets.UpdateAsync(dataset with { EncoderName = encoderName, UpdatedBy = caller.ClientId, UpdatedAt = now }, ct);
            if (updated.Dataset is null) return null;
        }
        var model = embedder.Value.Model;
        var missing = await catalog.Embeddings.CountMissingAsync(datasetId, model, ct);
        var details = Details(encoderName, model);
        var job = CatalogTime.Truncate(new IngestJob(Guid.CreateVersion7(now), caller.OrgId, datasetId, IngestJobType.Embeddings, details,
            ConnectionName: null, SourceType: "image", FilePath: null,
            Status: missing == 0 ? IngestJobStatus.Completed : IngestJobStatus.Pending, TotalAssets: missing, ProcessedAssets: 0, ErroredAssets: 0,
            ErrorDetails: null, caller.ClientId, now, now, StartedAt: missing == 0 ? now : null, FinishedAt: missing == 0 ? now : null));
        await catalog.Jobs.CreateAsync(job, ct);
        return job;
    }

    /// <summary>The job's details as answered: no listed assets (the shape of Coactive's assets details), and what it makes.</summary>
    private static string Details(string encoderName, string model)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("assets");
            json.WriteEndArray();
            json.WriteStartObject("embeddings");
            json.WriteString("encoder_name", encoderName);
            json.WriteString("model", model);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Runs open embeddings jobs, oldest first, until <paramref name="stopping"/>; outages are waited out.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var open = await catalog.Jobs.ListOpenAsync(IngestJobType.Embeddings, 10, stopping);
                foreach (var job in open) await RunJobAsync(job, stopping);
                failures = 0;
                if (open.Count == 0) await Task.Delay(IdlePoll, time, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Iris's own catalog or blob store is down (or failed): the job stays open and goes on later.
                if (failures++ == 0) logger.LogWarning(e, "Embeddings jobs: storage failed; retrying with backoff");
                try { await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, 1 << Math.Min(failures, 5))), time, stopping); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task RunJobAsync(IngestJob job, CancellationToken stopping)
    {
        await using var held = await catalog.Locks.AcquireAsync([$"embeddings-job:{job.Id}"], stopping);
        // Another node may have finished it while this one waited for the lock.
        if (await catalog.Jobs.GetAsync(job.OrgId, job.Id, stopping) is not { Status: IngestJobStatus.Pending or IngestJobStatus.InProgress }) return;
        var model = embedder.Value;
        Guid? after = null;
        while (!stopping.IsCancellationRequested)
        {
            var batch = await catalog.Embeddings.ListMissingAsync(job.DatasetId, model.Model, after, Batch, stopping);
            if (batch.Count == 0) break;
            long processed = 0, errored = 0;
            foreach (var candidate in batch)
            {
                if (await EmbedPreviewAsync(candidate, model, stopping)) processed++;
                else errored++;
            }
            await catalog.Jobs.AdvanceAsync(job.OrgId, job.Id, processed, errored, finished: false, time.GetUtcNow(), stopping);
            after = batch[^1].ImageId;
        }
        stopping.ThrowIfCancellationRequested();
        await catalog.Jobs.AdvanceAsync(job.OrgId, job.Id, 0, 0, finished: true, time.GetUtcNow(), stopping);
    }

    /// <summary>Stores the embedding of one image's preview; false when the preview is missing or does not decode.</summary>
    private async Task<bool> EmbedPreviewAsync(EmbeddingCandidate candidate, IImageEmbedder model, CancellationToken ct)
    {
        var file = temp.NewPath();
        try
        {
            await using (var preview = await blobs.OpenReadAsync(candidate.PreviewKey, ct))
            {
                if (preview is null) return false;
                await using var copy = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous);
                await preview.CopyToAsync(copy, ct);
            }
            float[] vector;
            try
            {
                vector = await images.FromFileAsync(file, ct);
            }
            catch (IngestionException e)
            {
                logger.LogWarning("Embeddings job: the preview of image {ImageId} does not decode: {Reason}", candidate.ImageId, e.Message);
                return false;
            }
            // An image deleted or ingested again meanwhile is simply not stored (it still counts as done).
            await catalog.Embeddings.PutAsync(candidate.ImageId, model.Model, EmbeddingVectors.ToBytes(vector), time.GetUtcNow(), ct);
            return true;
        }
        finally
        {
            try { File.Delete(file); } catch (IOException) { }
        }
    }
}

