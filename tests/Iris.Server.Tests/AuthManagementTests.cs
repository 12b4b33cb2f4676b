using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Iris.Server.Tests;

/// <summary>POST/GET/DELETE /api/v1/auth-management/clients: create, list, get and revoke the organization's credentials.</summary>
[Collection(IrisServerCollection.Name)]
public sealed class AuthManagementTests(ServerFixture server)
{
    private const string Clients = "/api/v1/auth-management/clients";

    private static readonly string[] ClientFields = ["clientId", "name", "createdDt", "revokedDt", "isActive", "isCaller"];

    private async Task<(IrisHttp Http, JsonNode Created)> CreateAsync(IrisHttp creator, string? name)
    {
        var created = Expect.Ok(await creator.PostAsync(Clients, name is null ? new JsonObject() : new JsonObject { ["name"] = name }));
        Assert.Equal(["clientId", "clientSecret", "orgId", "name", "createdDt", "createdUserId"], created.AsObject().Select(p => p.Key));
        Assert.Matches("^[0-9a-f]{32}$", IrisHttp.Str(created["clientId"]));
        Assert.True(IrisHttp.Str(created["clientSecret"]).Length >= 32, created.ToJsonString());
        var token = $"{IrisHttp.Str(created["clientId"])}:{IrisHttp.Str(created["clientSecret"])}";
        return (new IrisHttp(server.BaseUri, "Bearer " + token), created);
    }

    [Fact]
    public async Task A_created_credential_works_at_once_is_listed_without_its_secret_and_stops_working_when_revoked()
    {
        var (fresh, created) = await CreateAsync(server.Http, "ci-runner");
        using var _ = fresh;
        var clientId = IrisHttp.Str(created["clientId"]);
        var secret = IrisHttp.Str(created["clientSecret"]);
        Assert.Equal("ci-runner", IrisHttp.Str(created["name"]));
        Assert.Equal(server.ClientId, IrisHttp.Str(created["createdUserId"]));

        // Same organization: the new credential sees the fixture's datasets.
        var datasetId = await server.Http.CreateDatasetIdAsync();
        Expect.Ok(await fresh.GetAsync($"/api/v1/datasets/{datasetId}"));

        var list = await server.Http.GetAsync(Clients);
        var listed = Expect.Ok(list)["data"]!.AsArray().Single(c => IrisHttp.Str(c!["clientId"]) == clientId)!;
        Assert.Equal(ClientFields, listed.AsObject().Select(p => p.Key));
        Assert.True(listed["isActive"]!.GetValue<bool>());
        Assert.False(listed["isCaller"]!.GetValue<bool>());
        Assert.DoesNotContain(secret, list.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", list.Text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("hash", list.Text, StringComparison.OrdinalIgnoreCase);

        var one = await fresh.GetAsync($"{Clients}/{clientId}");
        Assert.True(Expect.Ok(one)["isCaller"]!.GetValue<bool>());
        Assert.DoesNotContain(secret, one.Text, StringComparison.Ordinal);

        var revoked = Expect.Ok(await server.Http.DeleteAsync($"{Clients}/{clientId}"));
        Assert.False(revoked["isActive"]!.GetValue<bool>());
        Assert.NotNull(revoked["revokedDt"]);

        // Refused on its very next request (no cache grace in the server that revoked it).
        var refused = await fresh.GetAsync($"/api/v1/datasets/{datasetId}");
        Expect.Error(refused, 401, "Invalid authentication credentials");
        Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.ToString());

        Expect.Error(await server.Http.DeleteAsync($"{Clients}/{clientId}"), 404, "Client not found");
        var after = Expect.Ok(await server.Http.GetAsync($"{Clients}/{clientId}"));
        Assert.False(after["isActive"]!.GetValue<bool>());

        // The secret never reaches the server's output (logs).
        Assert.DoesNotContain(secret, server.ServerOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_post_creates_an_unnamed_credential()
    {
        var response = await server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, Clients));
        var created = Expect.Ok(response);
        Assert.Null(created["name"]);
        Expect.Ok(await server.Http.DeleteAsync($"{Clients}/{IrisHttp.Str(created["clientId"])}"));
    }

