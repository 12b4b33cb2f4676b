using System.Text.Json.Nodes;
using Iris.Testing;

namespace Iris.Server.Tests;

/// <summary>
/// /api/v1/auth-management/clients as Coactive's create-credentials, list-credentials, get-credentials,
/// update-credentials and delete-credentials: every answer is checked against Coactive's document.
/// </summary>
[Collection(IrisServerCollection.Name)]
public sealed class AuthManagementTests(ServerFixture server)
{
    private const string Clients = "/api/v1/auth-management/clients";
    private const string One = Clients + "/{client_id}";
    private const string Mask = "********";

    /// <summary>Coactive's ClientResponse fields, then Iris's.</summary>
    private static readonly string[] ClientFields =
        ["client_id", "client_secret", "name", "roles", "org_id", "created_dt", "revoked_dt", "is_active", "is_caller"];

    // Each request goes through one of these: its answer must validate against Coactive's document for its status.

    private static async Task<ApiResponse> Checked(string method, string template, Task<ApiResponse> request)
    {
        var response = await request;
        CoactiveDocument.AssertResponse(method, template, response.Code, response.Text);
        // delete-credentials' 200 has no schema in the document; Iris answers the credential as the other routes do.
        if (method == "DELETE" && response.Code == 200) CoactiveDocument.AssertSchema("ClientResponse", response.Text);
        return response;
    }

    private static Task<ApiResponse> Create(IrisHttp h, JsonNode body) => Checked("POST", Clients, h.PostAsync(Clients, body));

    private static Task<ApiResponse> CreateRaw(IrisHttp h, string json) =>
        Checked("POST", Clients, h.SendJsonAsync(HttpMethod.Post, Clients, json));

    private static Task<ApiResponse> List(IrisHttp h) => Checked("GET", Clients, h.GetAsync(Clients));

    private static Task<ApiResponse> Get(IrisHttp h, string clientId) => Checked("GET", One, h.GetAsync($"{Clients}/{clientId}"));

    private static Task<ApiResponse> Update(IrisHttp h, string clientId, JsonNode body) =>
        Checked("PUT", One, h.PutAsync($"{Clients}/{clientId}", body));

    private static Task<ApiResponse> UpdateRaw(IrisHttp h, string clientId, string json) =>
        Checked("PUT", One, h.SendJsonAsync(HttpMethod.Put, $"{Clients}/{clientId}", json));

    private static Task<ApiResponse> Delete(IrisHttp h, string clientId) => Checked("DELETE", One, h.DeleteAsync($"{Clients}/{clientId}"));

    private static JsonNode Created(ApiResponse response)
    {
        Expect.Status(response, 201);
        return response.Json;
    }

    private static string[] Loc(JsonNode entry) => [.. entry["loc"]!.AsArray().Select(l => l!.ToString())];

    private async Task<(IrisHttp Http, JsonNode Created)> CreateAsync(IrisHttp creator, string name)
    {
        var response = await Create(creator, new JsonObject { ["name"] = name });
        var created = Created(response);
        Assert.Equal(ClientFields, created.AsObject().Select(p => p.Key));
        Assert.Matches("^[0-9a-f]{32}$", IrisHttp.Str(created["client_id"]));
        Assert.True(IrisHttp.Str(created["client_secret"]).Length >= 32, created.ToJsonString());
        Assert.Equal(name, IrisHttp.Str(created["name"]));
        Assert.Equal("[]", created["roles"]!.ToJsonString());
        Assert.True(created["is_active"]!.GetValue<bool>());
        Assert.False(created["is_caller"]!.GetValue<bool>());
        Expect.Null(created, "revoked_dt");
        Assert.Equal($"/api/v1/auth-management/clients/{IrisHttp.Str(created["client_id"])}", response.Headers.Location?.ToString());
        var token = $"{IrisHttp.Str(created["client_id"])}:{IrisHttp.Str(created["client_secret"])}";
        return (new IrisHttp(server.BaseUri, "Bearer " + token), created);
    }

