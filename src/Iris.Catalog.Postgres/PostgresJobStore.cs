using System.Data;
using Iris.Models;
using Npgsql;
using NpgsqlTypes;

namespace Iris.Catalog.Postgres;

internal sealed class PostgresJobStore(PostgresCatalog db) : IIngestJobStore
{
    /// <summary>
    /// The SET clause by which a job <c>j</c> counts finished images: <paramref name="processed"/> and
    /// <paramref name="errored"/> more (SQL expressions) at <paramref name="now"/>; the job whose counts reach its total
    /// is completed.
    /// </summary>
    internal static string CountFinishedSet(string processed, string errored, string now) => $"""
        processed_assets = j.processed_assets + {processed},
        errored_assets = j.errored_assets + {errored},
        status = CASE WHEN j.processed_assets + j.errored_assets + {processed} + {errored} >= j.total_assets
            THEN '{IngestJobStatus.Completed}' ELSE '{IngestJobStatus.InProgress}' END,
        started_at = COALESCE(j.started_at, {now}),
        finished_at = CASE WHEN j.processed_assets + j.errored_assets + {processed} + {errored} >= j.total_assets THEN {now} ELSE j.finished_at END,
        updated_at = {now}
        """;

    /// <summary>Adds the statements that insert the job and its assets, in order, to the caller's batch.</summary>
    internal static void AddInserts(NpgsqlBatch batch, IngestJob job, IReadOnlyList<ImageRecord> assets)
    {
        batch.BatchCommands.Add(PgRows.BatchCommand(
            $"INSERT INTO ingest_jobs ({PgRows.JobColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
            PgRows.JobParams(job)));
        if (assets.Count == 0) return;
        // One statement for every asset: ids and outcomes as arrays, the position from their order.
        batch.BatchCommands.Add(PgRows.BatchCommand("""
            INSERT INTO ingest_job_assets (job_id, image_id, position, outcome)
            SELECT $1, u.id, u.ord - 1, u.outcome FROM unnest($2::uuid[], $3::text[]) WITH ORDINALITY AS u(id, outcome, ord)
            """,
            PgRows.UuidParam(job.Id),
            new NpgsqlParameter<Guid[]> { TypedValue = assets.Select(a => a.Id).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid },
            new NpgsqlParameter<string?[]> { TypedValue = assets.Select(IngestJobs.Outcome).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text }));
    }

    public Task CreateAsync(IngestJob job, CancellationToken ct = default) => db.RunAsync(async connection =>
    {
        await using var batch = new NpgsqlBatch(connection);
        AddInserts(batch, CatalogTime.Truncate(job), []);
        await batch.ExecuteNonQueryAsync(ct);
        return true;
    }, ct);

    public Task<bool> AdvanceAsync(Guid orgId, Guid jobId, long processed, long errored, bool finished, DateTimeOffset now, CancellationToken ct = default) =>
        db.RunAsync(async connection =>
        {
            await using var cmd = connection.Command($"""
                UPDATE ingest_jobs SET
                    processed_assets = processed_assets + $1,
                    errored_assets = errored_assets + $2,
                    total_assets = CASE WHEN $3 THEN processed_assets + errored_assets + $1 + $2 ELSE total_assets END,
                    status = CASE WHEN $3 THEN '{IngestJobStatus.Completed}' ELSE '{IngestJobStatus.InProgress}' END,
                    started_at = COALESCE(started_at, $4),
                    finished_at = CASE WHEN $3 THEN $4 ELSE finished_at END,
                    updated_at = $4
                WHERE id = $5 AND org_id = $6 AND status IN ('{IngestJobStatus.Pending}', '{IngestJobStatus.InProgress}')
                """);
            return await cmd.Arg(processed).Arg(errored).Arg(finished).Time(now).Uuid(jobId).Uuid(orgId).ExecuteNonQueryAsync(ct) == 1;
        }, ct);

    public Task<IReadOnlyList<IngestJob>> ListOpenAsync(string jobType, int limit, CancellationToken ct = default) =>
        db.ReadAsync<IReadOnlyList<IngestJob>>(async connection =>
        {
            await using var cmd = connection.Command($"""
                SELECT {PgRows.JobColumns} FROM ingest_jobs
                WHERE job_type = $1 AND status IN ('{IngestJobStatus.Pending}', '{IngestJobStatus.InProgress}')
                ORDER BY created_at, id LIMIT $2
                """);
            await using var r = await cmd.Text(jobType).Arg(limit).ExecuteReaderAsync(ct);
            var jobs = new List<IngestJob>();
            while (await r.ReadAsync(ct)) jobs.Add(PgRows.ReadJob(r));
            return jobs;
        }, ct);

    public Task<IngestJob?> GetAsync(Guid orgId, Guid jobId, CancellationToken ct = default) =>
        db.ReadAsync(connection => GetAsync(connection, null, orgId, jobId, ct), ct);

    public Task<(IReadOnlyList<IngestJob> Items, long Total)> ListAsync(
        Guid orgId, Guid? datasetId, string? status, int offset, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return db.RunAsync<(IReadOnlyList<IngestJob>, long)>(async connection =>
        {
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct); // the page and the total agree
            const string where = "org_id = $1 AND ($2::uuid IS NULL OR dataset_id = $2) AND ($3::text IS NULL OR status = $3)";
            long total;
            await using (var count = connection.Command($"SELECT COUNT(*) FROM ingest_jobs WHERE {where}", tx))
            {
                total = (long)(await count.Uuid(orgId).Uuid(datasetId).Text(status).ExecuteScalarAsync(ct))!;
            }
            var items = new List<IngestJob>(Math.Min(limit, 1000));
            await using (var page = connection.Command(
                $"SELECT {PgRows.JobColumns} FROM ingest_jobs WHERE {where} ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5", tx))
            {
                await using var r = await page.Uuid(orgId).Uuid(datasetId).Text(status).Arg<long>(limit).Arg<long>(offset).ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct)) items.Add(PgRows.ReadJob(r));
            }
            await tx.CommitAsync(ct);
            return (items, total);
        }, ct);
    }

    public Task<ImagePage?> ListImagesAsync(Guid orgId, Guid jobId, int offset, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return db.RunAsync<ImagePage?>(async connection =>
        {
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            if (await GetAsync(connection, tx, orgId, jobId, ct) is null) return null;
            long total;
            await using (var count = connection.Command("SELECT COUNT(*) FROM ingest_job_assets WHERE job_id = $1", tx))
            {
                total = (long)(await count.Uuid(jobId).ExecuteScalarAsync(ct))!;
            }
            var items = new List<ImageRecord>(Math.Min(limit, 1000));
            await using (var page = connection.Command($"""
                SELECT {PgRows.QualifiedImageColumns} FROM ingest_job_assets a JOIN images i ON i.id = a.image_id
                WHERE a.job_id = $1 ORDER BY a.position LIMIT $2 OFFSET $3
                """, tx))
            {
                await using var r = await page.Uuid(jobId).Arg<long>(limit).Arg<long>(offset).ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct)) items.Add(PgRows.ReadImage(r));
            }
            await tx.CommitAsync(ct);
            return new ImagePage(items, total);
        }, ct);
    }

    private static async Task<IngestJob?> GetAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, Guid orgId, Guid jobId, CancellationToken ct)
    {
        await using var cmd = connection.Command($"SELECT {PgRows.JobColumns} FROM ingest_jobs WHERE id = $1 AND org_id = $2", tx);
        await using var r = await cmd.Uuid(jobId).Uuid(orgId).ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? PgRows.ReadJob(r) : null;
    }
}
