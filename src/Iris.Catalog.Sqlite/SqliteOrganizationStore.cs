using Iris.Models;

namespace Iris.Catalog.Sqlite;

// Microsoft.Data.Sqlite's async methods complete synchronously, so the stores await only the
// connection open and use the synchronous calls inside (no Task per statement).

internal sealed class SqliteOrganizationStore(SqliteCatalog db) : IOrganizationStore
{
    public async Task<Organization> GetOrCreateAsync(string name, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var tx = connection.BeginTransaction();

        using (var insert = connection.Command(tx,
            "INSERT INTO organizations (id, name, created_at) VALUES (@id, @name, @at) ON CONFLICT (name) DO NOTHING"))
        {
            insert.With("@id", Guid.CreateVersion7(now)).With("@name", name).With("@at", Db.ToMicros(now)).ExecuteNonQuery();
        }

        Organization organization;
        using (var select = connection.Command(tx, "SELECT id, name, created_at FROM organizations WHERE name = @name"))
        {
            using var r = select.With("@name", name).ExecuteReader();
            r.Read();
            organization = new Organization(r.GetGuid(0), r.GetString(1), r.Time(2));
        }

        tx.Commit();
        return organization;
    }
}
