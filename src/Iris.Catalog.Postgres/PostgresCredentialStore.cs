using Iris.Models;
using Npgsql;

namespace Iris.Catalog.Postgres;

internal sealed class PostgresCredentialStore(PostgresCatalog db) : ICredentialStore
{
    public Task<Credential?> FindAsync(string clientId, CancellationToken ct = default) => db.ReadAsync(async connection =>
    {
        await using var cmd = connection.Command($"SELECT {PgRows.CredentialColumns} FROM credentials WHERE client_id = $1");
        await using var r = await cmd.Text(clientId).ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? PgRows.ReadCredential(r) : null;
    }, ct);

    public Task<bool> TryCreateAsync(Credential credential, CancellationToken ct = default) => db.RunAsync(async connection =>
    {
        await using var cmd = Bind(connection.Command("""
            INSERT INTO credentials (client_id, org_id, secret_hash, created_at, revoked_at, name)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (client_id) DO NOTHING
            """), credential);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }, ct);

    public Task UpsertAsync(Credential credential, CancellationToken ct = default) => db.RunAsync(async connection =>
    {
        await using var cmd = Bind(connection.Command("""
            INSERT INTO credentials (client_id, org_id, secret_hash, created_at, revoked_at, name)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (client_id) DO UPDATE SET
                org_id = excluded.org_id, secret_hash = excluded.secret_hash, revoked_at = excluded.revoked_at,
                name = coalesce(excluded.name, credentials.name)
            """), credential);
        return await cmd.ExecuteNonQueryAsync(ct);
    }, ct);

    public Task<bool> AnyActiveAsync(CancellationToken ct = default) => db.RunAsync(async connection =>
    {
        await using var cmd = connection.Command("SELECT EXISTS (SELECT 1 FROM credentials WHERE revoked_at IS NULL)");
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }, ct);

    public Task<IReadOnlyList<Credential>> ListAsync(Guid orgId, CancellationToken ct = default) => db.RunAsync<IReadOnlyList<Credential>>(async connection =>
    {
        await using var cmd = connection.Command(
            $"SELECT {PgRows.CredentialColumns} FROM credentials WHERE org_id = $1 ORDER BY created_at, client_id");
        await using var r = await cmd.Uuid(orgId).ExecuteReaderAsync(ct);
        var list = new List<Credential>();
        while (await r.ReadAsync(ct)) list.Add(PgRows.ReadCredential(r));
        return list;
    }, ct);

    public Task<RevokeOutcome> RevokeAsync(Guid orgId, string clientId, DateTimeOffset now, CancellationToken ct = default) => db.RunAsync(async connection =>
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        // The organization's row serializes revocations: two at once cannot leave it with no active credential.
        await using (var org = connection.Command("SELECT 1 FROM organizations WHERE id = $1 FOR UPDATE", tx))
        {
            if (await org.Uuid(orgId).ExecuteScalarAsync(ct) is null) return RevokeOutcome.NotFound;
        }
        await using (var find = connection.Command(
            "SELECT count(*) FILTER (WHERE client_id = $1), count(*) FROM credentials WHERE org_id = $2 AND revoked_at IS NULL", tx))
        {
            await using var r = await find.Text(clientId).Uuid(orgId).ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            if (r.GetInt64(0) == 0) return RevokeOutcome.NotFound;
            if (r.GetInt64(1) == 1) return RevokeOutcome.LastActive;
        }
        await using (var revoke = connection.Command(
            "UPDATE credentials SET revoked_at = $1 WHERE client_id = $2 AND org_id = $3 AND revoked_at IS NULL", tx))
        {
            await revoke.Time(now).Text(clientId).Uuid(orgId).ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return RevokeOutcome.Revoked;
    }, ct);

    public Task<Credential?> RenameAsync(Guid orgId, string clientId, string name, CancellationToken ct = default) => db.RunAsync<Credential?>(async connection =>
    {
        await using var cmd = connection.Command($"""
            UPDATE credentials SET name = $1 WHERE client_id = $2 AND org_id = $3 AND revoked_at IS NULL
            RETURNING {PgRows.CredentialColumns}
            """);
        await using var r = await cmd.Text(name).Text(clientId).Uuid(orgId).ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? PgRows.ReadCredential(r) : null;
    }, ct);

    private static NpgsqlCommand Bind(NpgsqlCommand cmd, Credential credential) => cmd
        .Text(credential.ClientId).Uuid(credential.OrgId).Arg(credential.SecretHash).Time(credential.CreatedAt)
        .Time(credential.RevokedAt).Text(credential.Name);
}
