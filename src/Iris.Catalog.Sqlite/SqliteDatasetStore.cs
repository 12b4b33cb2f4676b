using Iris.Models;
using Microsoft.Data.Sqlite;

namespace Iris.Catalog.Sqlite;

internal sealed class SqliteDatasetStore(SqliteCatalog db) : IDatasetStore
{
    public async Task<Dataset?> TryCreateAsync(Dataset dataset, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var cmd = connection.Command(null, """
            INSERT INTO datasets (id, org_id, name, description, created_by, created_at, updated_by, updated_at, completed_count,
                encoder_name, status, settings)
            VALUES (@id, @org, @name, @description, @createdBy, @createdAt, @updatedBy, @updatedAt, 0, @encoder, @status, @settings)
            ON CONFLICT (org_id, name) DO NOTHING
            """);
        int inserted = cmd
            .With("@id", dataset.Id)
            .With("@org", dataset.OrgId)
            .With("@name", dataset.Name)
            .With("@description", dataset.Description)
            .With("@createdBy", dataset.CreatedBy)
            .With("@createdAt", Db.ToMicros(dataset.CreatedAt))
            .With("@updatedBy", dataset.UpdatedBy)
            .With("@updatedAt", Db.ToMicros(dataset.UpdatedAt))
            .With("@encoder", dataset.EncoderName)
            .With("@status", dataset.Status)
            .With("@settings", dataset.SettingsJson)
            .ExecuteNonQuery();
        return inserted == 0
            ? null
            : dataset with { CreatedAt = Db.Truncate(dataset.CreatedAt), UpdatedAt = Db.Truncate(dataset.UpdatedAt), ImageCount = 0 };
    }

    public async Task<Dataset?> GetAsync(Guid orgId, Guid datasetId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        return Get(connection, null, orgId, datasetId);
    }

    public async Task<(IReadOnlyList<Dataset> Items, long Total)> ListAsync(Guid orgId, int offset, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        // One read snapshot so the page and the total agree.
        using var tx = connection.BeginTransaction(deferred: true);

        long total;
        using (var count = connection.Command(tx, "SELECT COUNT(*) FROM datasets WHERE org_id = @org"))
        {
            total = (long)count.With("@org", orgId).ExecuteScalar()!;
        }

        var items = new List<Dataset>(Math.Min(limit, 1000));
        using (var page = connection.Command(tx, $"""
            SELECT {Db.DatasetColumns} FROM datasets WHERE org_id = @org
            ORDER BY created_at, id LIMIT @limit OFFSET @offset
            """))
        {
            using var r = page.With("@org", orgId).With("@limit", limit).With("@offset", offset).ExecuteReader();
            while (r.Read())
            {
                items.Add(Db.ReadDataset(r));
            }
        }

        tx.Commit();
        return (items, total);
    }

    public async Task<DatasetUpdate> UpdateAsync(Dataset dataset, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var tx = connection.BeginTransaction();
        using (var taken = connection.Command(tx, "SELECT 1 FROM datasets WHERE org_id = @org AND name = @name AND id <> @id"))
        {
            if (taken.With("@org", dataset.OrgId).With("@name", dataset.Name).With("@id", dataset.Id).ExecuteScalar() is not null)
                return new DatasetUpdate(null, NameTaken: true);
        }
        using (var update = connection.Command(tx, """
            UPDATE datasets SET name = @name, description = @description, status = @status, settings = @settings,
                encoder_name = @encoder, updated_by = @updatedBy, updated_at = @updatedAt
            WHERE id = @id AND org_id = @org
            """))
        {
            update.With("@name", dataset.Name).With("@description", dataset.Description).With("@status", dataset.Status)
                .With("@settings", dataset.SettingsJson).With("@encoder", dataset.EncoderName).With("@updatedBy", dataset.UpdatedBy)
                .With("@updatedAt", Db.ToMicros(dataset.UpdatedAt)).With("@id", dataset.Id).With("@org", dataset.OrgId);
            if (update.ExecuteNonQuery() == 0) return new DatasetUpdate(null, NameTaken: false);
        }
        var stored = Get(connection, tx, dataset.OrgId, dataset.Id);
        tx.Commit();
        return new DatasetUpdate(stored, NameTaken: false);
    }

    public async Task<DatasetDeletion?> DeleteAsync(Guid orgId, Guid datasetId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var tx = connection.BeginTransaction();

        var dataset = Get(connection, tx, orgId, datasetId);
        if (dataset is null)
        {
            return null;
        }

        var blobs = new List<string>();
        using (var select = connection.Command(tx,
            "SELECT DISTINCT blob_sha256 FROM images WHERE dataset_id = @d AND blob_sha256 IS NOT NULL"))
        {
            using var r = select.With("@d", datasetId).ExecuteReader();
            while (r.Read())
            {
                blobs.Add(r.GetString(0));
            }
        }

        var previews = new List<string>();
        using (var select = connection.Command(tx,
            "SELECT preview_key FROM images WHERE dataset_id = @d AND preview_key IS NOT NULL"))
        {
            using var r = select.With("@d", datasetId).ExecuteReader();
            while (r.Read())
            {
                previews.Add(r.GetString(0));
            }
        }

        // Children first: the foreign keys have no cascade on purpose (deletes stay explicit).
        using (var delete = connection.Command(tx, """
            DELETE FROM ingest_job_assets WHERE job_id IN (SELECT id FROM ingest_jobs WHERE dataset_id = @d);
            DELETE FROM ingest_jobs WHERE dataset_id = @d;
            DELETE FROM image_events WHERE image_id IN (SELECT id FROM images WHERE dataset_id = @d);
            DELETE FROM ingestion_jobs WHERE image_id IN (SELECT id FROM images WHERE dataset_id = @d);
            DELETE FROM image_embeddings WHERE dataset_id = @d;
            DELETE FROM images WHERE dataset_id = @d;
            DELETE FROM datasets WHERE id = @d;
            """))
        {
            delete.With("@d", datasetId).ExecuteNonQuery();
        }

        tx.Commit();
        return new DatasetDeletion(dataset, blobs, previews);
    }

    private static Dataset? Get(SqliteConnection connection, SqliteTransaction? tx, Guid orgId, Guid datasetId)
    {
        using var cmd = connection.Command(tx, $"SELECT {Db.DatasetColumns} FROM datasets WHERE id = @id AND org_id = @org");
        using var r = cmd.With("@id", datasetId).With("@org", orgId).ExecuteReader();
        return r.Read() ? Db.ReadDataset(r) : null;
    }
}