    [Theory]
    [InlineData("{\"name\": 5}", "name", "string_type")]
    [InlineData("{\"name\": \"\"}", "name", "string_pattern_mismatch")]
    [InlineData("{\"name\": \"tab\\tinside\"}", "name", "string_pattern_mismatch")]
    [InlineData("[]", null, "dict_type")]
    [InlineData("{\"name\": ", null, "json_invalid")]
    public async Task Bad_bodies_are_422(string body, string? field, string type)
    {
        var response = await server.Http.SendJsonAsync(HttpMethod.Post, Clients, body);
        var entry = Assert.Single(Expect.ValidationEntries(response))!;
        Assert.Equal(type, IrisHttp.Str(entry["type"]));
        Assert.Equal(field is null ? ["body"] : ["body", field], entry["loc"]!.AsArray().Select(l => l!.ToString()));
    }

    [Fact]
    public async Task A_name_longer_than_128_characters_is_422()
    {
        var response = await server.Http.PostAsync(Clients, new JsonObject { ["name"] = new string('n', 129) });
        Assert.Equal(["body", "name"], Assert.Single(Expect.ValidationEntries(response))!["loc"]!.AsArray().Select(l => l!.ToString()));
    }

    [Fact]
    public async Task Unknown_and_overlong_client_ids()
    {
        Expect.Error(await server.Http.GetAsync($"{Clients}/no-such-client"), 404, "Client not found");
        Expect.Error(await server.Http.DeleteAsync($"{Clients}/no-such-client"), 404, "Client not found");
        var overlong = await server.Http.GetAsync($"{Clients}/{new string('c', 257)}");
        Assert.Equal(["path", "client_id"], Assert.Single(Expect.ValidationEntries(overlong))!["loc"]!.AsArray().Select(l => l!.ToString()));
    }

    [Fact]
    public async Task The_last_active_credential_cannot_be_revoked_so_rotation_is_create_then_revoke()
    {
        var solo = await server.CreateClientAsync("rotation-" + Guid.NewGuid().ToString("N")[..8]);
        using var first = server.ClientFor(solo);

        var locked = await first.DeleteAsync($"{Clients}/{solo.ClientId}");
        Expect.Error(locked, 409);
        Expect.Ok(await first.GetAsync(Clients));

        var (second, created) = await CreateAsync(first, "rotated");
        using var _ = second;
        Assert.Equal(solo.OrgId, IrisHttp.Str(created["orgId"]));
        var revoked = Expect.Ok(await second.DeleteAsync($"{Clients}/{solo.ClientId}"));
        Assert.False(revoked["isCaller"]!.GetValue<bool>());
        Expect.Error(await first.GetAsync(Clients), 401, "Invalid authentication credentials");

        var remaining = Expect.Ok(await second.GetAsync(Clients))["data"]!.AsArray();
        Assert.Equal([false, true], remaining.Select(c => c!["isActive"]!.GetValue<bool>()));
        Expect.Error(await second.DeleteAsync($"{Clients}/{IrisHttp.Str(created["clientId"])}"), 409);
    }

    [Fact]
    public async Task Another_organizations_credentials_are_neither_listed_nor_reachable()
    {
        using var other = server.ClientFor(await server.OtherOrgAsync());
        var (mine, created) = await CreateAsync(server.Http, "mine");
        mine.Dispose();
        var clientId = IrisHttp.Str(created["clientId"]);

        var theirs = Expect.Ok(await other.GetAsync(Clients))["data"]!.AsArray();
        Assert.DoesNotContain(theirs, c => IrisHttp.Str(c!["clientId"]) == clientId || IrisHttp.Str(c!["clientId"]) == server.ClientId);
        Expect.Error(await other.GetAsync($"{Clients}/{clientId}"), 404, "Client not found");
        Expect.Error(await other.DeleteAsync($"{Clients}/{clientId}"), 404, "Client not found");
        Assert.True(Expect.Ok(await server.Http.GetAsync($"{Clients}/{clientId}"))["isActive"]!.GetValue<bool>());
        Expect.Ok(await server.Http.DeleteAsync($"{Clients}/{clientId}"));
    }
}
