using System.Numerics;
using System.Threading.RateLimiting;
using Iris.Models;

namespace Iris.Server.Auth;

/// <summary>
/// Token buckets (.NET's <see cref="PartitionedRateLimiter"/>, the limiter behind ASP.NET Core's rate-limiting
/// middleware): one per credential for its requests, and one per client address for refused tokens.
/// The credential's bucket is taken after the credential is verified, not in the middleware before it: keyed on an
/// unverified client id, anyone who knows a client id could drain that client's bucket. The address's bucket
/// keeps a flood of made-up tokens from turning into a flood of catalog lookups. Buckets of idle keys are dropped
/// by the limiter itself, so memory follows the active clients.
/// </summary>
public sealed class CredentialRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;
    private readonly PartitionedRateLimiter<string>? _failures;

    public CredentialRateLimiter(IrisOptions options)
    {
        if (options.RateLimitPerSecond > 0)
            _limiter = Create(options.RateLimitPerSecond, options.RateLimitBurst);
        if (options.AuthFailuresPerSecond > 0)
            _failures = Create(options.AuthFailuresPerSecond, 10 * options.AuthFailuresPerSecond);
    }

    private static PartitionedRateLimiter<string> Create(int perSecond, int burst)
    {
        // Whole tokens every 1/gcd(rate, 10) s: exactly the rate, refilled at most ten times a second (2/s: 1 per
        // 500 ms; 15/s: 3 per 200 ms; 1000/s: 100 per 100 ms).
        var slices = (int)BigInteger.GreatestCommonDivisor(perSecond, 10);
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(burst, perSecond / slices),
            TokensPerPeriod = perSecond / slices,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1.0 / slices),
            QueueLimit = 0, // refused at once with Retry-After, never parked on the server
            AutoReplenishment = true,
        };
        return PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => bucket), StringComparer.Ordinal);
    }

    /// <summary>False when <paramref name="address"/> has used up its refused tokens: answer 429 without looking anything up.</summary>
    public bool MayTryToAuthenticate(string address, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (_failures is null || _failures.GetStatistics(address)?.CurrentAvailablePermits is not 0) return true;
        retryAfter = TimeSpan.FromSeconds(1);
        return false;
    }

    /// <summary>Counts a refused token (401) against <paramref name="address"/>.</summary>
    public void RecordRefusal(string address)
    {
        using var _ = _failures?.AttemptAcquire(address);
    }

    /// <summary>Takes one request from the caller's bucket; when it is empty, how long until the next one is allowed.</summary>
    public bool TryAcquire(Caller caller, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (_limiter is null) return true;
        using var lease = _limiter.AttemptAcquire(caller.ClientId);
        if (lease.IsAcquired) return true;
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) && wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1);
        return false;
    }

    public void Dispose()
    {
        _limiter?.Dispose();
        _failures?.Dispose();
    }
}
