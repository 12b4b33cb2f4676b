namespace Iris.Server.Api;

/// <summary>
/// One <c>counts</c> event of a dataset's progress stream: the dataset's images per status, as the count route answers
/// them, and how many images finished (completed or error) per second over the last few seconds.
/// </summary>
public sealed record DatasetProgressEvent(
    Guid DatasetId,
    long Completed,
    long Error,
    long InProgress,
    long Pending,
    long ProcessingStarted,
    long Total,
    double Throughput,
    DateTimeOffset TimestampDt);
