using Iris.Models;
using Npgsql;

namespace Iris.Catalog.Postgres;

/// <summary>
/// The queue on PostgreSQL: claims with <c>FOR UPDATE SKIP LOCKED</c> (claimers on every node pass each other
/// instead of waiting), leases with an expiry their worker renews, wake-ups by LISTEN/NOTIFY on top of polling
/// (a lost notification only delays a claim by the poll interval; correctness never depends on it).
/// </summary>
internal sealed class PostgresIngestionQueue(PostgresCatalog db, JobListener listener) : IIngestionQueue
{
    public Task<IReadOnlyList<IngestionJob>> ClaimAsync(string workerId, int max, TimeSpan lease, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        if (max <= 0) return Task.FromResult<IReadOnlyList<IngestionJob>>([]);
        var expiresAt = CatalogTime.Truncate(now + lease);
        return db.RunQueueAsync<IReadOnlyList<IngestionJob>>(async connection =>
        {
            await using var cmd = connection.Command($"""
                WITH picked AS (
                    SELECT seq FROM ingestion_jobs
                    WHERE lease_expires_at IS NULL OR lease_expires_at <= $1
                    ORDER BY seq LIMIT $2
                    FOR UPDATE SKIP LOCKED
                ), leased AS (
                    UPDATE ingestion_jobs j SET lease_owner = $3, lease_expires_at = $4, attempts = j.attempts + 1
                    FROM picked WHERE j.seq = picked.seq
                    RETURNING j.seq, j.image_id, j.attempts
                )
                , started AS (
                    UPDATE images i SET status = '{ImageStatus.ProcessingStarted}'
                    FROM leased WHERE i.id = leased.image_id
                    RETURNING leased.seq, i.id, leased.attempts, i.org_id, i.dataset_id, i.path, i.blob_sha256
                ), jobs AS (
                    UPDATE ingest_jobs SET status = '{IngestJobStatus.InProgress}', started_at = $1, updated_at = $1
                    WHERE status = '{IngestJobStatus.Pending}' AND id IN (
                        SELECT a.job_id FROM ingest_job_assets a JOIN started s ON a.image_id = s.id WHERE a.outcome IS NULL)
                )
                SELECT s.*, d.encoder_name FROM started s JOIN datasets d ON d.id = s.dataset_id
                """);
            await using var r = await cmd.Time(now).Arg<long>(max).Text(workerId).Time(expiresAt).ExecuteReaderAsync(ct);
            var jobs = new List<(long Seq, IngestionJob Job)>(max);
            while (await r.ReadAsync(ct))
            {
                jobs.Add((r.GetInt64(0), new IngestionJob(
                    ImageId: r.GetGuid(1),
                    OrgId: r.GetGuid(3),
                    DatasetId: r.GetGuid(4),
                    Path: r.GetString(5),
                    BlobSha256: r.NullableString(6),
                    Attempt: r.GetInt32(2),
                    LeaseExpiresAt: expiresAt,
                    EncoderName: r.GetString(7))));
            }
            jobs.Sort((a, b) => a.Seq.CompareTo(b.Seq)); // oldest first, as the queue hands them out
            return jobs.Select(j => j.Job).ToList();
        }, ct);
    }

    public Task<bool> RenewAsync(IngestionJob job, string workerId, DateTimeOffset expiresAt, CancellationToken ct = default) => db.RunQueueAsync(async connection =>
    {
        await using var cmd = connection.Command(
            "UPDATE ingestion_jobs SET lease_expires_at = $1 WHERE image_id = $2 AND lease_owner = $3 AND attempts = $4");
        return await cmd.Time(expiresAt).Uuid(job.ImageId).Text(workerId).Arg(job.Attempt).ExecuteNonQueryAsync(ct) == 1;
    }, ct);

    public Task<bool> ReleaseAsync(IngestionJob job, string workerId, DateTimeOffset notBefore, CancellationToken ct = default) => db.RunQueueAsync(async connection =>
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        // No owner, and an expiry that is the earliest next claim: the claim's own test then covers the wait.
        await using (var release = connection.Command("""
            UPDATE ingestion_jobs SET lease_owner = NULL, lease_expires_at = $1, attempts = attempts - 1
            WHERE image_id = $2 AND lease_owner = $3 AND attempts = $4
            """, tx))
        {
            if (await release.Time(notBefore).Uuid(job.ImageId).Text(workerId).Arg(job.Attempt).ExecuteNonQueryAsync(ct) == 0) return false;
        }
        await using (var image = new NpgsqlBatch(connection, tx))
        {
            image.BatchCommands.Add(PgRows.BatchCommand($"UPDATE images SET status = '{ImageStatus.Pending}' WHERE id = $1", PgRows.UuidParam(job.ImageId)));
            image.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT pg_notify('{PostgresCatalog.JobsChannel}', '')"));
            await image.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        db.Signal.Notify();
        return true;
    }, ct);

