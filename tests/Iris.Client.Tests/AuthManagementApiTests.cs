using System.Text.Json;
using Iris.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Client.Tests;

/// <summary>AuthManagementApi against the real server; each test works in an organization of its own.</summary>
[Collection(ClientCollection.Name)]
public sealed class AuthManagementApiTests(ClientFixture fixture)
{
    private async Task<TestCredential> NewOrganizationAsync(string prefix) =>
        await fixture.Server.CreateClientAsync(prefix + "-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task A_created_credential_works_is_listed_and_got_and_is_refused_once_revoked()
    {
        var solo = await NewOrganizationAsync("auth-crud");
        using var first = fixture.NewClient(solo.AccessToken);
        var api = new AuthManagementApi(first);

        var created = await api.CreateClientAsync("ci-runner");
        Assert.Matches("^[0-9a-f]{32}$", created.ClientId);
        Assert.True(created.ClientSecret.Length >= 32, created.ClientSecret);
        Assert.Equal("ci-runner", created.Name);
        Assert.Equal(Guid.Parse(solo.OrgId), created.OrgId);
        Assert.Empty(created.Roles);
        Assert.True(created.IsActive);
        Assert.False(created.IsCaller);
        Assert.Equal($"{created.ClientId}:{created.ClientSecret}", created.AccessToken);
        Assert.DoesNotContain(created.ClientSecret, created.ToString(), StringComparison.Ordinal);
        var json = JsonSerializer.Serialize(created, IrisJsonContext.Default.CreatedClientResponse);
        Assert.DoesNotContain("accessToken", json, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"client_secret\"", json);

        // It works at once, in the same organization.
        using var second = fixture.NewClient(created.AccessToken);
        var dataset = await new DatasetApi(first).CreateDatasetAsync(ClientFixture.UniqueName("auth"));
        Assert.Equal(dataset.Id, (await new DatasetApi(second).GetDatasetAsync(dataset.Id)).Id);
        Assert.True((await new AuthManagementApi(second).GetClientAsync(created.ClientId)).IsCaller);

        var list = await api.ListClientsAsync();
        Assert.Equal([solo.ClientId, created.ClientId], list.Select(c => c.ClientId)); // oldest first
        Assert.All(list, c => Assert.True(c.IsActive));
        Assert.Equal([true, false], list.Select(c => c.IsCaller));
        Assert.Equal("ci-runner", list[1].Name);
        Assert.Equal("", list[0].Name); // made by `iris admin create-client`, without a name
        Assert.All(list, c => Assert.Equal(ClientResponse.SecretMask, c.ClientSecret));

        var got = await api.GetClientAsync(created.ClientId);
        Assert.Equal(JsonSerializer.Serialize(list[1], IrisJsonContext.Default.ClientResponse), JsonSerializer.Serialize(got, IrisJsonContext.Default.ClientResponse));
        Assert.Equal(created.CreatedDt, got.CreatedDt);
        Assert.Null(got.RevokedDt);

        var revoked = await api.RevokeClientAsync(created.ClientId);
        Assert.Equal(created.ClientId, revoked.ClientId);
        Assert.False(revoked.IsActive);
        Assert.False(revoked.IsCaller);
        Assert.NotNull(revoked.RevokedDt);

        var refused = await Assert.ThrowsAsync<ApiException>(() => new DatasetApi(second).GetDatasetAsync(dataset.Id));
        Assert.Equal(401, refused.StatusCode);
        Assert.False((await api.GetClientAsync(created.ClientId)).IsActive);
        Assert.Equal([true, false], (await api.ListClientsAsync()).Select(c => c.IsActive)); // revoked ones stay listed
        Assert.Equal(404, (await Assert.ThrowsAsync<ApiException>(() => api.RevokeClientAsync(created.ClientId))).StatusCode);
    }

    [Fact]
    public async Task A_credential_is_renamed_and_keeps_working_until_revoked()
    {
        var solo = await NewOrganizationAsync("auth-rename");
        using var first = fixture.NewClient(solo.AccessToken);
        var api = new AuthManagementApi(first);
        var created = await api.CreateClientAsync("before");

        var renamed = await api.RenameClientAsync(created.ClientId, "after ✓");
        Assert.Equal(created.ClientId, renamed.ClientId);
        Assert.Equal("after ✓", renamed.Name);
        Assert.Equal(ClientResponse.SecretMask, renamed.ClientSecret);
        Assert.Equal(created.CreatedDt, renamed.CreatedDt);
        Assert.Equal("after ✓", (await api.GetClientAsync(created.ClientId)).Name);

        // The credential renames itself, and still works.
        using var second = fixture.NewClient(created.AccessToken);
        var self = await new AuthManagementApi(second).RenameClientAsync(created.ClientId, "self-named");
        Assert.True(self.IsCaller);
        Assert.Equal(["", "self-named"], (await new AuthManagementApi(second).ListClientsAsync()).Select(c => c.Name));

        var bad = await Assert.ThrowsAsync<ApiException>(() => api.RenameClientAsync(created.ClientId, new string('n', 129)));
        Assert.Equal(422, bad.StatusCode);
        Assert.Equal(new object[] { "body", "name" }, Assert.Single(bad.ValidationErrors).Loc);

        await api.RevokeClientAsync(created.ClientId);
        Assert.Equal(404, (await Assert.ThrowsAsync<ApiException>(() => api.RenameClientAsync(created.ClientId, "revived"))).StatusCode);
        Assert.Equal("self-named", (await api.GetClientAsync(created.ClientId)).Name);
    }

    [Fact]
    public async Task The_last_active_credential_is_409_so_rotation_is_create_then_revoke()
    {
        var solo = await NewOrganizationAsync("auth-last");
        using var old = fixture.NewClient(solo.AccessToken);

        var locked = await Assert.ThrowsAsync<ApiException>(() => new AuthManagementApi(old).RevokeClientAsync(solo.ClientId));
        Assert.Equal(409, locked.StatusCode);
        Assert.Contains("last active credential", locked.Detail);

        var created = await new AuthManagementApi(old).CreateClientAsync("successor");
        Assert.Equal("successor", created.Name);
        var revokedItself = await new AuthManagementApi(old).RevokeClientAsync(solo.ClientId);
        Assert.True(revokedItself.IsCaller);
        Assert.False(revokedItself.IsActive);
        Assert.Equal(401, (await Assert.ThrowsAsync<ApiException>(() => new AuthManagementApi(old).ListClientsAsync())).StatusCode);

        using var fresh = fixture.NewClient(created.AccessToken);
        var last = await Assert.ThrowsAsync<ApiException>(() => new AuthManagementApi(fresh).RevokeClientAsync(created.ClientId));
        Assert.Equal(409, last.StatusCode);
    }

    [Fact]
    public async Task Unknown_and_other_organizations_clients_are_404_and_ids_are_escaped()
    {
        var mine = await NewOrganizationAsync("auth-mine");
        var theirs = await NewOrganizationAsync("auth-theirs");
        using var client = fixture.NewClient(mine.AccessToken);
        var api = new AuthManagementApi(client);

        foreach (var id in new[] { "no-such-client", theirs.ClientId, "a/b?c=d#e f" })
        {
            var get = await Assert.ThrowsAsync<ApiException>(() => api.GetClientAsync(id));
            Assert.Equal(404, get.StatusCode);
            Assert.Equal("Client not found", get.Detail);
            Assert.Equal(404, (await Assert.ThrowsAsync<ApiException>(() => api.RevokeClientAsync(id))).StatusCode);
            Assert.Equal(404, (await Assert.ThrowsAsync<ApiException>(() => api.RenameClientAsync(id, "stolen"))).StatusCode);
        }
        Assert.DoesNotContain(await api.ListClientsAsync(), c => c.ClientId == theirs.ClientId);

        var badName = await Assert.ThrowsAsync<ApiException>(() => api.CreateClientAsync(""));
        Assert.Equal(422, badName.StatusCode);
        Assert.Equal(new object[] { "body", "name" }, Assert.Single(badName.ValidationErrors).Loc);

        await Assert.ThrowsAsync<ArgumentException>(() => api.GetClientAsync(""));
        await Assert.ThrowsAsync<ArgumentException>(() => api.RevokeClientAsync(".."));
        await Assert.ThrowsAsync<ArgumentException>(() => api.RenameClientAsync("", "x"));
        await Assert.ThrowsAsync<ArgumentNullException>(() => api.RenameClientAsync(mine.ClientId, null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => api.CreateClientAsync(null!));
    }

    [Fact]
    public async Task AddIrisClient_registers_AuthManagementApi()
    {
        var solo = await NewOrganizationAsync("auth-di");
        var services = new ServiceCollection();
        services.AddIrisClient(c =>
        {
            c.Host = fixture.Server.Host;
            c.AccessToken = solo.AccessToken;
        });
        await using var provider = services.BuildServiceProvider();
        var only = Assert.Single(await provider.GetRequiredService<AuthManagementApi>().ListClientsAsync());
        Assert.Equal(solo.ClientId, only.ClientId);
    }
}
