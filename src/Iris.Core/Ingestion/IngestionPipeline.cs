using System.Text.Json;
using Iris.Blobs;
using Iris.Embeddings;
using Iris.Models;
using Iris.Sources;

namespace Iris.Ingestion;

/// <summary>
/// Runs the stages over one job and turns what happened into an <see cref="IngestionOutcome"/>:
/// <c>completed</c> with technical metadata, or <c>error</c> with a code and a reason. It never throws
/// for a bad image; it rethrows only when <c>ct</c> is cancelled (the worker is stopping) and when Iris's own storage
/// is unavailable (<see cref="ServiceUnavailableException"/>).
/// </summary>
public sealed class IngestionPipeline
{
    private readonly IReadOnlyList<IIngestionStage> _stages;
    private readonly string[] _stageNames;
    private readonly TimeProvider _time;
    private readonly Action<IngestionJob, Exception>? _onUnexpectedError;

    /// <param name="onUnexpectedError">Told about exceptions that are bugs (they end as <c>unknown</c>), e.g. to log them.</param>
    public IngestionPipeline(IEnumerable<IIngestionStage> stages, TimeProvider time, Action<IngestionJob, Exception>? onUnexpectedError = null)
    {
        _stages = [.. stages];
        // "fetch", "probe", "metadata", "preview": the metrics' stage label.
        _stageNames = [.. _stages.Select(s => s.GetType().Name.Replace("Stage", "", StringComparison.Ordinal).ToLowerInvariant())];
        _time = time;
        _onUnexpectedError = onUnexpectedError;
    }

    /// <summary>
    /// The stages of this server: fetch (and hash), probe headers, metadata, decode into a stored preview, and the visual
    /// embedding of the decoded pixels for datasets that ask for one.
    /// </summary>
    public static IngestionPipeline CreateDefault(IrisOptions options, IBlobStore blobs, TempFolder temp, S3Access s3, TimeProvider time,
        Lazy<IImageEmbedder> embedder, Action<IngestionJob, Exception>? onUnexpectedError = null) =>
        new(
            [
                new FetchStage(new SourceResolver(options, blobs, temp, s3), options, time),
                new ProbeStage(new HeaderProber(), options, time),
                new MetadataStage(time),
                new PreviewStage(RoutingImageDecoder.CreateDefault(), blobs, time),
                new EmbeddingStage(embedder),
            ],
            time,
            onUnexpectedError);

    public IReadOnlyList<IIngestionStage> Stages => _stages;

    public async Task<IngestionOutcome> RunAsync(IngestionJob job, CancellationToken ct)
    {
        var context = new IngestionContext(job);
        try
        {
            for (var i = 0; i < _stages.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                var started = _time.GetTimestamp();
                try
                {
                    await _stages[i].RunAsync(context, ct);
                }
                finally
                {
                    IngestionMetrics.StageTook(_stageNames[i], _time.GetElapsedTime(started));
                }
            }
            var json = TechnicalMetadataJson(context) ?? throw new InvalidOperationException("No stage determined the image's format and hash.");
            context.AddEvent(EventTypes.Completed, _time);
            return new IngestionOutcome(job.ImageId, ImageStatus.Completed, json, null, null, context.Events,
                context.Sha256, context.PerceptualHash, context.PreviewKey, context.Embedding);
        }
        catch (IngestionException e)
        {
            // A header cut short can still hold EXIF (a camera's thumbnail-less fragment): keep what can be read.
            if (context.Probe is null && context.PartialHeader is { } partial && context.Source is { } source)
                MetadataStage.ReadInto(context, source.LocalPath, partial.Format);
            return Failed(context, e.ErrorCode, e.Message);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw; // the worker is stopping; the lease expires and another worker retries the image
        }
        catch (ServiceUnavailableException)
        {
            throw; // Iris's own storage is down, not the image at fault: the worker hands the image back for later
        }
        catch (Exception e)
        {
            _onUnexpectedError?.Invoke(job, e);
            return Failed(context, ErrorCodes.Unknown, $"Internal error while processing the image ({e.GetType().Name}).");
        }
        finally
        {
            if (context.Source is { } source) await source.DisposeAsync();
        }
    }

    private IngestionOutcome Failed(IngestionContext context, string errorCode, string reason)
    {
        context.AddEvent(EventTypes.Error, _time, errorCode);
        // What was learned before the failure (format, size, hash, EXIF) is kept; an error has no preview.
        return new IngestionOutcome(context.Job.ImageId, ImageStatus.Error, TechnicalMetadataJson(context), errorCode, reason,
            context.Events, context.Sha256);
    }

    /// <summary>The technical metadata as stored, once the format, size and hash are known; null before.</summary>
    private static string? TechnicalMetadataJson(IngestionContext context)
    {
        if (context.Sha256 is not { } sha256) return null;
        (string Format, string MimeType, int? Width, int? Height) header;
        if (context.Probe is { } probe) header = (probe.Format, probe.MimeType, probe.Width, probe.Height);
        else if (context.PartialHeader is { } partial) header = (partial.Format, HeaderProber.MimeTypeOf(partial.Format), partial.Width, partial.Height);
        else return null;
        var metadata = new TechnicalMetadata
        {
            Format = header.Format,
            MimeType = header.MimeType,
            Width = header.Width,
            Height = header.Height,
            SizeBytes = context.SizeBytes,
            Sha256 = sha256,
            Orientation = context.Orientation,
            Exif = context.Exif,
        };
        return JsonSerializer.Serialize(metadata, CoreJsonContext.Readable.TechnicalMetadata);
    }
}
