using Iris.Models;

using Iris.Catalog.Tests.Engines;

namespace Iris.Catalog.Tests;

public abstract class OrganizationAndCredentialTests(TestEngine engine) : CatalogTestBase(engine)
{
    [Fact]
    public async Task GetOrCreate_returns_the_same_organization_for_the_same_name()
    {
        var first = await Catalog.Organizations.GetOrCreateAsync("acme", T0);
        var again = await Catalog.Organizations.GetOrCreateAsync("acme", T0.AddDays(1));
        var other = await Catalog.Organizations.GetOrCreateAsync("globex", T0);

        Assert.Equal(first, again);
        Assert.Equal("acme", first.Name);
        Assert.Equal(Micro(T0), first.CreatedAt);
        Assert.NotEqual(first.Id, other.Id);
        Assert.Equal(2, Scalar("SELECT COUNT(*) FROM organizations"));
    }

    [Fact]
    public async Task Credentials_are_created_once_and_found_with_their_hash()
    {
        var org = await OrgAsync();
        var credential = new Credential("id-1", org.Id, [1, 2, 3, 4], T0, null);

        Assert.True(await Catalog.Credentials.TryCreateAsync(credential));
        Assert.False(await Catalog.Credentials.TryCreateAsync(credential with { SecretHash = [9] }));

        var found = await Catalog.Credentials.FindAsync("id-1");
        Assert.NotNull(found);
        Assert.Equal(org.Id, found.OrgId);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, found.SecretHash);
        Assert.Equal(Micro(T0), found.CreatedAt);
        Assert.Null(found.RevokedAt);
        Assert.Null(await Catalog.Credentials.FindAsync("nobody"));
    }

    [Fact]
    public async Task Upsert_creates_then_replaces_org_and_hash_and_clears_revocation()
    {
        var a = await OrgAsync("a");
        var b = await OrgAsync("b");
        await Catalog.Credentials.UpsertAsync(new Credential("boot", a.Id, [1], T0, null));
        Assert.Equal(new byte[] { 1 }, (await Catalog.Credentials.FindAsync("boot"))!.SecretHash);

        await Catalog.Credentials.TryCreateAsync(new Credential("other", a.Id, [3], T0, null));
        Assert.Equal(RevokeOutcome.Revoked, await Catalog.Credentials.RevokeAsync(a.Id, "boot", T0.AddHours(1)));
        await Catalog.Credentials.UpsertAsync(new Credential("boot", b.Id, [2, 2], T0.AddDays(1), null));

        var found = await Catalog.Credentials.FindAsync("boot");
        Assert.NotNull(found);
        Assert.Equal(b.Id, found.OrgId);
        Assert.Equal(new byte[] { 2, 2 }, found.SecretHash);
        Assert.Null(found.RevokedAt);
        Assert.Equal(2, Scalar("SELECT COUNT(*) FROM credentials"));
    }

    [Fact]
    public async Task Revoke_marks_only_an_active_credential_of_the_same_org_and_never_the_last_one()
    {
        var a = await OrgAsync("a");
        var b = await OrgAsync("b");
        Assert.False(await Catalog.Credentials.AnyActiveAsync());
        await Catalog.Credentials.TryCreateAsync(new Credential("c1", a.Id, [1], T0, null, "laptop"));
        await Catalog.Credentials.TryCreateAsync(new Credential("c2", a.Id, [2], T0, null));
        Assert.True(await Catalog.Credentials.AnyActiveAsync());
        Assert.Equal("laptop", (await Catalog.Credentials.FindAsync("c1"))!.Name);

        Assert.Equal(RevokeOutcome.NotFound, await Catalog.Credentials.RevokeAsync(b.Id, "c1", T0));
        Assert.Equal(RevokeOutcome.NotFound, await Catalog.Credentials.RevokeAsync(a.Id, "unknown", T0));
        Assert.Equal(RevokeOutcome.Revoked, await Catalog.Credentials.RevokeAsync(a.Id, "c1", T0.AddMinutes(5)));
        Assert.Equal(RevokeOutcome.NotFound, await Catalog.Credentials.RevokeAsync(a.Id, "c1", T0.AddMinutes(6)));
        Assert.Equal(RevokeOutcome.LastActive, await Catalog.Credentials.RevokeAsync(a.Id, "c2", T0.AddMinutes(7)));

        var revoked = await Catalog.Credentials.FindAsync("c1");
        Assert.Equal(Micro(T0.AddMinutes(5)), revoked!.RevokedAt);
        Assert.Null((await Catalog.Credentials.FindAsync("c2"))!.RevokedAt);
        Assert.True(await Catalog.Credentials.AnyActiveAsync());
    }

    [Fact]
    public async Task Rename_changes_only_an_active_credential_of_the_same_org()
    {
        var a = await OrgAsync("a");
        var b = await OrgAsync("b");
        await Catalog.Credentials.TryCreateAsync(new Credential("c1", a.Id, [1, 2], T0, null, "laptop"));
        await Catalog.Credentials.TryCreateAsync(new Credential("c2", a.Id, [3], T0, null));
        await Catalog.Credentials.TryCreateAsync(new Credential("gone", a.Id, [4], T0, null, "old"));
        await Catalog.Credentials.RevokeAsync(a.Id, "gone", T0.AddMinutes(1));

        var renamed = await Catalog.Credentials.RenameAsync(a.Id, "c1", "build server \u00e9");
        Assert.NotNull(renamed);
        Assert.Equal("c1", renamed.ClientId);
        Assert.Equal(a.Id, renamed.OrgId);
        Assert.Equal("build server \u00e9", renamed.Name);
        Assert.Equal(new byte[] { 1, 2 }, renamed.SecretHash);
        Assert.Equal(Micro(T0), renamed.CreatedAt);
        Assert.Null(renamed.RevokedAt);
        Assert.Equal("build server \u00e9", (await Catalog.Credentials.FindAsync("c1"))!.Name);

        // An unnamed one gets a name; another organization's, an unknown and a revoked one are not found and unchanged.
        Assert.Equal("ci", (await Catalog.Credentials.RenameAsync(a.Id, "c2", "ci"))!.Name);
        Assert.Null(await Catalog.Credentials.RenameAsync(b.Id, "c1", "stolen"));
        Assert.Null(await Catalog.Credentials.RenameAsync(a.Id, "unknown", "x"));
        Assert.Null(await Catalog.Credentials.RenameAsync(a.Id, "gone", "back"));
        Assert.Equal("build server \u00e9", (await Catalog.Credentials.FindAsync("c1"))!.Name);
        Assert.Equal("old", (await Catalog.Credentials.FindAsync("gone"))!.Name);
        Assert.Null(await Catalog.Credentials.FindAsync("unknown"));
        Assert.Equal(3, Scalar("SELECT COUNT(*) FROM credentials"));
    }

    [Fact]
    public async Task List_returns_the_org_credentials_oldest_first_including_revoked()
    {
        var a = await OrgAsync("a");
        var b = await OrgAsync("b");
        await Catalog.Credentials.TryCreateAsync(new Credential("late", a.Id, [1], T0.AddMinutes(2), null));
        await Catalog.Credentials.TryCreateAsync(new Credential("early", a.Id, [1], T0, null));
        await Catalog.Credentials.TryCreateAsync(new Credential("other", b.Id, [1], T0, null));
        await Catalog.Credentials.RevokeAsync(a.Id, "late", T0.AddMinutes(3));

        var list = await Catalog.Credentials.ListAsync(a.Id);

        Assert.Equal(["early", "late"], list.Select(c => c.ClientId));
        Assert.Null(list[0].RevokedAt);
        Assert.NotNull(list[1].RevokedAt);
        Assert.Empty(await Catalog.Credentials.ListAsync(Guid.NewGuid()));
    }
}

public sealed class SqliteOrganizationAndCredentialTests() : OrganizationAndCredentialTests(new SqliteTestEngine());

public sealed class PostgresOrganizationAndCredentialTests() : OrganizationAndCredentialTests(new PostgresTestEngine());
