using System.Text.Json.Nodes;
using Iris.Testing;

namespace Iris.Cli.Tests;

/// <summary><c>iris clients create|list|rename|revoke</c> against the real server; each test works in an organization of its own.</summary>
[Collection(CliCollection.Name)]
public sealed class ClientsCommandTests(CliFixture fixture)
{
    private async Task<TestCredential> NewOrganizationAsync(string prefix) =>
        await fixture.Server.CreateClientAsync(prefix + "-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Runs <c>iris ARGS</c> with this credential in IRIS_CLIENT_ID/IRIS_CLIENT_SECRET.</summary>
    private Task<ProcessResult> IrisAsAsync(string clientId, string secret, params string[] args) =>
        fixture.IrisWithAsync(new Dictionary<string, string>
        {
            ["IRIS_HOST"] = fixture.Server.Host, ["IRIS_CLIENT_ID"] = clientId, ["IRIS_CLIENT_SECRET"] = secret,
        }, args);

    private Task<ProcessResult> IrisAsAsync(TestCredential credential, params string[] args) =>
        IrisAsAsync(credential.ClientId, credential.ClientSecret, args);

    private static JsonNode Ok(ProcessResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return CliFixture.Parse(result);
    }

    [Fact]
    public async Task Clients_can_be_created_used_listed_and_revoked()
    {
        var solo = await NewOrganizationAsync("cli-clients");

        var created = Ok(await IrisAsAsync(solo, "clients", "create", "--name", "ci-runner", "--json"));
        // The API's answer (Coactive's ClientResponse, snake_case, plus Iris's facts), as is.
        Assert.Equal(["client_id", "client_secret", "name", "roles", "org_id", "created_dt", "revoked_dt", "is_active", "is_caller"],
            created.AsObject().Select(p => p.Key));
        var id = created["client_id"]!.GetValue<string>();
        var secret = created["client_secret"]!.GetValue<string>();
        Assert.Equal(solo.OrgId, created["org_id"]!.GetValue<string>());
        Assert.Equal("ci-runner", created["name"]!.GetValue<string>());
        Assert.Equal("[]", created["roles"]!.ToJsonString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", created["created_dt"]!.GetValue<string>());

        // The new credential works at once.
        Assert.True((await IrisAsAsync(id, secret, "datasets", "list", "--json")).ExitCode == 0);

        var list = Ok(await IrisAsAsync(id, secret, "clients", "list", "--json")).AsArray();
        Assert.Equal([solo.ClientId, id], list.Select(c => c!["client_id"]!.GetValue<string>()));
        Assert.Equal([false, true], list.Select(c => c!["is_caller"]!.GetValue<bool>()));
        Assert.All(list, c => Assert.Equal("********", c!["client_secret"]!.GetValue<string>()));
        Assert.DoesNotContain(secret, list.ToJsonString(), StringComparison.Ordinal);

        var table = await IrisAsAsync(solo, "clients", "list");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(id, table.Stdout);
        Assert.Contains("ci-runner", table.Stdout);
        Assert.Contains("active (this one)", table.Stdout);

        var revoked = await IrisAsAsync(solo, "clients", "revoke", id);
        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        Assert.Equal($"Revoked credential {id} (ci-runner).", revoked.Stdout.Trim());

        var refused = await IrisAsAsync(id, secret, "datasets", "list");
        Assert.Equal(4, refused.ExitCode);
        Assert.Contains("rejected the credentials", refused.Stderr);

        var listed = Ok(await IrisAsAsync(solo, "clients", "list", "--json")).AsArray()[1]!;
        Assert.False(listed["is_active"]!.GetValue<bool>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", listed["revoked_dt"]!.GetValue<string>());
        Assert.Contains("revoked", (await IrisAsAsync(solo, "clients", "list")).Stdout);
    }

    [Fact]
    public async Task Create_shows_the_secret_once_with_a_warning()
    {
        var solo = await NewOrganizationAsync("cli-secret");
        var result = await IrisAsAsync(solo, "clients", "create", "--name", "laptop");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("shown only this once", result.Stdout);

        var created = Assert.Single(Ok(await IrisAsAsync(solo, "clients", "list", "--json")).AsArray(), c => !c!["is_caller"]!.GetValue<bool>())!;
        var id = created["client_id"]!.GetValue<string>();
        Assert.Equal("laptop", created["name"]!.GetValue<string>());
        var secretLine = Assert.Single(result.Stdout.Split('\n'), l => l.Contains("Client secret"));
        var secret = secretLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.True((await IrisAsAsync(id, secret, "clients", "list", "--json")).ExitCode == 0, "the printed secret works");
        Assert.Contains(id, result.Stdout);
    }

    [Fact]
    public async Task Revoking_the_last_credential_exits_6_an_unknown_one_5_and_a_bad_one_2()
    {
        var solo = await NewOrganizationAsync("cli-last");

        var last = await IrisAsAsync(solo, "clients", "revoke", solo.ClientId);
        Assert.Equal(6, last.ExitCode);
        Assert.Equal("", last.Stdout);
        Assert.StartsWith("iris: This is the organization's last active credential", last.Stderr.Trim());

        var unknown = await IrisAsAsync(solo, "clients", "revoke", "no-such-client");
        Assert.Equal(5, unknown.ExitCode);
        Assert.Equal("iris: No active credential with client id 'no-such-client' in your organization (see 'iris clients list').", unknown.Stderr.Trim());

        // Another organization's credential is unknown here, and stays active.
        var other = await NewOrganizationAsync("cli-other");
        Assert.Equal(5, (await IrisAsAsync(solo, "clients", "revoke", other.ClientId, "--json")).ExitCode);
        Assert.True((await IrisAsAsync(other, "clients", "list", "--json")).ExitCode == 0);

        Assert.Equal(2, (await IrisAsAsync(solo, "clients", "revoke", new string('c', 257))).ExitCode);
        Assert.Equal(2, (await IrisAsAsync(solo, "clients", "revoke", "..")).ExitCode);
        Assert.Equal(2, (await IrisAsAsync(solo, "clients", "revoke")).ExitCode);
        var badName = await IrisAsAsync(solo, "clients", "create", "--name", "tab\tinside");
        Assert.Equal(2, badName.ExitCode);
        Assert.StartsWith("iris: Cannot create the credential:", badName.Stderr.Trim());
        var noName = await IrisAsAsync(solo, "clients", "create");
        Assert.Equal(2, noName.ExitCode);
        Assert.Contains("--name", noName.Stderr);

        // Nothing was created or revoked by the failures above.
        var only = Assert.Single(Ok(await IrisAsAsync(solo, "clients", "list", "--json")).AsArray())!;
        Assert.True(only["is_active"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Revoking_the_credential_in_use_says_so()
    {
        var solo = await NewOrganizationAsync("cli-self");
        var next = Ok(await IrisAsAsync(solo, "clients", "create", "--name", "next", "--json"));

        var revoked = Ok(await IrisAsAsync(solo, "clients", "revoke", solo.ClientId, "--json"));
        Assert.True(revoked["is_caller"]!.GetValue<bool>());
        Assert.False(revoked["is_active"]!.GetValue<bool>());

        Assert.Equal(4, (await IrisAsAsync(solo, "clients", "list")).ExitCode);
        var third = Ok(await IrisAsAsync(next["client_id"]!.GetValue<string>(), next["client_secret"]!.GetValue<string>(), "clients", "create", "--name", "third", "--json"));
        var human = await IrisAsAsync(third["client_id"]!.GetValue<string>(), third["client_secret"]!.GetValue<string>(), "clients", "revoke", third["client_id"]!.GetValue<string>());
        Assert.True(human.ExitCode == 0, human.ToString());
        Assert.Contains("It was the credential this command used", human.Stdout);
    }

    [Fact]
    public async Task Rename_gives_a_credential_a_new_name_and_refuses_unknown_ones()
    {
        var solo = await NewOrganizationAsync("cli-rename");
        var created = Ok(await IrisAsAsync(solo, "clients", "create", "--name", "before", "--json"));
        var id = created["client_id"]!.GetValue<string>();

        var human = await IrisAsAsync(solo, "clients", "rename", id, "build-server");
        Assert.True(human.ExitCode == 0, human.ToString());
        Assert.Equal($"Renamed credential {id} to build-server.", human.Stdout.Trim());

        var json = Ok(await IrisAsAsync(solo, "clients", "rename", id, "after", "--json"));
        Assert.Equal("after", json["name"]!.GetValue<string>());
        Assert.Equal("********", json["client_secret"]!.GetValue<string>());
        var listed = Ok(await IrisAsAsync(solo, "clients", "list", "--json")).AsArray();
        Assert.Equal(["", "after"], listed.Select(c => c!["name"]!.GetValue<string>()));

        // The renamed credential still works.
        Assert.True((await IrisAsAsync(id, created["client_secret"]!.GetValue<string>(), "clients", "list", "--json")).ExitCode == 0);

        var unknown = await IrisAsAsync(solo, "clients", "rename", "no-such-client", "x");
        Assert.Equal(5, unknown.ExitCode);
        Assert.Equal("iris: No active credential with client id 'no-such-client' in your organization (see 'iris clients list').", unknown.Stderr.Trim());
        var other = await NewOrganizationAsync("cli-rename-other");
        Assert.Equal(5, (await IrisAsAsync(solo, "clients", "rename", other.ClientId, "stolen")).ExitCode);

        var bad = await IrisAsAsync(solo, "clients", "rename", id, "");
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("iris: Cannot rename the credential:", bad.Stderr.Trim());
        Assert.Equal(2, (await IrisAsAsync(solo, "clients", "rename", id)).ExitCode);
        Assert.Equal(2, (await IrisAsAsync(solo, "clients", "rename", "..", "x")).ExitCode);
        Assert.Equal("after", Ok(await IrisAsAsync(solo, "clients", "list", "--json")).AsArray()[1]!["name"]!.GetValue<string>());
    }
}
