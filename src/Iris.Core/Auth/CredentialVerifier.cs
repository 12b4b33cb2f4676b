using Iris.Catalog;
using Iris.Models;

namespace Iris.Auth;

/// <summary>Turns a bearer token into the caller it stands for, or null if it is unknown, revoked or wrong.</summary>
public sealed class CredentialVerifier(ICredentialStore credentials)
{
    public async Task<Caller?> VerifyAsync(AccessToken token, CancellationToken ct = default)
    {
        var credential = await credentials.FindAsync(token.ClientId, ct);
        var ok = SecretHasher.Verify(token.ClientSecret, credential?.SecretHash ?? []);
        if (!ok || credential is null || credential.RevokedAt is not null) return null;
        return new Caller(credential.OrgId, credential.ClientId);
    }
}
