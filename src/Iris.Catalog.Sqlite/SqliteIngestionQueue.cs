using Iris.Models;
using Microsoft.Data.Sqlite;

namespace Iris.Catalog.Sqlite;

internal sealed class SqliteIngestionQueue(SqliteCatalog db) : IIngestionQueue
{
    /// <summary>
    /// The claim's pick: oldest first by scanning the queue in seq order, so only the few leased jobs at its head are
    /// skipped. CROSS JOIN keeps the queue the outer loop: with a plain JOIN the planner scanned every image and sorted
    /// (a claim cost O(images in the catalog), not O(leased jobs)). Its plan is checked by a test.
    /// </summary>
    internal const string PickSql = """
        SELECT j.seq, j.image_id, j.attempts, i.org_id, i.dataset_id, i.path, i.blob_sha256, d.encoder_name
        FROM ingestion_jobs j CROSS JOIN images i ON i.id = j.image_id CROSS JOIN datasets d ON d.id = i.dataset_id
        WHERE j.lease_expires_at IS NULL OR j.lease_expires_at <= @now
        ORDER BY j.seq LIMIT @max
        """;

    public async Task<IReadOnlyList<IngestionJob>> ClaimAsync(
        string workerId, int max, TimeSpan lease, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        if (max <= 0)
        {
            return [];
        }

        long nowUs = Db.ToMicros(now);
        long expiresUs = Db.ToMicros(now + lease);
        var expiresAt = Db.FromMicros(expiresUs);

        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        // Pick and lease under one write lock: two claimers can never lease the same job.
        using var tx = connection.BeginTransaction();

        var jobs = new List<IngestionJob>(max);
        using (var pick = connection.Command(tx, PickSql))
        using (var leaseJob = connection.Command(tx,
            "UPDATE ingestion_jobs SET lease_owner = @worker, lease_expires_at = @expires, attempts = attempts + 1 WHERE seq = @seq"))
        using (var startImage = connection.Command(tx, $"""
            UPDATE images SET status = '{ImageStatus.ProcessingStarted}' WHERE id = @id;
            UPDATE ingest_jobs SET status = '{IngestJobStatus.InProgress}', started_at = @now, updated_at = @now
            WHERE status = '{IngestJobStatus.Pending}'
              AND id IN (SELECT job_id FROM ingest_job_assets WHERE image_id = @id AND outcome IS NULL);
            """))
        {
            startImage.With("@now", nowUs);
            var picked = new List<(long Seq, IngestionJob Job)>(max);
            using (var r = pick.With("@now", nowUs).With("@max", max).ExecuteReader())
            {
                while (r.Read())
                {
                    picked.Add((r.GetInt64(0), new IngestionJob(
                        ImageId: r.GetGuid(1),
                        OrgId: r.GetGuid(3),
                        DatasetId: r.GetGuid(4),
                        Path: r.GetString(5),
                        BlobSha256: r.NullableString(6),
                        Attempt: checked((int)r.GetInt64(2) + 1),
                        LeaseExpiresAt: expiresAt,
                        EncoderName: r.GetString(7))));
                }
            }

            leaseJob.With("@worker", workerId).With("@expires", expiresUs);
            var seq = leaseJob.Param("@seq", SqliteType.Integer);
            var image = startImage.Param("@id", SqliteType.Blob);
            foreach (var (s, job) in picked)
            {
                seq.Value = s;
                leaseJob.ExecuteNonQuery();
                image.Value = job.ImageId;
                startImage.ExecuteNonQuery();
                jobs.Add(job);
            }
        }

        tx.Commit();
        return jobs;
    }

    public async Task<bool> RenewAsync(IngestionJob job, string workerId, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var cmd = connection.Command(null, """
            UPDATE ingestion_jobs SET lease_expires_at = @expires
            WHERE image_id = @id AND lease_owner = @worker AND attempts = @attempt
            """);
        return cmd.With("@expires", Db.ToMicros(expiresAt)).With("@id", job.ImageId).With("@worker", workerId)
            .With("@attempt", job.Attempt).ExecuteNonQuery() == 1;
    }