    public Task<bool> CompleteAsync(IngestionJob job, string workerId, IngestionOutcome outcome, DateTimeOffset now, CancellationToken ct = default)
    {
        if (outcome.ImageId != job.ImageId) throw new ArgumentException("The outcome is for another image than the job.", nameof(outcome));
        if (!ImageStatus.IsTerminal(outcome.Status)) throw new ArgumentException($"An outcome ends in completed or error, not '{outcome.Status}'.", nameof(outcome));
        return db.RunQueueAsync(async connection =>
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            Guid datasetId;
            string status;
            await using (var held = connection.Command("""
                SELECT i.dataset_id, i.status
                FROM ingestion_jobs j JOIN images i ON i.id = j.image_id
                WHERE j.image_id = $1 AND j.lease_owner = $2 AND j.attempts = $3
                FOR UPDATE OF j, i
                """, tx))
            {
                await using var r = await held.Uuid(job.ImageId).Text(workerId).Arg(job.Attempt).ExecuteReaderAsync(ct);
                if (!await r.ReadAsync(ct)) return false; // re-claimed by someone else, or the dataset is gone
                datasetId = r.GetGuid(0);
                status = r.GetString(1);
            }

            var completed = outcome.Status == ImageStatus.Completed;
            await using var batch = new NpgsqlBatch(connection, tx);
            foreach (var e in outcome.Events)
            {
                batch.BatchCommands.Add(PgRows.BatchCommand("INSERT INTO image_events (image_id, event_type, at, detail) VALUES ($1, $2, $3, $4)",
                    PgRows.UuidParam(job.ImageId), PgRows.TextParam(e.EventType), PgRows.TimeParam(e.At), PgRows.TextParam(e.Detail)));
            }
            // With no new event the denormalized latest event stays as it was. phash and preview_key are only ever
            // set on completed images (the near-duplicate index relies on it).
            var latest = outcome.Events.Count > 0 ? outcome.Events[^1] : null;
            batch.BatchCommands.Add(PgRows.BatchCommand("""
                UPDATE images SET status = $2, technical_metadata = $3, error_code = $4, error_reason = $5, sha256 = $6,
                    phash = $7, preview_key = $8, updated_at = $9,
                    latest_event_type = COALESCE($10, latest_event_type),
                    latest_event_at = CASE WHEN $10 IS NULL THEN latest_event_at ELSE $11 END,
                    latest_event_detail = CASE WHEN $10 IS NULL THEN latest_event_detail ELSE $12 END
                WHERE id = $1
                """,
                PgRows.UuidParam(job.ImageId), PgRows.TextParam(outcome.Status), PgRows.TextParam(outcome.TechnicalMetadataJson),
                PgRows.TextParam(outcome.ErrorCode), PgRows.TextParam(outcome.ErrorReason), PgRows.TextParam(outcome.Sha256),
                new NpgsqlParameter { Value = completed && outcome.PerceptualHash is { } hash ? hash : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint },
                PgRows.TextParam(completed ? outcome.PreviewKey : null), PgRows.TimeParam(now),
                PgRows.TextParam(latest?.EventType), PgRows.TimeParam(latest?.At), PgRows.TextParam(latest?.Detail)));
            var delta = (completed ? 1 : 0) - (status == ImageStatus.Completed ? 1 : 0);
            if (delta != 0)
            {
                batch.BatchCommands.Add(PgRows.BatchCommand("UPDATE datasets SET completed_count = completed_count + $2 WHERE id = $1",
                    PgRows.UuidParam(datasetId), new NpgsqlParameter<long> { TypedValue = delta }));
            }
            batch.BatchCommands.Add(PgRows.BatchCommand("DELETE FROM ingestion_jobs WHERE image_id = $1", PgRows.UuidParam(job.ImageId)));
            batch.BatchCommands.Add(completed && outcome.Embedding is { } embedding
                ? PgRows.BatchCommand(PostgresEmbeddingStore.UpsertSql, PostgresEmbeddingStore.UpsertParams(
                    job.ImageId, datasetId, embedding.Model, Iris.Embeddings.EmbeddingVectors.ToBytes(embedding.Vector), now))
                // A re-ingested image that no longer completes (or completes without one) keeps no stale embedding.
                : PgRows.BatchCommand("DELETE FROM image_embeddings WHERE image_id = $1", PgRows.UuidParam(job.ImageId)));
            // Every job waiting for this image counts it once; a job whose last asset this was is completed.
            batch.BatchCommands.Add(PgRows.BatchCommand($"""
                WITH open AS (
                    UPDATE ingest_job_assets SET outcome = $2 WHERE image_id = $1 AND outcome IS NULL RETURNING job_id
                )
                UPDATE ingest_jobs j SET
                    {PostgresJobStore.CountFinishedSet($"($2 = '{ImageStatus.Completed}')::int", $"($2 = '{ImageStatus.Error}')::int", "$3")}
                FROM (SELECT DISTINCT job_id FROM open) o WHERE j.id = o.job_id
                """, PgRows.UuidParam(job.ImageId), PgRows.TextParam(outcome.Status), PgRows.TimeParam(now)));
            await batch.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
            return true;
        }, ct);
    }

    public Task<long> CountAsync(CancellationToken ct = default) => db.ReadAsync(async connection =>
    {
        await using var cmd = connection.Command("SELECT COUNT(*) FROM ingestion_jobs");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }, ct);

    public Task<long> CountWaitingAsync(DateTimeOffset now, CancellationToken ct = default) => db.ReadAsync(async connection =>
    {
        await using var cmd = connection.Command("SELECT COUNT(*) FROM ingestion_jobs WHERE lease_expires_at IS NULL OR lease_expires_at <= $1");
        return (long)(await cmd.Time(now).ExecuteScalarAsync(ct))!;
    }, ct);

    public Task WaitForJobsAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        listener.EnsureStarted();
        return db.Signal.WaitAsync(timeout, ct);
    }
}
