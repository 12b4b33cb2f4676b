using System.Buffers;
using Iris.Ingestion;
using Iris.Models;
using Polly;
using Polly.Retry;

namespace Iris.Sources;

/// <summary>
/// A failure worth another try: a timeout, a 5xx or 429 answer, a connection that could not be made or
/// broke. After the last try it ends as <c>broken_url</c> with this reason.
/// </summary>
internal sealed class TransientFetchException(string reason, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(reason, inner)
{
    /// <summary>How long the server asked to wait (Retry-After), if it did.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>What the remote sources (HTTP, S3) share: bounded retries with backoff and jitter, and capped downloads.</summary>
internal static class RemoteFetch
{
    /// <summary>Longest Retry-After honoured; a server asking for more ends the image as <c>broken_url</c> at once.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Retries <see cref="TransientFetchException"/> <see cref="IrisOptions.HttpRetries"/> times, waiting
    /// <see cref="IrisOptions.HttpRetryDelay"/> doubled each time with jitter, or what the server asked for.
    /// </summary>
    public static ResiliencePipeline CreateRetryPipeline(IrisOptions options)
    {
        if (options.HttpRetries <= 0) return ResiliencePipeline.Empty;
        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<TransientFetchException>(),
                MaxRetryAttempts = options.HttpRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.HttpRetryDelay,
                MaxDelay = MaxBackoff,
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is TransientFetchException { RetryAfter: { } wait } ? wait : (TimeSpan?)null),
            })
            .Build();
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> through <paramref name="retries"/>; a transient failure that outlives
    /// the retries becomes <c>broken_url</c>. Cancellation by <paramref name="ct"/> is rethrown as is.
    /// </summary>
    public static async Task<T> WithRetriesAsync<T>(ResiliencePipeline retries, Func<CancellationToken, ValueTask<T>> attempt, CancellationToken ct)
    {
        var attempts = 0;
        try
        {
            return await retries.ExecuteAsync(token =>
            {
                attempts++;
                return attempt(token);
            }, ct);
        }
        catch (TransientFetchException e)
        {
            var tries = attempts == 1 ? "1 attempt" : $"{attempts} attempts";
            throw new IngestionException(ErrorCodes.BrokenUrl, $"{e.Message} (gave up after {tries}).");
        }
    }

    /// <summary>
    /// Streams <paramref name="body"/> into a new file at <paramref name="path"/>, at most <paramref name="maxBytes"/>
    /// bytes (<c>file_too_large</c> beyond). Each read restarts <paramref name="idle"/>'s timer, so a body that
    /// keeps arriving is never cut while one that stalls is.
    /// </summary>
    public static async Task<long> CopyToFileAsync(Stream body, string path, long maxBytes, CancellationTokenSource idle,
        TimeSpan idleTimeout, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(128 * 1024);
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, ct)) > 0)
            {
                total += read;
                if (total > maxBytes)
                    throw new IngestionException(ErrorCodes.FileTooLarge,
                        $"The file is larger than the limit of {Reasons.Bytes(maxBytes)} (more than {Reasons.Bytes(total)} arrived).");
                await file.WriteAsync(buffer.AsMemory(0, read), ct);
                idle.CancelAfter(idleTimeout);
            }
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Deletes a partial download, quietly (the temp folder is also emptied at start).</summary>
    public static void DeleteQuietly(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>"20 s", "1.5 s", "250 ms".</summary>
    public static string Seconds(TimeSpan span) => span.TotalSeconds >= 1
        ? $"{span.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} s"
        : $"{span.TotalMilliseconds:0} ms";
}
