using Iris.Models;

namespace Iris.Catalog;

/// <summary>How a job's counters and status follow from its images: the rule both engines apply when they store one.</summary>
public static class IngestJobs
{
    /// <summary>
    /// The job as it stands once <paramref name="images"/> are its assets: those already completed or in error are
    /// counted at once; with nothing left to wait for it is completed, with some work done or under way in progress.
    /// </summary>
    public static IngestJob Counted(IngestJob job, IReadOnlyList<ImageRecord> images)
    {
        long processed = 0, errored = 0;
        var started = false;
        foreach (var image in images)
        {
            if (image.Status == ImageStatus.Completed) processed++;
            else if (image.Status == ImageStatus.Error) errored++;
            else if (image.Status == ImageStatus.ProcessingStarted) started = true;
        }
        var done = processed + errored == images.Count;
        var status = done ? IngestJobStatus.Completed
            : started || processed + errored > 0 ? IngestJobStatus.InProgress
            : IngestJobStatus.Pending;
        return CatalogTime.Truncate(job with
        {
            TotalAssets = images.Count,
            ProcessedAssets = processed,
            ErroredAssets = errored,
            Status = status,
            StartedAt = status == IngestJobStatus.Pending ? null : job.CreatedAt,
            FinishedAt = done ? job.CreatedAt : null,
        });
    }

    /// <summary>The outcome an asset's row records once its image is terminal, or null while it is not.</summary>
    public static string? Outcome(ImageRecord image) => ImageStatus.IsTerminal(image.Status) ? image.Status : null;
}
