using Iris.Models;

namespace Iris.Server.Api;

// The credential routes' shapes, as Coactive's document has them (create-credentials, list-credentials,
// get-credentials, update-credentials, delete-credentials), written snake_case through V1JsonContext.

/// <summary>
/// Coactive's <c>Role</c>. Iris has no roles: every credential has full access to its organization, which is what
/// Coactive gives a credential without roles. Requests may carry roles (they are checked for shape and otherwise
/// ignored); answers always list none.
/// </summary>
public sealed record Role(string RoleId, string? Resource = null, string? ResourceInstance = null);

/// <summary>
/// Coactive's <c>ClientResponse</c> (<c>client_id</c>, <c>client_secret</c>, <c>name</c>, <c>roles</c>) plus Iris's
/// facts about the credential: its organization, when it was created and revoked, whether it is active, and whether
/// it is the one that asked. Iris keeps only a salted hash of a secret, so only the creation's answer carries the
/// secret; every other answer has <see cref="SecretMask"/> there.
/// </summary>
public sealed record ClientResponse(
    string ClientId,
    string ClientSecret,
    string Name,
    IReadOnlyList<Role> Roles,
    Guid OrgId,
    DateTimeOffset CreatedDt,
    DateTimeOffset? RevokedDt,
    bool IsActive,
    bool IsCaller)
{
    /// <summary>What stands for the secret in every answer but the creation's.</summary>
    public const string SecretMask = "********";

    /// <param name="secret">The secret just drawn (creation only); null to mask it.</param>
    public static ClientResponse From(Credential c, Caller caller, string? secret = null) => new(
        c.ClientId,
        secret ?? SecretMask,
        // Coactive's name is a required string; credentials made before names were required (the first start's,
        // `iris admin create-client`'s) have none and answer an empty one.
        c.Name ?? "",
        [],
        c.OrgId,
        c.CreatedAt,
        c.RevokedAt,
        c.RevokedAt is null,
        c.ClientId == caller.ClientId);
}

/// <summary>Coactive's <c>CreateClientRequest</c>: the credential's display name; roles are accepted and ignored (see <see cref="Role"/>).</summary>
public sealed record CreateClientRequest(string Name, IReadOnlyList<Role>? Roles = null);

/// <summary>Coactive's <c>UpdateClientRequest</c>: a new display name (null or absent keeps it); roles and their context are accepted and ignored.</summary>
public sealed record UpdateClientRequest(string? Name = null, IReadOnlyList<Role>? Roles = null, string? RolesContext = null);
