using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Iris.Ingestion;

/// <summary>
/// Iris's own instruments (meter <see cref="MeterName"/>), exported for Prometheus as
/// <c>iris_ingestion_images_total</c>, <c>iris_ingestion_stage_duration_seconds</c>, <c>iris_ingestion_queue_depth</c>
/// and <c>iris_ingestion_in_flight</c>, and the activity source of one span per ingested image.
/// </summary>
public static class IngestionMetrics
{
    public const string MeterName = "Iris";

    private static readonly Meter Meter = new(MeterName);

    public static readonly ActivitySource Activities = new("Iris.Ingestion");

    private static readonly Counter<long> Images = Meter.CreateCounter<long>(
        "iris.ingestion.images", "{image}", "Images whose ingestion ended on this node, by status and error code.");

    private static readonly Histogram<double> StageDuration = Meter.CreateHistogram<double>(
        "iris.ingestion.stage.duration", "s", "Time an ingestion stage took for one image.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120] });

    private static int _inFlight;
    private static long _queueDepth = -1;

    static IngestionMetrics()
    {
        Meter.CreateObservableGauge("iris.ingestion.in_flight", () => Volatile.Read(ref _inFlight), "{image}",
            "Images this node's workers are processing now.");
        Meter.CreateObservableGauge("iris.ingestion.queue.depth", QueueDepth, "{image}",
            "Images waiting for a worker, in the whole catalog (every node reports the same value).");
    }

    public static void Ended(string status, string? errorCode) =>
        Images.Add(1, new KeyValuePair<string, object?>("status", status), new KeyValuePair<string, object?>("error_code", errorCode ?? ""));

    public static void StageTook(string stage, TimeSpan elapsed) =>
        StageDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("stage", stage));

    public static void Started() => Interlocked.Increment(ref _inFlight);

    public static void Finished() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Set by a sampler that reads the catalog now and then (a gauge's callback must not wait on a database).</summary>
    public static void SetQueueDepth(long waiting) => Interlocked.Exchange(ref _queueDepth, waiting);

    private static IEnumerable<Measurement<long>> QueueDepth()
    {
        var depth = Interlocked.Read(ref _queueDepth);
        return depth < 0 ? [] : [new Measurement<long>(depth)];
    }
}
