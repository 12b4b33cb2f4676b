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
/// The caller's organization's credentials, as Coactive's auth-management operations (create-credentials,
/// list-credentials, get-credentials, update-credentials, delete-credentials): create one (its secret is answered
/// once and stored only as a salted hash), list them, get one, rename one, revoke one. Only the creation's answer
/// carries the secret; the others mask it.
/// </summary>
/// <remarks>
/// Iris has no roles: every credential has full access to its organization, which is what Coactive gives a
/// credential created or updated without roles. <c>roles</c> (and <c>roles_context</c>) are accepted when they have
/// the document's shape, and otherwise ignored; answers list no roles.
/// </remarks>
public static class AuthManagementApi
{
    public const int MaxNameLength = 128;
    public const int MaxClientIdLength = 256;
    public const int MaxRoles = 100;
    public const int MaxRoleFieldLength = 256;

    public static RouteGroupBuilder MapAuthManagementApi(this RouteGroupBuilder api)
    {
        var clients = api.MapGroup("/v1/auth-management/clients").WithTags("AuthManagementApi");

        clients.MapPost("/", CreateClient)
            .WithName("create-credentials")
            .WithSummary("Create a credential for the caller's organization; its secret is shown only in this answer")
            .Accepts<CreateClientRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge);

        clients.MapGet("/", ListClients)
            .WithName("list-credentials")
            .WithSummary("List the organization's credentials, oldest first, revoked ones included (secrets masked)");

        clients.MapGet("/{client_id}", GetClient)
            .WithName("get-credentials")
            .WithSummary("Get one credential of the organization, revoked or not (secret masked)");

