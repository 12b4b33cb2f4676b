using System.Data;
using Iris.Models;
using Npgsql;

namespace Iris.Catalog.Postgres;

internal sealed class PostgresDatasetStore(PostgresCatalog db) : IDatasetStore
{
    public Task<Dataset?> TryCreateAsync(Dataset dataset, CancellationToken ct = default) => db.RunAsync(async connection =>
    {
        await using var cmd = connection.Command("""
            INSERT INTO datasets (id, org_id, name, description, created_by, created_at, updated_by, updated_at, completed_count,
                encoder_name, status, settings)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, $11)
            ON CONFLICT (org_id, name) DO NOTHING
            """);
        var inserted = await cmd.Uuid(dataset.Id).Uuid(dataset.OrgId).Text(dataset.Name).Text(dataset.Description)
            .Text(dataset.CreatedBy).Time(dataset.CreatedAt).Text(dataset.UpdatedBy).Time(dataset.UpdatedAt)
            .Text(dataset.EncoderName).Text(dataset.Status).Text(dataset.SettingsJson).ExecuteNonQueryAsync(ct);
        return inserted == 0
            ? null
            : dataset with { CreatedAt = CatalogTime.Truncate(dataset.CreatedAt), UpdatedAt = CatalogTime.Truncate(dataset.UpdatedAt), ImageCount = 0 };
    }, ct);

    public Task<Dataset?> GetAsync(Guid orgId, Guid datasetId, CancellationToken ct = default) =>
        db.ReadAsync(connection => GetAsync(connection, null, orgId, datasetId, lockRow: false, ct), ct);

    public Task<(IReadOnlyList<Dataset> Items, long Total)> ListAsync(Guid orgId, int offset, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return db.RunAsync<(IReadOnlyList<Dataset>, long)>(async connection =>
        {
            // One snapshot so the page and the total agree.
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            long total;
            await using (var count = connection.Command("SELECT COUNT(*) FROM datasets WHERE org_id = $1", tx))
            {
                total = (long)(await count.Uuid(orgId).ExecuteScalarAsync(ct))!;
            }
            var items = new List<Dataset>(Math.Min(limit, 1000));
            await using (var page = connection.Command($"""
                SELECT {PgRows.DatasetColumns} FROM datasets WHERE org_id = $1
                ORDER BY created_at, id LIMIT $2 OFFSET $3
                """, tx))
            {
                await using var r = await page.Uuid(orgId).Arg<long>(limit).Arg<long>(offset).ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct)) items.Add(PgRows.ReadDataset(r));
            }
            await tx.CommitAsync(ct);
            return (items, total);
        }, ct);
    }

    public Task<DatasetUpdate> UpdateAsync(Dataset dataset, CancellationToken ct = default) => db.RunAsync(async connection =>
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var update = connection.Command("""
            UPDATE datasets SET name = $3, description = $4, status = $5, settings = $6, updated_by = $7, updated_at = $8, encoder_name = $9
            WHERE id = $1 AND org_id = $2
              AND NOT EXISTS (SELECT 1 FROM datasets o WHERE o.org_id = $2 AND o.name = $3 AND o.id <> $1)
            """, tx))
        {
            int updated;
            try
            {
                updated = await update.Uuid(dataset.Id).Uuid(dataset.OrgId).Text(dataset.Name).Text(dataset.Description)
                    .Text(dataset.Status).Text(dataset.SettingsJson).Text(dataset.UpdatedBy).Time(dataset.UpdatedAt).Text(dataset.EncoderName).ExecuteNonQueryAsync(ct);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                return new DatasetUpdate(null, NameTaken: true); // renamed to the same name at the same moment
            }
            if (updated == 0)
            {
                var exists = await GetAsync(connection, tx, dataset.OrgId, dataset.Id, lockRow: false, ct) is not null;
                return new DatasetUpdate(null, NameTaken: exists);
            }
        }
        var stored = await GetAsync(connection, tx, dataset.OrgId, dataset.Id, lockRow: false, ct);
        await tx.CommitAsync(ct);
        return new DatasetUpdate(stored, NameTaken: false);
    }, ct);

    public Task<DatasetDeletion?> DeleteAsync(Guid orgId, Guid datasetId, CancellationToken ct = default) => db.RunAsync(async connection =>
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        // The row lock waits for adds in flight (they hold it shared) and keeps new ones out until the commit.
        var dataset = await GetAsync(connection, tx, orgId, datasetId, lockRow: true, ct);
        if (dataset is null) return null;

        var blobs = new List<string>();
        var previews = new List<string>();
        await using (var select = connection.Command(
            "SELECT blob_sha256, preview_key FROM images WHERE dataset_id = $1 AND (blob_sha256 IS NOT NULL OR preview_key IS NOT NULL)", tx))
        {
            await using var r = await select.Uuid(datasetId).ExecuteReaderAsync(ct);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (await r.ReadAsync(ct))
            {
                if (r.NullableString(0) is { } blob && seen.Add(blob)) blobs.Add(blob);
                if (r.NullableString(1) is { } preview) previews.Add(preview);
            }
        }

        // Children first: the foreign keys have no cascade on purpose (deletes stay explicit).
        await using var batch = new NpgsqlBatch(connection, tx);
        foreach (var sql in new[]
                 {
                     "DELETE FROM ingest_job_assets a USING ingest_jobs j WHERE a.job_id = j.id AND j.dataset_id = $1",
                     "DELETE FROM ingest_jobs WHERE dataset_id = $1",
                     "DELETE FROM image_events e USING images i WHERE e.image_id = i.id AND i.dataset_id = $1",
                     "DELETE FROM ingestion_jobs j USING images i WHERE j.image_id = i.id AND i.dataset_id = $1",
                     "DELETE FROM image_embeddings WHERE dataset_id = $1",
                     "DELETE FROM images WHERE dataset_id = $1",
                     "DELETE FROM datasets WHERE id = $1",
                 })
        {
            batch.BatchCommands.Add(PgRows.BatchCommand(sql, PgRows.UuidParam(datasetId)));
        }
        await batch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return new DatasetDeletion(dataset, blobs, previews);
    }, ct);

    /// <summary>The dataset; with <paramref name="lockRow"/> it stays locked (FOR UPDATE) until the transaction ends.</summary>
    internal static async Task<Dataset?> GetAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, Guid orgId, Guid datasetId, bool lockRow, CancellationToken ct)
    {
        await using var cmd = connection.Command(
            $"SELECT {PgRows.DatasetColumns} FROM datasets WHERE id = $1 AND org_id = $2" + (lockRow ? " FOR UPDATE" : ""), tx);
        await using var r = await cmd.Uuid(datasetId).Uuid(orgId).ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? PgRows.ReadDataset(r) : null;
    }
}
