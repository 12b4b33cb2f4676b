using System.Text.Json;
using Iris.Auth;
using Iris.Catalog;
using Iris.Models;

namespace Iris.Server.Hosting;

/// <summary>
/// Makes sure the server can be called once it starts: the credential from IRIS_CLIENT_ID /
/// IRIS_CLIENT_SECRET if both are set, otherwise, on a first start, a new one that is printed once
/// and kept in <c>credentials.json</c> under the data folder (owner-only).
/// </summary>
public static class CredentialBootstrap
{
    public const string DefaultOrganization = "default";
    public const string CredentialsFileName = "credentials.json";

    /// <summary>
    /// Returns the credential created on a first start (and the file that keeps it), or null when the environment
    /// named one or a credential exists already. The caller says where the secret is; this never prints it.
    /// </summary>
    public static async Task<FirstCredential?> RunAsync(ICatalog catalog, IrisOptions options, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var clientId = Environment.GetEnvironmentVariable("IRIS_CLIENT_ID");
        var clientSecret = Environment.GetEnvironmentVariable("IRIS_CLIENT_SECRET");
        if (!string.IsNullOrEmpty(clientId) && !string.IsNullOrEmpty(clientSecret))
        {
            if (!AccessToken.TryParse($"{clientId}:{clientSecret}", out var token) || token.ClientId != clientId)
                throw new InvalidOperationException("IRIS_CLIENT_ID must not contain ':' or spaces, and IRIS_CLIENT_SECRET must not contain spaces.");
            var org = await catalog.Organizations.GetOrCreateAsync(DefaultOrganization, now, ct);
            await catalog.Credentials.UpsertAsync(new Credential(clientId, org.Id, SecretHasher.Hash(clientSecret), now, null), ct);
            return null;
        }
        // Nodes starting at once on one catalog: only the first makes the first credential.
        await using var bootstrap = await catalog.Locks.AcquireAsync(["bootstrap"], ct);
        if (await catalog.Credentials.AnyActiveAsync(ct)) return null;

        var created = await CreateClientAsync(catalog, DefaultOrganization, ct);
        var path = Path.Combine(options.DataDirectory, CredentialsFileName);
        await WriteOwnerOnlyAsync(path, JsonSerializer.Serialize(created, ClientJsonContext.Default.CreatedClient), ct);
        return new FirstCredential(created, path);
    }

    /// <summary>Creates a credential in the named organization (created if needed); the secret is only returned, never stored.</summary>
    public static async Task<CreatedClient> CreateClientAsync(ICatalog catalog, string organization, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var org = await catalog.Organizations.GetOrCreateAsync(organization, now, ct);
        while (true)
        {
            var clientId = SecretHasher.NewClientId();
            var secret = SecretHasher.NewSecret();
            if (await catalog.Credentials.TryCreateAsync(new Credential(clientId, org.Id, SecretHasher.Hash(secret), now, null), ct))
                return new CreatedClient(org.Id, clientId, secret);
        }
    }

    private static async Task WriteOwnerOnlyAsync(string path, string content, CancellationToken ct)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using var stream = new FileStream(path, options);
        await using var writer = new StreamWriter(stream);
        await writer.WriteAsync(content.AsMemory(), ct);
    }
}

public sealed record CreatedClient(Guid OrgId, string ClientId, string ClientSecret);

/// <summary>The credential a first start created, and the owner-only file that keeps it.</summary>
public sealed record FirstCredential(CreatedClient Client, string Path);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(CreatedClient))]
public sealed partial class ClientJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