        clients.MapPut("/{client_id}", UpdateClient)
            .WithName("update-credentials")
            .WithSummary("Rename an active credential of the organization (roles are accepted and ignored: Iris has none)")
            .Accepts<UpdateClientRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge);

        clients.MapDelete("/{client_id}", RevokeClient)
            .WithName("delete-credentials")
            .WithSummary("Revoke a credential: its next request is refused with 401. The last active one cannot be revoked (409)")
            .Produces<ErrorResponse>(StatusCodes.Status409Conflict);

        return api;
    }

    public static async Task<Results<Created<ClientResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> CreateClient(
        HttpContext http, ICredentialStore credentials, IrisOptions options, TimeProvider time)
    {
        using var body = await RequestParsing.ReadJsonAsync(http.Request, options.MaxJsonBodyBytes, http.RequestAborted);
        if (body.TooLargeError is { } tooLarge) return tooLarge;
        if (body.Invalid is { } invalid) return invalid;

        var errors = new ValidationErrors();
        if (body.Root.ValueKind != JsonValueKind.Object)
        {
            errors.WrongType(JsonValueKind.Object, "body");
            return errors.ToResult();
        }
        var name = ReadName(body.Root, errors, required: true);
        ReadRoles(body.Root, errors);
        if (errors.Any) return errors.ToResult();

        var caller = http.Caller();
        var now = time.GetUtcNow();
        while (true)
        {
            var clientId = SecretHasher.NewClientId();
            var secret = SecretHasher.NewSecret();
            var credential = new Credential(clientId, caller.OrgId, SecretHasher.Hash(secret), now, null, name);
            // A 128-bit random id colliding is next to impossible; if it ever does, draw again.
            if (await credentials.TryCreateAsync(credential, http.RequestAborted))
                return TypedResults.Created($"/api/v1/auth-management/clients/{clientId}", ClientResponse.From(credential, caller, secret));
        }
    }

    /// <summary>A bare array, as Coactive's list-credentials answers.</summary>
    public static async Task<Ok<IReadOnlyList<ClientResponse>>> ListClients(HttpContext http, ICredentialStore credentials)
    {
        var caller = http.Caller();
        var list = await credentials.ListAsync(caller.OrgId, http.RequestAborted);
        return TypedResults.Ok<IReadOnlyList<ClientResponse>>([.. list.Select(c => ClientResponse.From(c, caller))]);
    }

    public static async Task<Results<Ok<ClientResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>>> GetClient(
        [FromRoute(Name = "client_id")] string clientId, HttpContext http, ICredentialStore credentials)
    {
        var errors = new ValidationErrors();
        CheckClientId(clientId, errors);
        if (errors.Any) return errors.ToResult();
        var caller = http.Caller();
        var credential = await credentials.FindAsync(clientId, http.RequestAborted);
        // Another organization's credential answers exactly like one that does not exist.
        return credential is null || credential.OrgId != caller.OrgId
            ? Errors.ClientNotFound
            : TypedResults.Ok(ClientResponse.From(credential, caller));
    }

    /// <summary>
    /// Coactive's update-credentials: a new name when one is given (null or absent keeps the name). Only an active
    /// credential can be renamed: a revoked one answers 404 like an unknown one.
    /// </summary>
    public static async Task<Results<Ok<ClientResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> UpdateClient(
        [FromRoute(Name = "client_id")] string clientId, HttpContext http, ICredentialStore credentials, IrisOptions options)
    {
        using var body = await RequestParsing.ReadJsonAsync(http.Request, options.MaxJsonBodyBytes, http.RequestAborted);
        if (body.TooLargeError is { } tooLarge) return tooLarge;

        var errors = new ValidationErrors();
        CheckClientId(clientId, errors);
        string? name = null;
        if (body.Invalid is { } invalid)
        {
            foreach (var error in invalid.Value!.Detail) errors.Add(error.Msg, error.Type, [.. error.Loc]);
        }
        else if (body.Root.ValueKind != JsonValueKind.Object)
        {
            errors.WrongType(JsonValueKind.Object, "body");
        }
        else
        {
            name = ReadName(body.Root, errors, required: false);
            ReadRoles(body.Root, errors);
            ReadOptionalString(body.Root, "roles_context", MaxRoleFieldLength, errors, "body", "roles_context");
        }
        if (errors.Any) return errors.ToResult();

        var caller = http.Caller();
        var credential = name is null
            ? await credentials.FindAsync(clientId, http.RequestAborted)
            : await credentials.RenameAsync(caller.OrgId, clientId, name, http.RequestAborted);
        // Another organization's and a revoked credential answer exactly like one that does not exist.
        return credential is null || credential.OrgId != caller.OrgId || credential.RevokedAt is not null
            ? Errors.ClientNotFound
            : TypedResults.Ok(ClientResponse.From(credential, caller));
    }

    public static async Task<Results<Ok<ClientResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>, UnprocessableEntity<HTTPValidationError>>> RevokeClient(
        [FromRoute(Name = "client_id")] string clientId, HttpContext http, ICredentialStore credentials, CredentialVerifier verifier, TimeProvider time)
    {
        var errors = new ValidationErrors();
        CheckClientId(clientId, errors);
        if (errors.Any) return errors.ToResult();
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

    private static void CheckClientId(string clientId, ValidationErrors errors)
    {
        if (clientId.Length > MaxClientIdLength)
            errors.Add($"String should have at most {MaxClientIdLength} characters", "string_too_long", "path", "client_id");
    }

    /// <summary>
    /// <c>name</c>: 1 to <see cref="MaxNameLength"/> printable characters. Required on creation (absent: missing;
    /// null: not a string, as Pydantic has it); optional on update, where null or absent keeps the name.
    /// </summary>
    private static string? ReadName(JsonElement body, ValidationErrors errors, bool required)
    {
        if (!body.TryGetProperty("name", out var element))
        {
            if (required) errors.Missing("body", "name");
            return null;
        }
        if (element.ValueKind == JsonValueKind.Null && !required) return null;
        if (!TryGetString(element, errors, ["body", "name"], out var name)) return null;
        if (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl))
        {
            errors.Add($"Name must be 1 to {MaxNameLength} printable characters", "string_pattern_mismatch", "body", "name");
            return null;
        }
        return name;
    }

    /// <summary>
    /// <c>roles</c>: null, or a list of Coactive <c>Role</c>s (<c>role_id</c> a string, <c>resource</c> and
    /// <c>resource_instance</c> strings or null). Checked so a malformed request is told so, then ignored.
    /// </summary>
    private static void ReadRoles(JsonElement body, ValidationErrors errors)
    {
        if (!body.TryGetProperty("roles", out var roles) || roles.ValueKind == JsonValueKind.Null) return;
        if (roles.ValueKind != JsonValueKind.Array)
        {
            errors.WrongType(JsonValueKind.Array, "body", "roles");
            return;
        }
        var count = roles.GetArrayLength();
        if (count > MaxRoles)
        {
            errors.TooLong(MaxRoles, count, "body", "roles");
            return;
        }
        var i = 0;
        foreach (var role in roles.EnumerateArray())
        {
            if (role.ValueKind != JsonValueKind.Object)
            {
                errors.Add("Input should be a valid dictionary or instance of Role", "model_type", "body", "roles", i);
            }
            else
            {
                if (!role.TryGetProperty("role_id", out var roleId)) errors.Missing("body", "roles", i, "role_id");
                else if (TryGetString(roleId, errors, ["body", "roles", i, "role_id"], out var id) && id.Length > MaxRoleFieldLength)
                    errors.Add($"String should have at most {MaxRoleFieldLength} characters", "string_too_long", "body", "roles", i, "role_id");
                ReadOptionalString(role, "resource", MaxRoleFieldLength, errors, "body", "roles", i, "resource");
                ReadOptionalString(role, "resource_instance", MaxRoleFieldLength, errors, "body", "roles", i, "resource_instance");
            }
            i++;
        }
    }

    /// <summary>An optional property that is null or a string of at most <paramref name="maxLength"/> characters.</summary>
    private static void ReadOptionalString(JsonElement obj, string property, int maxLength, ValidationErrors errors, params object[] loc)
    {
        if (!obj.TryGetProperty(property, out var element) || element.ValueKind == JsonValueKind.Null) return;
        if (TryGetString(element, errors, loc, out var value) && value.Length > maxLength)
            errors.Add($"String should have at most {maxLength} characters", "string_too_long", loc);
    }

    /// <summary>The element's string; a non-string, or one with a broken surrogate pair (which JSON can escape but a string cannot hold), is a 422 at <paramref name="loc"/>.</summary>
    private static bool TryGetString(JsonElement element, ValidationErrors errors, object[] loc, out string value)
    {
        value = "";
        if (element.ValueKind != JsonValueKind.String)
        {
            errors.WrongType(JsonValueKind.String, loc);
            return false;
        }
        try
        {
            value = element.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            errors.Add("Input should be a valid string, unable to parse raw data as a unicode string", "string_unicode", loc);
            return false;
        }
    }
}
