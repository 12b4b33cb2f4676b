using System.Runtime.CompilerServices;
using Iris.Catalog;
using Iris.Models;

namespace Iris.Datasets;

/// <summary>A dataset's images per status at one moment.</summary>
public sealed record DatasetCounts(long Completed, long Error, long Pending, long ProcessingStarted)
{
    public long InProgress => Pending + ProcessingStarted;
    public long Finished => Completed + Error;
    public long Total => Finished + InProgress;

    public static DatasetCounts From(IReadOnlyDictionary<string, long> byStatus)
    {
        long Count(string status) => byStatus.TryGetValue(status, out var n) ? n : 0;
        return new DatasetCounts(Count(ImageStatus.Completed), Count(ImageStatus.Error), Count(ImageStatus.Pending), Count(ImageStatus.ProcessingStarted));
    }
}

/// <summary>One look at a dataset: its counts, images finished per second lately, and whether either moved since the last look.</summary>
public sealed record ProgressSample(DatasetCounts Counts, double Throughput, DateTimeOffset At, bool Changed);

/// <summary>
/// Watches a dataset's counts for a live progress view. Each look is one short catalog query (no connection is held
/// between looks), at most <see cref="SampleInterval"/> apart, so a watcher costs the catalog a bounded amount however
/// fast the dataset moves; throughput is measured over the last <see cref="Window"/> of looks.
/// </summary>
public sealed class DatasetProgress(IImageStore images, TimeProvider time)
{
    public static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    /// <summary>The dataset's counts now, or null when the organization has no such dataset.</summary>
    public async Task<DatasetCounts?> CountAsync(Guid orgId, Guid datasetId, CancellationToken ct) =>
        await images.CountByStatusAsync(orgId, datasetId, ct).ConfigureAwait(false) is { } byStatus ? DatasetCounts.From(byStatus) : null;

    /// <summary>
    /// A sample every <see cref="SampleInterval"/>, starting with <paramref name="first"/> (marked changed), until
    /// <paramref name="ct"/> is cancelled or the dataset is gone.
    /// </summary>
    public async IAsyncEnumerable<ProgressSample> WatchAsync(
        Guid orgId, Guid datasetId, DatasetCounts first, [EnumeratorCancellation] CancellationToken ct)
    {
        var history = new Queue<(DateTimeOffset At, long Finished)>();
        var now = time.GetUtcNow();
        history.Enqueue((now, first.Finished));
        var last = new ProgressSample(first, 0, now, Changed: true);
        yield return last;

        using var timer = new PeriodicTimer(SampleInterval, time);
        while (await Tick(timer, ct).ConfigureAwait(false))
        {
            var counts = await CountAsync(orgId, datasetId, ct).ConfigureAwait(false);
            if (counts is null) yield break;
            now = time.GetUtcNow();
            history.Enqueue((now, counts.Finished));
            while (history.Count > 2 && now - history.Peek().At > Window) history.Dequeue();
            var throughput = Throughput(history.Peek(), (now, counts.Finished));
            var changed = counts != last.Counts || throughput != last.Throughput;
            last = new ProgressSample(counts, throughput, now, changed);
            yield return last;
        }
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    // Images per second, to a tenth; a deletion that lowers the finished count reads as no progress, not negative progress.
    private static double Throughput((DateTimeOffset At, long Finished) from, (DateTimeOffset At, long Finished) to)
    {
        var seconds = (to.At - from.At).TotalSeconds;
        if (seconds <= 0) return 0;
        return Math.Round(Math.Max(0, to.Finished - from.Finished) / seconds, 1);
    }
}
