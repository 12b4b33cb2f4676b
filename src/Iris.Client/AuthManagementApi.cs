namespace Iris.Client;

/// <summary>
/// The credentials of the caller's organization (<c>/api/v1/auth-management/clients</c>): create one (its secret is
/// in that answer only), list them, get one, revoke one. Rotation is create, switch over, then revoke the old one.
/// </summary>
public sealed class AuthManagementApi(ApiClient apiClient)
{
    private const string Clients = "api/v1/auth-management/clients";

    private readonly ApiClient _api = apiClient ?? throw new ArgumentNullException(nameof(apiClient));

    /// <summary>
    /// Creates a credential in the caller's organization; it works at once. The answer is the only place its secret
    /// ever appears: keep it. <paramref name="name"/>: 1 to 128 printable characters (422 otherwise), or null.
    /// </summary>
    public Task<CreatedClientResponse> CreateClientAsync(string? name = null, CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Post, Clients,
                ApiClient.Json(new CreateClientRequest(name), IrisJsonContext.Default.CreateClientRequest)),
            IrisJsonContext.Default.CreatedClientResponse, cancellationToken);

    /// <summary>The organization's credentials, oldest first, revoked ones included (no secrets).</summary>
    public Task<ClientListResponse> ListClientsAsync(CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Get, Clients), IrisJsonContext.Default.ClientListResponse, cancellationToken);

    /// <summary>One credential (no secret); 404 if it does not exist or belongs to another organization.</summary>
    public Task<ClientResponse> GetClientAsync(string clientId, CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Get, ClientPath(clientId)), IrisJsonContext.Default.ClientResponse, cancellationToken);

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
