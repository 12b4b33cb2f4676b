using System.Text.Json;
using Iris.Auth;
using Iris.Catalog;
using Iris.Models;
using Iris.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Iris.Server.Api;

/// <summary>
/// The caller's organization's credentials (Coactive's v1 auth-management path): create one (its secret is
/// answered once and stored only as a salted hash), list them, get one, revoke one. Answers never carry a
/// secret or a hash except the creation's.
/// </summary>
public static class AuthManagementApi
{
    public const int MaxNameLength = 128;
    public const int MaxClientIdLength = 256;

    public static RouteGroupBuilder MapAuthManagementApi(this RouteGroupBuilder api)
    {
        var clients = api.MapGroup("/v1/auth-management/clients").WithTags("AuthManagementApi");

        clients.MapPost("/", CreateClient)
            .WithName("create_client")
            .WithSummary("Create a credential for the caller's organization; its secret is shown only in this answer")
            .Accepts<CreateClientRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge);

        clients.MapGet("/", ListClients)
            .WithName("list_clients")
            .WithSummary("List the organization's credentials, oldest first, revoked ones included (no secrets)");

        clients.MapGet("/{client_id}", GetClient)
            .WithName("get_client")
            .WithSummary("Get one credential of the organization (no secret)");

        clients.MapDelete("/{client_id}", RevokeClient)
            .WithName("revoke_client")
            .WithSummary("Revoke a credential: its next request is refused with 401. The last active one cannot be revoked (409)")
            .Produces<ErrorResponse>(StatusCodes.Status409Conflict);

        return api;
    }

    public static async Task<Results<Ok<CreatedClientResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> CreateClient(
        HttpContext http, ICredentialStore credentials, IrisOptions options, TimeProvider time)
    {
        string? name = null;
        // The body is optional: an empty POST creates an unnamed credential.
        using var body = http.Request.ContentLength == 0
            ? null
            : await RequestParsing.ReadJsonAsync(http.Request, options.MaxJsonBodyBytes, http.RequestAborted);
        if (body?.TooLargeError is { } tooLarge) return tooLarge;
        if (body?.Invalid is { } invalid)
        {
            if (invalid.Value?.Detail is not [{ Type: "missing" }]) return invalid;
        }
        else if (body is not null)
        {
            var errors = new ValidationErrors();
            if (body.Root.ValueKind != JsonValueKind.Object)
            {
                errors.WrongType(JsonValueKind.Object, "body");
            }
            else if (body.Root.TryGetProperty("name", out var nameElement) && nameElement.ValueKind != JsonValueKind.Null)
            {
                if (nameElement.ValueKind != JsonValueKind.String)
                    errors.WrongType(JsonValueKind.String, "body", "name");
                else if ((name = nameElement.GetString()!).Length is 0 or > MaxNameLength || name.Any(char.IsControl))
                    errors.Add($"Name must be 1 to {MaxNameLength} printable characters", "string_pattern_mismatch", "body", "name");
            }
            if (errors.Any) return errors.ToResult();
        }

        var caller = http.Caller();
        var now = time.GetUtcNow();
        while (true)
        {
            var clientId = SecretHasher.NewClientId();
            var secret = SecretHasher.NewSecret();
            var credential = new Credential(clientId, caller.OrgId, SecretHasher.Hash(secret), now, null, name);
            // A 128-bit random id colliding is next to impossible; if it ever does, draw again.
            if (await credentials.TryCreateAsync(credential, http.RequestAborted))
                return TypedResults.Ok(new CreatedClientResponse(clientId, secret, caller.OrgId, name, now, caller.ClientId));
        }
    }

    public static async Task<Ok<ClientListResponse>> ListClients(HttpContext http, ICredentialStore credentials)
    {
        var caller = http.Caller();
        var list = await credentials.ListAsync(caller.OrgId, http.RequestAborted);
        return TypedResults.Ok(new ClientListResponse([.. list.Select(c => ClientResponse.From(c, caller))]));
    }

    public static async Task<Results<Ok<ClientResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>>> GetClient(
        [FromRoute(Name = "client_id")] string clientId, HttpContext http, ICredentialStore credentials)
    {
        if (InvalidClientId(clientId) is { } invalid) return invalid;
        var caller = http.Caller();
        var credential = await credentials.FindAsync(clientId, http.RequestAborted);
        // Another organization's credential answers exactly like one that does not exist.
        return credential is null || credential.OrgId != caller.OrgId
            ? Errors.ClientNotFound
            : TypedResults.Ok(ClientResponse.From(credential, caller));
    }

    public static async Task<Results<Ok<ClientResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>, UnprocessableEntity<HTTPValidationError>>> RevokeClient(
        [FromRoute(Name = "client_id")] string clientId, HttpContext http, ICredentialStore credentials, CredentialVerifier verifier, TimeProvider time)
    {
        if (InvalidClientId(clientId) is { } invalid) return invalid;
        var caller = http.Caller();
        switch (await credentials.RevokeAsync(caller.OrgId, clientId, time.GetUtcNow(), CancellationToken.None))
        {
            case RevokeOutcome.NotFound:
                return Errors.ClientNotFound;
            case RevokeOutcome.LastActive:
                return TypedResults.Conflict(new ErrorResponse(
                    "This is the organization's last active credential; create another one before revoking it."));
        }
        verifier.Forget(clientId);
        var revoked = await credentials.FindAsync(clientId, CancellationToken.None);
        return TypedResults.Ok(ClientResponse.From(revoked!, caller));
    }

    private static UnprocessableEntity<HTTPValidationError>? InvalidClientId(string clientId)
    {
        if (clientId.Length <= MaxClientIdLength) return null;
        var errors = new ValidationErrors();
        errors.Add($"String should have at most {MaxClientIdLength} characters", "string_too_long", "path", "client_id");
        return errors.ToResult();
    }
}
