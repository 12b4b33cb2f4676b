using Iris.Models;
using Microsoft.Data.Sqlite;

namespace Iris.Catalog.Sqlite;

internal sealed class SqliteJobStore(SqliteCatalog db) : IIngestJobStore
{
    /// <summary>
    /// The statement by which every job still waiting for image @id counts it once (as processed and/or errored by
    /// the 0/1 SQL expressions given) at @now; a job whose last asset this was is completed.
    /// </summary>
    internal static string CountFinishedSql(string processed, string errored) => $"""
        UPDATE ingest_jobs SET
            processed_assets = processed_assets + {processed},
            errored_assets = errored_assets + {errored},
            status = CASE WHEN processed_assets + errored_assets + 1 >= total_assets
                THEN '{IngestJobStatus.Completed}' ELSE '{IngestJobStatus.InProgress}' END,
            started_at = COALESCE(started_at, @now),
            finished_at = CASE WHEN processed_assets + errored_assets + 1 >= total_assets THEN @now ELSE finished_at END,
            updated_at = @now
        WHERE id IN (SELECT job_id FROM ingest_job_assets WHERE image_id = @id AND outcome IS NULL);
        """;

    /// <summary>Inserts the job and its assets, in order, inside the caller's transaction.</summary>
    internal static void Insert(SqliteConnection connection, SqliteTransaction tx, IngestJob job, IReadOnlyList<ImageRecord> assets)
    {
        using (var insert = connection.Command(tx, $"INSERT INTO ingest_jobs ({Db.JobColumns}) VALUES ({Db.JobValues})"))
        {
            insert.WithJob(job).ExecuteNonQuery();
        }
        if (assets.Count == 0) return;
        using var link = connection.Command(tx,
            "INSERT INTO ingest_job_assets (job_id, image_id, position, outcome) VALUES (@job, @image, @position, @outcome)");
        link.With("@job", job.Id);
        var image = link.Param("@image", SqliteType.Blob);
        var position = link.Param("@position", SqliteType.Integer);
        var outcome = link.Param("@outcome", SqliteType.Text);
        link.Prepare();
        for (var i = 0; i < assets.Count; i++)
        {
            image.Value = assets[i].Id;
            position.Value = i;
            outcome.Value = Db.OrNull(IngestJobs.Outcome(assets[i]));
            link.ExecuteNonQuery();
        }
    }

    public async Task CreateAsync(IngestJob job, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var tx = connection.BeginTransaction();
        Insert(connection, tx, CatalogTime.Truncate(job), []);
        tx.Commit();
    }

    public async Task<IngestJob?> GetAsync(Guid orgId, Guid jobId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        return Get(connection, null, orgId, jobId);
    }

    public async Task<(IReadOnlyList<IngestJob> Items, long Total)> ListAsync(
        Guid orgId, Guid? datasetId, string? status, int offset, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var tx = connection.BeginTransaction(deferred: true); // one snapshot: the page and the total agree
        const string where = "org_id = @org AND (@d IS NULL OR dataset_id = @d) AND (@s IS NULL OR status = @s)";
        long total;
        using (var count = connection.Command(tx, $"SELECT COUNT(*) FROM ingest_jobs WHERE {where}"))
        {
            total = (long)count.With("@org", orgId).With("@d", datasetId).With("@s", status).ExecuteScalar()!;
        }
        var items = new List<IngestJob>(Math.Min(limit, 1000));
        using (var page = connection.Command(tx,
            $"SELECT {Db.JobColumns} FROM ingest_jobs WHERE {where} ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset"))
        {
            using var r = page.With("@org", orgId).With("@d", datasetId).With("@s", status)
                .With("@limit", limit).With("@offset", offset).ExecuteReader();
            while (r.Read()) items.Add(Db.ReadJob(r));
        }
        tx.Commit();
        return (items, total);
    }

    public async Task<ImagePage?> ListImagesAsync(Guid orgId, Guid jobId, int offset, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var tx = connection.BeginTransaction(deferred: true);
        if (Get(connection, tx, orgId, jobId) is null) return null;
        long total;
        using (var count = connection.Command(tx, "SELECT COUNT(*) FROM ingest_job_assets WHERE job_id = @job"))
        {
            total = (long)count.With("@job", jobId).ExecuteScalar()!;
        }
        var qualified = string.Join(", ", Db.ImageColumns.Split(", ").Select(c => "i." + c));
        var items = new List<ImageRecord>(Math.Min(limit, 1000));
        using (var page = connection.Command(tx, $"""
            SELECT {qualified} FROM ingest_job_assets a JOIN images i ON i.id = a.image_id
            WHERE a.job_id = @job ORDER BY a.position LIMIT @limit OFFSET @offset
            """))
        {
            using var r = page.With("@job", jobId).With("@limit", limit).With("@offset", offset).ExecuteReader();
            while (r.Read()) items.Add(Db.ReadImage(r));
        }
        tx.Commit();
        return new ImagePage(items, total);
    }

    public async Task<bool> AdvanceAsync(Guid orgId, Guid jobId, long processed, long errored, bool finished, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var cmd = connection.Command(null, $"""
            UPDATE ingest_jobs SET
                processed_assets = processed_assets + @p,
                errored_assets = errored_assets + @e,
                total_assets = CASE WHEN @finished THEN processed_assets + errored_assets + @p + @e ELSE total_assets END,
                status = CASE WHEN @finished THEN '{IngestJobStatus.Completed}' ELSE '{IngestJobStatus.InProgress}' END,
                started_at = COALESCE(started_at, @now),
                finished_at = CASE WHEN @finished THEN @now ELSE finished_at END,
                updated_at = @now
            WHERE id = @id AND org_id = @org AND status IN ('{IngestJobStatus.Pending}', '{IngestJobStatus.InProgress}')
            """);
        return cmd.With("@p", processed).With("@e", errored).With("@finished", finished).With("@now", Db.ToMicros(now))
            .With("@id", jobId).With("@org", orgId).ExecuteNonQuery() == 1;
    }

    public async Task<IReadOnlyList<IngestJob>> ListOpenAsync(string jobType, int limit, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var cmd = connection.Command(null, $"""
            SELECT {Db.JobColumns} FROM ingest_jobs
            WHERE job_type = @type AND status IN ('{IngestJobStatus.Pending}', '{IngestJobStatus.InProgress}')
            ORDER BY created_at, id LIMIT @limit
            """);
        using var r = cmd.With("@type", jobType).With("@limit", limit).ExecuteReader();
        var jobs = new List<IngestJob>();
        while (r.Read()) jobs.Add(Db.ReadJob(r));
        return jobs;
    }

    private static IngestJob? Get(SqliteConnection connection, SqliteTransaction? tx, Guid orgId, Guid jobId)
    {
        using var cmd = connection.Command(tx, $"SELECT {Db.JobColumns} FROM ingest_jobs WHERE id = @id AND org_id = @org");
        using var r = cmd.With("@id", jobId).With("@org", orgId).ExecuteReader();
        return r.Read() ? Db.ReadJob(r) : null;
    }
}
