using System.Collections.Concurrent;
using Iris.Catalog;
using Iris.Models;

namespace Iris.Auth;

/// <summary>
/// Turns a bearer token into the caller it stands for, or null if it is unknown, revoked or wrong.
/// Every request is authenticated, and a catalog lookup per request cost as much as a small read
/// itself; so a credential found is remembered for <see cref="CacheTtl"/>. The secret is still
/// hashed and compared in constant time on every request, only client ids that exist are
/// remembered (the cache cannot grow beyond the credentials table), and a credential revoked or
/// replaced, by this process or another, stops working within the TTL.
/// </summary>
public sealed class CredentialVerifier(ICredentialStore credentials, TimeProvider? time = null)
{
    public static readonly TimeSpan CacheTtl = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, Remembered> _cache = new(StringComparer.Ordinal);

    public async Task<Caller?> VerifyAsync(AccessToken token, CancellationToken ct = default)
    {
        var now = _time.GetTimestamp();
        if (!_cache.TryGetValue(token.ClientId, out var remembered) || _time.GetElapsedTime(remembered.ReadAt, now) >= CacheTtl)
        {
            var credential = await credentials.FindAsync(token.ClientId, ct);
            remembered = credential is null ? null : new Remembered(credential, new Caller(credential.OrgId, credential.ClientId), now);
            if (remembered is null) _cache.TryRemove(token.ClientId, out _);
            else _cache[token.ClientId] = remembered;
        }
        var ok = SecretHasher.Verify(token.ClientSecret, remembered?.Credential.SecretHash ?? []);
        if (!ok || remembered is null || remembered.Credential.RevokedAt is not null) return null;
        return remembered.Caller;
    }

    /// <summary>True if a lookup of <paramref name="clientId"/> is remembered and fresh: verifying it costs no catalog read.</summary>
    public bool Remembers(string clientId) =>
        _cache.TryGetValue(clientId, out var remembered) && _time.GetElapsedTime(remembered.ReadAt) < CacheTtl;

    /// <summary>
    /// Drops what this process remembers of a credential (call after revoking it here, so its next request is
    /// refused at once; other servers on the same catalog notice within <see cref="CacheTtl"/>).
    /// </summary>
    public void Forget(string clientId) => _cache.TryRemove(clientId, out _);

    private sealed record Remembered(Credential Credential, Caller Caller, long ReadAt);
}
