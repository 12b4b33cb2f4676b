using Iris.Models;
using Microsoft.Data.Sqlite;

namespace Iris.Catalog.Sqlite;

internal sealed class SqliteCredentialStore(SqliteCatalog db) : ICredentialStore
{
    public async Task<Credential?> FindAsync(string clientId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var cmd = connection.Command(null, $"SELECT {Db.CredentialColumns} FROM credentials WHERE client_id = @c");
        using var r = cmd.With("@c", clientId).ExecuteReader();
        return r.Read() ? Db.ReadCredential(r) : null;
    }

    public async Task<bool> TryCreateAsync(Credential credential, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var cmd = connection.Command(null, """
            INSERT INTO credentials (client_id, org_id, secret_hash, created_at, revoked_at, name)
            VALUES (@c, @org, @hash, @at, @revoked, @name)
            ON CONFLICT (client_id) DO NOTHING
            """);
        return Bind(cmd, credential).ExecuteNonQuery() == 1;
    }

    public async Task UpsertAsync(Credential credential, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var cmd = connection.Command(null, """
            INSERT INTO credentials (client_id, org_id, secret_hash, created_at, revoked_at, name)
            VALUES (@c, @org, @hash, @at, @revoked, @name)
            ON CONFLICT (client_id) DO UPDATE SET
                org_id = excluded.org_id, secret_hash = excluded.secret_hash, revoked_at = excluded.revoked_at,
                name = coalesce(excluded.name, credentials.name)
            """);
        Bind(cmd, credential).ExecuteNonQuery();
    }

    public async Task<bool> AnyActiveAsync(CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var cmd = connection.Command(null, "SELECT EXISTS (SELECT 1 FROM credentials WHERE revoked_at IS NULL)");
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0;
    }

    public async Task<IReadOnlyList<Credential>> ListAsync(Guid orgId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var cmd = connection.Command(null,
            $"SELECT {Db.CredentialColumns} FROM credentials WHERE org_id = @org ORDER BY created_at, client_id");
        using var r = cmd.With("@org", orgId).ExecuteReader();
        var list = new List<Credential>();
        while (r.Read())
        {
            list.Add(Db.ReadCredential(r));
        }

        return list;
    }

    public async Task<RevokeOutcome> RevokeAsync(Guid orgId, string clientId, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        // Checked and changed under one write lock: two revocations at once cannot leave the organization with none.
        using var tx = connection.BeginTransaction();
        using (var find = connection.Command(tx,
            "SELECT count(*) FILTER (WHERE client_id = @c), count(*) FROM credentials WHERE org_id = @org AND revoked_at IS NULL"))
        using (var r = find.With("@c", clientId).With("@org", orgId).ExecuteReader())
        {
            r.Read();
            if (r.GetInt64(0) == 0) return RevokeOutcome.NotFound;
            if (r.GetInt64(1) == 1) return RevokeOutcome.LastActive;
        }
        using var revoke = connection.Command(tx,
            "UPDATE credentials SET revoked_at = @now WHERE client_id = @c AND org_id = @org AND revoked_at IS NULL");
        revoke.With("@now", Db.ToMicros(now)).With("@c", clientId).With("@org", orgId).ExecuteNonQuery();
        tx.Commit();
        return RevokeOutcome.Revoked;
    }

    public async Task<Credential?> RenameAsync(Guid orgId, string clientId, string name, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var cmd = connection.Command(null, $"""
            UPDATE credentials SET name = @name WHERE client_id = @c AND org_id = @org AND revoked_at IS NULL
            RETURNING {Db.CredentialColumns}
            """);
        using var r = cmd.With("@name", name).With("@c", clientId).With("@org", orgId).ExecuteReader();
        return r.Read() ? Db.ReadCredential(r) : null;
    }

    private static SqliteCommand Bind(SqliteCommand cmd, Credential credential) => cmd
        .With("@c", credential.ClientId)
        .With("@org", credential.OrgId)
        .With("@hash", credential.SecretHash)
        .With("@at", Db.ToMicros(credential.CreatedAt))
        .With("@revoked", credential.RevokedAt is { } revoked ? Db.ToMicros(revoked) : null)
        .With("@name", credential.Name);
}
