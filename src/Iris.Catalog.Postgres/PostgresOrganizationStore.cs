using Iris.Models;

namespace Iris.Catalog.Postgres;

internal sealed class PostgresOrganizationStore(PostgresCatalog db) : IOrganizationStore
{
    public Task<Organization> GetOrCreateAsync(string name, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return db.RunAsync(async connection =>
        {
            // The insert loses quietly to one made meanwhile; the select then reads whichever exists.
            await using (var insert = connection.Command(
                "INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING"))
            {
                await insert.Uuid(Guid.CreateVersion7(now)).Text(name).Time(now).ExecuteNonQueryAsync(ct);
            }
            await using var select = connection.Command("SELECT id, name, created_at FROM organizations WHERE name = $1");
            await using var r = await select.Text(name).ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            return new Organization(r.GetGuid(0), r.GetString(1), r.Time(2));
        }, ct);
    }
}
