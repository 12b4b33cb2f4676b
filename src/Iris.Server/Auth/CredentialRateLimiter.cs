using System.Threading.RateLimiting;
using Iris.Models;

namespace Iris.Server.Auth;

/// <summary>
/// One token bucket per credential (.NET's <see cref="PartitionedRateLimiter"/>, the limiter behind ASP.NET Core's
/// rate-limiting middleware). It is consulted after the credential is verified, not in the middleware before
/// it: keyed on an unverified client id, anyone who knows a client id could drain that client's bucket.
/// Buckets of idle credentials are dropped by the limiter itself, so memory follows the active credentials.
/// </summary>
public sealed class CredentialRateLimiter : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);
    private readonly PartitionedRateLimiter<string>? _limiter;

    public CredentialRateLimiter(IrisOptions options)
    {
        if (options.RateLimitPerSecond <= 0) return; // turned off
        var perPeriod = Math.Max(1, (int)Math.Ceiling(options.RateLimitPerSecond * Period.TotalSeconds));
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(options.RateLimitBurst, perPeriod),
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = Period,
            QueueLimit = 0, // refused at once with Retry-After, never parked on the server
            AutoReplenishment = true,
        };
        _limiter = PartitionedRateLimiter.Create<string, string>(
            clientId => RateLimitPartition.GetTokenBucketLimiter(clientId, _ => bucket), StringComparer.Ordinal);
    }

    /// <summary>Takes one request from the caller's bucket; when it is empty, how long until the next one is allowed.</summary>
    public bool TryAcquire(Caller caller, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (_limiter is null) return true;
        using var lease = _limiter.AttemptAcquire(caller.ClientId);
        if (lease.IsAcquired) return true;
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) && wait > TimeSpan.Zero ? wait : Period;
        return false;
    }

    public void Dispose() => _limiter?.Dispose();
}
