namespace Iris.Client;

/// <summary>
/// The credentials of the caller's organization (<c>/api/v1/auth-management/clients</c>, Coactive's
/// create-credentials, list-credentials, get-credentials, update-credentials and delete-credentials): create one (its
/// secret is in that answer only; the others mask it), list them, get one, rename one, revoke one. Rotation is create,
/// switch over, then revoke the old one. Iris has no roles: every credential has full access to its organization.
/// </summary>
public sealed class AuthManagementApi(ApiClient apiClient)
{
    private const string Clients = "api/v1/auth-management/clients";

    private readonly ApiClient _api = apiClient ?? throw new ArgumentNullException(nameof(apiClient));

    /// <summary>
    /// Creates a credential in the caller's organization; it works at once. The answer is the only place its secret
    /// ever appears: keep it. <paramref name="name"/>: what it is for, 1 to 128 printable characters (422 otherwise).
    /// </summary>
    public Task<CreatedClientResponse> CreateClientAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _api.SendAsync(_api.Request(HttpMethod.Post, Clients,
                ApiClient.Json(new CreateClientRequest(name), IrisJsonContext.Default.CreateClientRequest)),
            IrisJsonContext.Default.CreatedClientResponse, cancellationToken);
    }

    /// <summary>The organization's credentials, oldest first, revoked ones included (secrets masked).</summary>
    public Task<IReadOnlyList<ClientResponse>> ListClientsAsync(CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Get, Clients), IrisJsonContext.Default.IReadOnlyListClientResponse, cancellationToken);

    /// <summary>One credential, revoked or not (secret masked); 404 if it does not exist or belongs to another organization.</summary>
    public Task<ClientResponse> GetClientAsync(string clientId, CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Get, ClientPath(clientId)), IrisJsonContext.Default.ClientResponse, cancellationToken);

    /// <summary>
    /// Renames an active credential and returns it as it now is (secret masked); it keeps working. 404 if it does
    /// not exist, is revoked or belongs to another organization; 422 for a name that is not 1 to 128 printable characters.
    /// </summary>
    public Task<ClientResponse> RenameClientAsync(string clientId, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _api.SendAsync(_api.Request(HttpMethod.Put, ClientPath(clientId),
                ApiClient.Json(new UpdateClientRequest(name), IrisJsonContext.Default.UpdateClientRequest)),
            IrisJsonContext.Default.ClientResponse, cancellationToken);
    }

    /// <summary>
    /// Revokes a credential and returns it as it now is: its next request gets 401. 404 if it does not exist, is
    /// already revoked or belongs to another organization; 409 if it is the organization's last active credential.
    /// </summary>
    public Task<ClientResponse> RevokeClientAsync(string clientId, CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Delete, ClientPath(clientId)), IrisJsonContext.Default.ClientResponse, cancellationToken);

    private static string ClientPath(string clientId)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        // "." and ".." are path steps, not segments: no URL can carry them as an id (a server cannot have made them).
        if (clientId is "." or "..")
            throw new ArgumentException($"'{clientId}' is not a client id.", nameof(clientId));
        return $"{Clients}/{Uri.EscapeDataString(clientId)}";
    }
}