    public async Task<bool> ReleaseAsync(IngestionJob job, string workerId, DateTimeOffset notBefore, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var tx = connection.BeginTransaction();
        // No owner, and an expiry that is the earliest next claim: the claim's own test then covers the wait.
        using (var release = connection.Command(tx, """
            UPDATE ingestion_jobs SET lease_owner = NULL, lease_expires_at = @notBefore, attempts = attempts - 1
            WHERE image_id = @id AND lease_owner = @worker AND attempts = @attempt
            """))
        {
            if (release.With("@notBefore", Db.ToMicros(notBefore)).With("@id", job.ImageId).With("@worker", workerId)
                    .With("@attempt", job.Attempt).ExecuteNonQuery() == 0)
            {
                return false;
            }
        }

        using (var image = connection.Command(tx, $"UPDATE images SET status = '{ImageStatus.Pending}' WHERE id = @id"))
        {
            image.With("@id", job.ImageId).ExecuteNonQuery();
        }

        tx.Commit();
        db.Signal.Notify();
        return true;
    }

    public async Task<bool> CompleteAsync(IngestionJob job, string workerId, IngestionOutcome outcome, DateTimeOffset now, CancellationToken ct = default)
    {
        if (outcome.ImageId != job.ImageId)
        {
            throw new ArgumentException("The outcome is for another image than the job.", nameof(outcome));
        }

        if (!ImageStatus.IsTerminal(outcome.Status))
        {
            throw new ArgumentException($"An outcome ends in completed or error, not '{outcome.Status}'.", nameof(outcome));
        }

        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var tx = connection.BeginTransaction();

        Guid datasetId;
        string status;
        using (var held = connection.Command(tx, """
            SELECT i.dataset_id, i.status
            FROM ingestion_jobs j JOIN images i ON i.id = j.image_id
            WHERE j.image_id = @id AND j.lease_owner = @worker AND j.attempts = @attempt
            """))
        {
            using var r = held.With("@id", job.ImageId).With("@worker", workerId).With("@attempt", job.Attempt).ExecuteReader();
            if (!r.Read())
            {
                return false; // re-claimed by someone else, or the dataset is gone
            }

            datasetId = r.GetGuid(0);
            status = r.GetString(1);
        }

        using (var finisher = new Finisher(connection, tx, Db.ToMicros(now)))
        {
            finisher.Finish(job.ImageId, datasetId, status, outcome.Status, outcome.TechnicalMetadataJson,
                outcome.ErrorCode, outcome.ErrorReason, outcome.Events, outcome.Sha256, outcome.PerceptualHash, outcome.PreviewKey);
        }

        if (outcome.Status == ImageStatus.Completed && outcome.Embedding is { } embedding)
        {
            SqliteEmbeddingStore.Write(connection, tx, job.ImageId, datasetId, embedding.Model,
                Iris.Embeddings.EmbeddingVectors.ToBytes(embedding.Vector), Db.ToMicros(now));
        }
        else
        {
            // A re-ingested image that no longer completes (or completes without one) keeps no stale embedding.
            using var stale = connection.Command(tx, "DELETE FROM image_embeddings WHERE image_id = @id");
            stale.With("@id", job.ImageId).ExecuteNonQuery();
        }

        tx.Commit();
        return true;
    }

    public async Task<long> CountAsync(CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var cmd = connection.Command(null, "SELECT COUNT(*) FROM ingestion_jobs");
        return (long)cmd.ExecuteScalar()!;
    }