    [Fact]
    public async Task A_created_credential_works_at_once_is_listed_with_its_secret_masked_and_stops_working_when_revoked()
    {
        var (fresh, created) = await CreateAsync(server.Http, "ci-runner");
        using var _ = fresh;
        var clientId = IrisHttp.Str(created["client_id"]);
        var secret = IrisHttp.Str(created["client_secret"]);
        Expect.Timestamp(created["created_dt"], "created_dt");

        // Same organization: the new credential sees the fixture's datasets.
        var datasetId = await server.Http.CreateDatasetIdAsync();
        Expect.Ok(await fresh.GetAsync($"/api/v1/datasets/{datasetId}"));

        // list-credentials answers a bare array.
        var list = await List(server.Http);
        var listed = Expect.Ok(list).AsArray().Single(c => IrisHttp.Str(c!["client_id"]) == clientId)!;
        Assert.Equal(ClientFields, listed.AsObject().Select(p => p.Key));
        Assert.Equal(Mask, IrisHttp.Str(listed["client_secret"]));
        Assert.Equal("ci-runner", IrisHttp.Str(listed["name"]));
        Assert.True(listed["is_active"]!.GetValue<bool>());
        Assert.False(listed["is_caller"]!.GetValue<bool>());
        Assert.Contains(Expect.Ok(list).AsArray(), c => IrisHttp.Str(c!["client_id"]) == server.ClientId && c["is_caller"]!.GetValue<bool>());
        Assert.All(Expect.Ok(list).AsArray(), c => Assert.Equal(Mask, IrisHttp.Str(c!["client_secret"])));
        Assert.DoesNotContain(secret, list.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("hash", list.Text, StringComparison.OrdinalIgnoreCase);

        var one = await Get(fresh, clientId);
        Assert.True(Expect.Ok(one)["is_caller"]!.GetValue<bool>());
        Assert.Equal(Mask, IrisHttp.Str(one.Json["client_secret"]));
        Assert.DoesNotContain(secret, one.Text, StringComparison.Ordinal);

        var deleted = await Delete(server.Http, clientId);
        var revoked = Expect.Ok(deleted);
        Assert.Equal(ClientFields, revoked.AsObject().Select(p => p.Key));
        Assert.False(revoked["is_active"]!.GetValue<bool>());
        Expect.Timestamp(revoked["revoked_dt"], "revoked_dt");
        Assert.Equal(Mask, IrisHttp.Str(revoked["client_secret"]));
        Assert.DoesNotContain(secret, deleted.Text, StringComparison.Ordinal);

        // Refused on its very next request (no cache grace in the server that revoked it).
        var refused = await Checked("GET", Clients, fresh.GetAsync(Clients));
        Expect.Error(refused, 401, "Invalid authentication credentials");
        Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.ToString());

        Expect.Error(await Delete(server.Http, clientId), 404, "Client not found");
        Expect.Error(await Update(server.Http, clientId, new JsonObject { ["name"] = "revived" }), 404, "Client not found");
        var after = Expect.Ok(await Get(server.Http, clientId));
        Assert.False(after["is_active"]!.GetValue<bool>());
        Assert.Equal("ci-runner", IrisHttp.Str(after["name"]));

        // The secret never reaches the server's output (logs).
        Assert.DoesNotContain(secret, server.ServerOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_credentials_every_route_answers_an_ErrorResponse()
    {
        Expect.Error(await Checked("POST", Clients, server.Anonymous.PostAsync(Clients, new JsonObject { ["name"] = "x" })), 403, "Not authenticated");
        Expect.Error(await List(server.Anonymous), 403, "Not authenticated");
        Expect.Error(await Get(server.Anonymous, server.ClientId), 403, "Not authenticated");
        Expect.Error(await Update(server.Anonymous, server.ClientId, new JsonObject { ["name"] = "x" }), 403, "Not authenticated");
        Expect.Error(await Delete(server.Anonymous, server.ClientId), 403, "Not authenticated");
    }

    [Theory]
    [InlineData("", "body", "missing")]
    [InlineData("{}", "body/name", "missing")]
    [InlineData("{\"roles\": []}", "body/name", "missing")]
    [InlineData("{\"name\": null}", "body/name", "string_type")]
    [InlineData("{\"name\": 5}", "body/name", "string_type")]
    [InlineData("{\"name\": \"\"}", "body/name", "string_pattern_mismatch")]
    [InlineData("{\"name\": \"tab\\tinside\"}", "body/name", "string_pattern_mismatch")]
    [InlineData("{\"name\": \"half \\ud800 a pair\"}", "body/name", "string_unicode")]
    [InlineData("{\"name\": \"r\", \"roles\": \"admin\"}", "body/roles", "list_type")]
    [InlineData("{\"name\": \"r\", \"roles\": [\"admin\"]}", "body/roles/0", "model_type")]
    [InlineData("{\"name\": \"r\", \"roles\": [{\"resource\": \"dataset\"}]}", "body/roles/0/role_id", "missing")]
    [InlineData("{\"name\": \"r\", \"roles\": [{\"role_id\": \"admin\"}, {\"role_id\": 7}]}", "body/roles/1/role_id", "string_type")]
    [InlineData("{\"name\": \"r\", \"roles\": [{\"role_id\": \"admin\", \"resource_instance\": false}]}", "body/roles/0/resource_instance", "string_type")]
    [InlineData("[]", "body", "dict_type")]
    [InlineData("\"name\"", "body", "dict_type")]
    [InlineData("{\"name\": ", "body", "json_invalid")]
    public async Task Bad_creation_bodies_are_422_at_their_loc(string body, string loc, string type)
    {
        var response = await CreateRaw(server.Http, body);
        var entry = Assert.Single(Expect.ValidationEntries(response))!;
        Assert.Equal(type, IrisHttp.Str(entry["type"]));
        Assert.Equal(loc.Split('/'), Loc(entry));
    }

    [Fact]
    public async Task A_name_longer_than_128_characters_is_422()
    {
        var response = await Create(server.Http, new JsonObject { ["name"] = new string('n', 129) });
        Assert.Equal(["body", "name"], Loc(Assert.Single(Expect.ValidationEntries(response))!));
        Assert.Equal(new string('n', 128), IrisHttp.Str(Created(await Create(server.Http, new JsonObject { ["name"] = new string('n', 128) }))["name"]));
    }

    [Fact]
    public async Task Roles_are_accepted_and_none_are_answered_because_every_credential_has_full_access()
    {
        var response = await Create(server.Http, new JsonObject
        {
            ["name"] = "with-roles",
            ["roles"] = new JsonArray(
                new JsonObject { ["role_id"] = "viewer" },
                new JsonObject { ["role_id"] = "editor", ["resource"] = "dataset", ["resource_instance"] = null }),
        });
        var created = Created(response);
        Assert.Equal("[]", created["roles"]!.ToJsonString());
        using var http = new IrisHttp(server.BaseUri, $"Bearer {IrisHttp.Str(created["client_id"])}:{IrisHttp.Str(created["client_secret"])}");
        // Full access: it can create a dataset, as a viewer in Coactive could not.
        await http.CreateDatasetIdAsync();
        Expect.Ok(await Delete(server.Http, IrisHttp.Str(created["client_id"])));

        Created(await Create(server.Http, new JsonObject { ["name"] = "null-roles", ["roles"] = null }));
    }

    [Fact]
    public async Task Put_renames_and_keeps_the_name_when_none_is_given()
    {
        var (fresh, created) = await CreateAsync(server.Http, "before");
        using var _ = fresh;
        var clientId = IrisHttp.Str(created["client_id"]);

        var renamed = Expect.Ok(await Update(server.Http, clientId, new JsonObject { ["name"] = "after ✓" }));
        Assert.Equal(ClientFields, renamed.AsObject().Select(p => p.Key));
        Assert.Equal(clientId, IrisHttp.Str(renamed["client_id"]));
        Assert.Equal("after ✓", IrisHttp.Str(renamed["name"]));
        Assert.Equal(Mask, IrisHttp.Str(renamed["client_secret"]));
        Assert.Equal(IrisHttp.Str(created["created_dt"]), IrisHttp.Str(renamed["created_dt"]));
        Assert.True(renamed["is_active"]!.GetValue<bool>());
        Assert.Equal("after ✓", IrisHttp.Str(Expect.Ok(await Get(server.Http, clientId))["name"]));

        // No name, a null name, roles and their context: nothing changes, and the answer is the credential.
        foreach (var body in new[]
                 {
                     new JsonObject(),
                     new JsonObject { ["name"] = null, ["roles"] = null, ["roles_context"] = null },
                     new JsonObject { ["roles"] = new JsonArray(new JsonObject { ["role_id"] = "viewer" }), ["roles_context"] = "system" },
                 })
        {
            var same = Expect.Ok(await Update(server.Http, clientId, body));
            Assert.Equal("after ✓", IrisHttp.Str(same["name"]));
            Assert.Equal("[]", same["roles"]!.ToJsonString());
        }

        // A credential may rename itself, and still works afterwards.
        var self = Expect.Ok(await Update(fresh, clientId, new JsonObject { ["name"] = "self-named" }));
        Assert.True(self["is_caller"]!.GetValue<bool>());
        Assert.Equal("self-named", IrisHttp.Str(Expect.Ok(await Get(fresh, clientId))["name"]));
        Assert.Contains(Expect.Ok(await List(server.Http)).AsArray(),
            c => IrisHttp.Str(c!["client_id"]) == clientId && IrisHttp.Str(c["name"]) == "self-named");

        Expect.Ok(await Delete(server.Http, clientId));
    }

    [Theory]
    [InlineData("", "body", "missing")]
    [InlineData("[]", "body", "dict_type")]
    [InlineData("[{\"name\": \"x\"}]", "body", "dict_type")]
    [InlineData("\"renamed\"", "body", "dict_type")]
    [InlineData("42", "body", "dict_type")]
    [InlineData("null", "body", "dict_type")]
    [InlineData("{\"name\": ", "body", "json_invalid")]
    [InlineData("{\"name\": 5}", "body/name", "string_type")]
    [InlineData("{\"name\": true}", "body/name", "string_type")]
    [InlineData("{\"name\": {\"first\": \"x\"}}", "body/name", "string_type")]
    [InlineData("{\"name\": [\"x\"]}", "body/name", "string_type")]
    [InlineData("{\"name\": \"\"}", "body/name", "string_pattern_mismatch")]
    [InlineData("{\"name\": \"line\\nbreak\"}", "body/name", "string_pattern_mismatch")]
    [InlineData("{\"name\": \"\\udc00\"}", "body/name", "string_unicode")]
    [InlineData("{\"roles\": {}}", "body/roles", "list_type")]
    [InlineData("{\"roles\": [null]}", "body/roles/0", "model_type")]
    [InlineData("{\"roles\": [{\"role_id\": null}]}", "body/roles/0/role_id", "string_type")]
    [InlineData("{\"roles_context\": 5}", "body/roles_context", "string_type")]
    public async Task Bad_update_bodies_are_422_at_their_loc(string body, string loc, string type)
    {
        var response = await UpdateRaw(server.Http, server.ClientId, body);
        var entry = Assert.Single(Expect.ValidationEntries(response))!;
        Assert.Equal(type, IrisHttp.Str(entry["type"]));
        Assert.Equal(loc.Split('/'), Loc(entry));
    }

    [Fact]
    public async Task Bad_update_values_are_all_reported_and_nothing_changes()
    {
        var (fresh, created) = await CreateAsync(server.Http, "unchanged");
        fresh.Dispose();
        var clientId = IrisHttp.Str(created["client_id"]);

        var tooLong = await Update(server.Http, clientId, new JsonObject { ["name"] = new string('n', 129) });
        Assert.Equal(["body", "name"], Loc(Assert.Single(Expect.ValidationEntries(tooLong))!));

        var several = await UpdateRaw(server.Http, clientId, "{\"name\": 1, \"roles\": [{}, 2], \"roles_context\": []}");
        Assert.Equal(
            ["body/name", "body/roles/0/role_id", "body/roles/1", "body/roles_context"],
            Expect.ValidationEntries(several).Select(e => string.Join('/', Loc(e!))));

        var overlong = await Update(server.Http, new string('c', 257), new JsonObject { ["name"] = 5 });
        Assert.Equal(["path/client_id", "body/name"], Expect.ValidationEntries(overlong).Select(e => string.Join('/', Loc(e!))));

        Assert.Equal("unchanged", IrisHttp.Str(Expect.Ok(await Get(server.Http, clientId))["name"]));
        Expect.Ok(await Delete(server.Http, clientId));
    }

    [Fact]
    public async Task Unknown_and_overlong_client_ids()
    {
        Expect.Error(await Get(server.Http, "no-such-client"), 404, "Client not found");
        Expect.Error(await Update(server.Http, "no-such-client", new JsonObject { ["name"] = "x" }), 404, "Client not found");
        Expect.Error(await Update(server.Http, "no-such-client", new JsonObject()), 404, "Client not found");
        Expect.Error(await Delete(server.Http, "no-such-client"), 404, "Client not found");
        var longId = new string('c', 257);
        foreach (var overlong in new[]
                 {
                     await Get(server.Http, longId),
                     await Update(server.Http, longId, new JsonObject { ["name"] = "x" }),
                     await Delete(server.Http, longId),
                 })
        {
            Assert.Equal(["path", "client_id"], Loc(Assert.Single(Expect.ValidationEntries(overlong))!));
        }
    }

    [Fact]
    public async Task The_last_active_credential_cannot_be_revoked_so_rotation_is_create_then_revoke()
    {
        var solo = await server.CreateClientAsync("rotation-" + Guid.NewGuid().ToString("N")[..8]);
        using var first = server.ClientFor(solo);

        // Made by `iris admin create-client`, without a name: Coactive's name is a required string, so it is empty.
        var listedFirst = Assert.Single(Expect.Ok(await List(first)).AsArray())!;
        Assert.Equal("", IrisHttp.Str(listedFirst["name"]));

        var locked = await Delete(first, solo.ClientId);
        Expect.Error(locked, 409);
        Expect.Ok(await List(first));

        var (second, created) = await CreateAsync(first, "rotated");
        using var _ = second;
        Assert.Equal(solo.OrgId, IrisHttp.Str(created["org_id"]));
        var revoked = Expect.Ok(await Delete(second, solo.ClientId));
        Assert.False(revoked["is_caller"]!.GetValue<bool>());
        Expect.Error(await List(first), 401, "Invalid authentication credentials");

        var remaining = Expect.Ok(await List(second)).AsArray();
        Assert.Equal([false, true], remaining.Select(c => c!["is_active"]!.GetValue<bool>()));
        Expect.Error(await Delete(second, IrisHttp.Str(created["client_id"])), 409);
    }

    [Fact]
    public async Task Another_organizations_credentials_are_neither_listed_nor_reachable()
    {
        using var other = server.ClientFor(await server.OtherOrgAsync());
        var (mine, created) = await CreateAsync(server.Http, "mine");
        mine.Dispose();
        var clientId = IrisHttp.Str(created["client_id"]);

        var theirs = Expect.Ok(await List(other)).AsArray();
        Assert.DoesNotContain(theirs, c => IrisHttp.Str(c!["client_id"]) == clientId || IrisHttp.Str(c!["client_id"]) == server.ClientId);
        Expect.Error(await Get(other, clientId), 404, "Client not found");
        Expect.Error(await Update(other, clientId, new JsonObject { ["name"] = "stolen" }), 404, "Client not found");
        Expect.Error(await Update(other, clientId, new JsonObject()), 404, "Client not found");
        Expect.Error(await Delete(other, clientId), 404, "Client not found");
        var still = Expect.Ok(await Get(server.Http, clientId));
        Assert.True(still["is_active"]!.GetValue<bool>());
        Assert.Equal("mine", IrisHttp.Str(still["name"]));
        Expect.Ok(await Delete(server.Http, clientId));
    }
}