    public async Task<long> CountWaitingAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var cmd = connection.Command(null, "SELECT COUNT(*) FROM ingestion_jobs WHERE lease_expires_at IS NULL OR lease_expires_at <= @now");
        return (long)cmd.With("@now", Db.ToMicros(now)).ExecuteScalar()!;
    }

    public Task WaitForJobsAsync(TimeSpan timeout, CancellationToken ct = default) => db.Signal.WaitAsync(timeout, ct);

    /// <summary>Ends an image's ingestion: final status, its events, the dataset's completed count, and the job removed.</summary>
    private sealed class Finisher : IDisposable
    {
        private readonly SqliteCommand _image, _event, _count, _deleteJob, _jobs;
        private readonly SqliteParameter _jobsImage, _jobsStatus;
        private readonly SqliteParameter _imageId, _status, _tech, _errorCode, _errorReason, _eventType, _eventAt, _eventDetail;
        private readonly SqliteParameter _sha256, _phash, _previewKey;
        private readonly SqliteParameter _eventImage, _type, _at, _detail, _dataset, _delta, _jobImage;

        public Finisher(SqliteConnection connection, SqliteTransaction tx, long nowUs)
        {
            // With no new event the denormalized latest event stays as it was. phash and preview_key are only
            // ever set on completed images (the near-duplicate index relies on it).
            _image = connection.Command(tx, """
                UPDATE images SET status = @status, technical_metadata = @tech, error_code = @ec, error_reason = @er,
                    sha256 = @sha256,
                    phash = CASE WHEN @status = 'completed' THEN @phash END,
                    preview_key = CASE WHEN @status = 'completed' THEN @pk END,
                    updated_at = @now,
                    latest_event_type = COALESCE(@let, latest_event_type),
                    latest_event_at = CASE WHEN @let IS NULL THEN latest_event_at ELSE @lea END,
                    latest_event_detail = CASE WHEN @let IS NULL THEN latest_event_detail ELSE @led END
                WHERE id = @id
                """);
            _image.With("@now", nowUs);
            _imageId = _image.Param("@id", SqliteType.Blob);
            _status = _image.Param("@status", SqliteType.Text);
            _tech = _image.Param("@tech", SqliteType.Text);
            _errorCode = _image.Param("@ec", SqliteType.Text);
            _errorReason = _image.Param("@er", SqliteType.Text);
            _eventType = _image.Param("@let", SqliteType.Text);
            _eventAt = _image.Param("@lea", SqliteType.Integer);
            _eventDetail = _image.Param("@led", SqliteType.Text);
            _sha256 = _image.Param("@sha256", SqliteType.Text);
            _phash = _image.Param("@phash", SqliteType.Integer);
            _previewKey = _image.Param("@pk", SqliteType.Text);

            _event = connection.Command(tx, "INSERT INTO image_events (image_id, event_type, at, detail) VALUES (@id, @type, @at, @detail)");
            _eventImage = _event.Param("@id", SqliteType.Blob);
            _type = _event.Param("@type", SqliteType.Text);
            _at = _event.Param("@at", SqliteType.Integer);
            _detail = _event.Param("@detail", SqliteType.Text);

            _count = connection.Command(tx, "UPDATE datasets SET completed_count = completed_count + @delta WHERE id = @d");
            _dataset = _count.Param("@d", SqliteType.Blob);
            _delta = _count.Param("@delta", SqliteType.Integer);

            _deleteJob = connection.Command(tx, "DELETE FROM ingestion_jobs WHERE image_id = @id");
            _jobImage = _deleteJob.Param("@id", SqliteType.Blob);

            // Every job waiting for this image counts it once; a job whose last asset this was is completed.
            _jobs = connection.Command(tx, $"""
                {SqliteJobStore.CountFinishedSql($"(@status = '{ImageStatus.Completed}')", $"(@status = '{ImageStatus.Error}')")}
                UPDATE ingest_job_assets SET outcome = @status WHERE image_id = @id AND outcome IS NULL;
                """);
            _jobs.With("@now", nowUs);
            _jobsImage = _jobs.Param("@id", SqliteType.Blob);
            _jobsStatus = _jobs.Param("@status", SqliteType.Text);
        }

        public void Finish(
            Guid imageId, Guid datasetId, string oldStatus, string newStatus, string? technicalMetadataJson,
            string? errorCode, string? errorReason, IReadOnlyList<ImageEvent> events,
            string? sha256 = null, long? perceptualHash = null, string? previewKey = null)
        {
            foreach (var e in events)
            {
                _eventImage.Value = imageId;
                _type.Value = e.EventType;
                _at.Value = Db.ToMicros(e.At);
                _detail.Value = Db.OrNull(e.Detail);
                _event.ExecuteNonQuery();
            }

            var latest = events.Count > 0 ? events[^1] : null;
            _imageId.Value = imageId;
            _status.Value = newStatus;
            _tech.Value = Db.OrNull(technicalMetadataJson);
            _errorCode.Value = Db.OrNull(errorCode);
            _errorReason.Value = Db.OrNull(errorReason);
            _eventType.Value = Db.OrNull(latest?.EventType);
            _eventAt.Value = latest is null ? DBNull.Value : Db.ToMicros(latest.At);
            _eventDetail.Value = Db.OrNull(latest?.Detail);
            _sha256.Value = Db.OrNull(sha256);
            _phash.Value = Db.OrNull(perceptualHash);
            _previewKey.Value = Db.OrNull(previewKey);
            _image.ExecuteNonQuery();

            int delta = (newStatus == ImageStatus.Completed ? 1 : 0) - (oldStatus == ImageStatus.Completed ? 1 : 0);
            if (delta != 0)
            {
                _dataset.Value = datasetId;
                _delta.Value = delta;
                _count.ExecuteNonQuery();
            }

            _jobImage.Value = imageId;
            _deleteJob.ExecuteNonQuery();

            _jobsImage.Value = imageId;
            _jobsStatus.Value = newStatus;
            _jobs.ExecuteNonQuery();
        }

        public void Dispose()
        {
            _image.Dispose();
            _event.Dispose();
            _count.Dispose();
            _deleteJob.Dispose();
            _jobs.Dispose();
        }
    }
}
