using System.Data;
using Iris.Ingestion;
using Iris.Models;
using Npgsql;
using NpgsqlTypes;

namespace Iris.Catalog.Postgres;

internal sealed class PostgresImageStore(PostgresCatalog db) : IImageStore
{
    public Task<IReadOnlyList<ImageRecord>?> AddAsync(
        Guid orgId, Guid datasetId, IReadOnlyList<NewImage> images, ImageAdmission admit, CancellationToken ct = default,
        IngestJob? job = null) =>
        db.RunAsync<IReadOnlyList<ImageRecord>?>(async connection =>
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            // Shared: adds run side by side, a dataset deletion waits for them (and they for it).
            await using (var dataset = connection.Command("SELECT 1 FROM datasets WHERE id = $1 AND org_id = $2 FOR SHARE", tx))
            {
                if (await dataset.Uuid(datasetId).Uuid(orgId).ExecuteScalarAsync(ct) is null) return null;
            }

            var paths = images.Select(i => i.Path).ToArray();
            var existing = await LockByPathAsync(connection, tx, datasetId, paths, ct);
            var result = new ImageRecord[images.Count];
            var writes = new ImageWrite[images.Count];
            var inserts = new List<int>();
            for (var i = 0; i < images.Count; i++)
            {
                var write = admit(existing.GetValueOrDefault(images[i].Path), images[i]);
                writes[i] = write with { Record = CatalogTime.Truncate(write.Record) };
                if (!existing.ContainsKey(images[i].Path)) inserts.Add(i);
            }

            // New paths in path order (a fixed order keeps two adds from deadlocking on the unique index). A path
            // another transaction added meanwhile is not inserted: it is locked, read and admitted again as existing.
            inserts.Sort((a, b) => string.CompareOrdinal(images[a].Path, images[b].Path));
            if (inserts.Count > 0)
            {
                await using var batch = new NpgsqlBatch(connection, tx);
                foreach (var i in inserts)
                {
                    batch.BatchCommands.Add(PgRows.BatchCommand($"""
                        INSERT INTO images ({PgRows.ImageColumns})
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
                        ON CONFLICT (dataset_id, path) DO NOTHING
                        """, PgRows.ImageParams(writes[i].Record)));
                }
                await batch.ExecuteNonQueryAsync(ct);
                var lost = inserts.Where((_, k) => batch.BatchCommands[k].RecordsAffected == 0).ToList();
                if (lost.Count > 0)
                {
                    var now = await LockByPathAsync(connection, tx, datasetId, lost.Select(i => images[i].Path).ToArray(), ct);
                    foreach (var i in lost)
                    {
                        var write = admit(now[images[i].Path], images[i]);
                        writes[i] = write with { Record = CatalogTime.Truncate(write.Record) };
                        existing[images[i].Path] = now[images[i].Path];
                    }
                }
            }

            await using var changes = new NpgsqlBatch(connection, tx);
            var enqueued = false;
            for (var i = 0; i < images.Count; i++)
            {
                var (record, enqueue) = writes[i];
                if (existing.ContainsKey(images[i].Path))
                {
                    changes.BatchCommands.Add(PgRows.BatchCommand("""
                        UPDATE images SET
                            user_id = $2, metadata = $3, status = $4, error_code = $5, error_reason = $6,
                            technical_metadata = $7, blob_sha256 = $8, updated_by = $9, updated_at = $10,
                            request_id = $11, request_at = $12,
                            latest_event_type = $13, latest_event_at = $14, latest_event_detail = $15
                        WHERE id = $1
                        """, PgRows.MutableImageParams(record)));
                }
                if (enqueue)
                {
                    var received = record.LatestEvent ?? throw new ArgumentException("A queued image needs its latest event.", nameof(admit));
                    changes.BatchCommands.Add(PgRows.BatchCommand(
                        "INSERT INTO image_events (image_id, event_type, at, detail) VALUES ($1, $2, $3, $4)",
                        PgRows.UuidParam(record.Id), PgRows.TextParam(received.EventType), PgRows.TimeParam(received.At), PgRows.TextParam(received.Detail)));
                    changes.BatchCommands.Add(PgRows.BatchCommand(
                        "INSERT INTO ingestion_jobs (image_id, attempts, enqueued_at) VALUES ($1, 0, $2) ON CONFLICT (image_id) DO NOTHING",
                        PgRows.UuidParam(record.Id), PgRows.TimeParam(received.At)));
                    enqueued = true;
                }
                result[i] = record;
            }
            if (job is not null) PostgresJobStore.AddInserts(changes, IngestJobs.Counted(job, result), result);
            if (enqueued) changes.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT pg_notify('{PostgresCatalog.JobsChannel}', '')"));
            if (changes.BatchCommands.Count > 0) await changes.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
            if (enqueued) db.Signal.Notify();
            return result;
        }, ct);

    /// <summary>The dataset's images at these paths, locked until the transaction ends (in path order).</summary>
    private static async Task<Dictionary<string, ImageRecord>> LockByPathAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, Guid datasetId, string[] paths, CancellationToken ct)
    {
        var found = new Dictionary<string, ImageRecord>(paths.Length, StringComparer.Ordinal);
        await using var cmd = connection.Command(
            $"SELECT {PgRows.ImageColumns} FROM images WHERE dataset_id = $1 AND path = ANY($2) ORDER BY path FOR UPDATE", tx);
        cmd.Uuid(datasetId).Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = paths, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var image = PgRows.ReadImage(r);
            found[image.Path] = image;
        }
        return found;
    }

    public Task<ImageRecord?> GetAsync(Guid orgId, Guid imageId, CancellationToken ct = default) => db.ReadAsync(async connection =>
    {
        await using var cmd = connection.Command($"SELECT {PgRows.ImageColumns} FROM images WHERE id = $1 AND org_id = $2");
        await using var r = await cmd.Arg(imageId).Arg(orgId).ExecuteReaderAsync(CommandBehavior.SingleRow, ct);
        return await r.ReadAsync(ct) ? PgRows.ReadImage(r) : null;
    }, ct);

    public Task<IReadOnlyList<ImageRecord>> GetManyAsync(Guid orgId, IReadOnlyList<Guid> imageIds, CancellationToken ct = default)
    {
        if (imageIds.Count == 0) return Task.FromResult<IReadOnlyList<ImageRecord>>([]);
        return db.ReadAsync<IReadOnlyList<ImageRecord>>(async connection =>
        {
            // One statement for the whole list, in the order asked.
            await using var cmd = connection.Command($"""
                SELECT {PgRows.QualifiedImageColumns} FROM unnest($1::uuid[]) WITH ORDINALITY AS a(id, n)
                JOIN images i ON i.id = a.id WHERE i.org_id = $2 ORDER BY a.n
                """);
            await using var r = await cmd.Arg(imageIds as Guid[] ?? [.. imageIds]).Arg(orgId).ExecuteReaderAsync(ct);
            var found = new List<ImageRecord>(imageIds.Count);
            while (await r.ReadAsync(ct)) found.Add(PgRows.ReadImage(r));
            return found;
        }, ct);
    }

    public Task<bool> WriteAsync(Guid orgId, Guid imageId, IImageRowWriter writer, CancellationToken ct = default)
    {
        var handed = 0;
        return db.ReadAsync(async connection =>
        {
            RefuseRetryAfterRows(handed);
            await using var cmd = connection.Command($"SELECT {PgImageRows.Columns} FROM images WHERE id = $1 AND org_id = $2");
            await using var r = await cmd.Arg(imageId).Arg(orgId).ExecuteReaderAsync(CommandBehavior.SingleRow, ct);
            if (!await r.ReadAsync(ct)) return false;
            using var rows = new PgImageRows();
            rows.Write(r, writer);
            handed++;
            return true;
        }, ct);
    }

    public Task<int> WriteManyAsync(Guid orgId, IReadOnlyList<Guid> imageIds, IImageRowWriter writer, CancellationToken ct = default)
    {
        if (imageIds.Count == 0) return Task.FromResult(0);
        var handed = 0;
        return db.ReadAsync(async connection =>
        {
            RefuseRetryAfterRows(handed);
            await using var cmd = connection.Command($"""
                SELECT {PgImageRows.QualifiedColumns} FROM unnest($1::uuid[]) WITH ORDINALITY AS a(id, n)
                JOIN images i ON i.id = a.id WHERE i.org_id = $2 ORDER BY a.n
                """);
            await using var r = await cmd.Arg(imageIds as Guid[] ?? [.. imageIds]).Arg(orgId).ExecuteReaderAsync(ct);
            using var rows = new PgImageRows();
            while (await r.ReadAsync(ct))
            {
                rows.Write(r, writer);
                handed++;
            }
            return handed;
        }, ct);
    }

    // A read is retried once when its connection was found dead; once rows went to the writer it cannot be repeated.
    private static void RefuseRetryAfterRows(int handed)
    {
        if (handed > 0) throw new CatalogUnavailableException("The catalog database connection was lost during a read; retry in a moment.");
    }

    public Task<ImagePage?> ListAsync(Guid orgId, Guid datasetId, ImageQuery query, int offset, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return db.RunAsync<ImagePage?>(async connection =>
        {
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct); // the page and the total agree
            if (!await DatasetExistsAsync(connection, tx, orgId, datasetId, ct)) return null;
            // $1 dataset, $2 statuses (null: any), $3 exact path, $4 path prefix (starts_with: a prefix may hold % and _).
            const string where = """
                dataset_id = $1 AND ($2::text[] IS NULL OR status = ANY($2)) AND ($3::text IS NULL OR path = $3)
                AND ($4::text IS NULL OR starts_with(path, $4))
                """;
            NpgsqlParameter[] Filters() =>
            [
                PgRows.UuidParam(datasetId),
                new NpgsqlParameter { Value = query.Statuses is { } st ? st.ToArray() : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                PgRows.TextParam(query.Path), PgRows.TextParam(query.PathPrefix),
            ];
            long total;
            await using (var count = connection.Command($"SELECT COUNT(*) FROM images WHERE {where}", tx))
            {
                count.Parameters.AddRange(Filters());
                total = (long)(await count.ExecuteScalarAsync(ct))!;
            }
            var items = new List<ImageRecord>(Math.Min(limit, 1000));
            await using (var page = connection.Command($"SELECT {PgRows.ImageColumns} FROM images WHERE {where} ORDER BY id LIMIT $5 OFFSET $6", tx))
            {
                page.Parameters.AddRange(Filters());
                await using var r = await page.Arg<long>(limit).Arg<long>(offset).ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct)) items.Add(PgRows.ReadImage(r));
            }
            await tx.CommitAsync(ct);
            return new ImagePage(items, total);
        }, ct);
    }

    public Task<IReadOnlyDictionary<string, long>?> CountByStatusAsync(Guid orgId, Guid datasetId, CancellationToken ct = default) =>
        db.RunAsync<IReadOnlyDictionary<string, long>?>(async connection =>
        {
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            if (!await DatasetExistsAsync(connection, tx, orgId, datasetId, ct)) return null;
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            await using (var cmd = connection.Command("SELECT status, COUNT(*) FROM images WHERE dataset_id = $1 GROUP BY status", tx))
            {
                await using var r = await cmd.Uuid(datasetId).ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct)) counts[r.GetString(0)] = r.GetInt64(1);
            }
            await tx.CommitAsync(ct);
            return counts;
        }, ct);

    private static async Task<bool> DatasetExistsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid orgId, Guid datasetId, CancellationToken ct)
    {
        await using var cmd = connection.Command("SELECT 1 FROM datasets WHERE id = $1 AND org_id = $2", tx);
        return await cmd.Uuid(datasetId).Uuid(orgId).ExecuteScalarAsync(ct) is not null;
    }

    public Task<IReadOnlyList<PathStatus>> GetStatusesAsync(Guid orgId, Guid datasetId, IReadOnlyList<string> paths, CancellationToken ct = default)
    {
        if (paths.Count == 0) return Task.FromResult<IReadOnlyList<PathStatus>>([]);
        return db.ReadAsync<IReadOnlyList<PathStatus>>(async connection =>
        {
            // One row per path asked, in order (LEFT JOIN): unknown paths come back as NULLs.
            await using var cmd = connection.Command("""
                SELECT i.id, i.status, i.error_code, i.error_reason, i.latest_event_type, i.latest_event_at, i.latest_event_detail
                FROM unnest($1::text[]) WITH ORDINALITY AS p(path, n)
                LEFT JOIN images i ON i.dataset_id = $2 AND i.path = p.path AND i.org_id = $3
                ORDER BY p.n
                """);
            await using var r = await cmd.Arg(paths as string[] ?? [.. paths]).Arg(datasetId).Arg(orgId).ExecuteReaderAsync(ct);
            var statuses = new List<PathStatus>(paths.Count);
            while (await r.ReadAsync(ct))
            {
                var p = paths[statuses.Count];
                statuses.Add(r.IsDBNull(0)
                    ? new PathStatus(p, ImageStatus.NotFound, null, null, null, null)
                    : new PathStatus(p, r.GetString(1), r.GetGuid(0), r.NullableString(2), r.NullableString(3), r.Event(4, 5, 6)));
            }
            return statuses;
        }, ct);
    }

    public Task<MetadataUpdateResult> UpdateMetadataAsync(
        Guid orgId, Guid datasetId, IReadOnlyList<MetadataUpdate> updates, string clientId, DateTimeOffset now, CancellationToken ct = default) =>
        db.RunAsync(async connection =>
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            const string Set = "UPDATE images SET metadata = $1, updated_by = $2, updated_at = $3";
            var updated = new List<ImageRecord>(updates.Count);
            for (var i = 0; i < updates.Count; i++)
            {
                var update = updates[i];
                await using var cmd = update switch
                {
                    { ImageId: { } id } => connection.Command($"{Set} WHERE id = $4 AND dataset_id = $5 AND org_id = $6 RETURNING {PgRows.ImageColumns}", tx)
                        .Text(update.MetadataJson).Text(clientId).Time(now).Uuid(id),
                    { Path: { } path } => connection.Command($"{Set} WHERE path = $4 AND dataset_id = $5 AND org_id = $6 RETURNING {PgRows.ImageColumns}", tx)
                        .Text(update.MetadataJson).Text(clientId).Time(now).Text(path),
                    _ => throw new ArgumentException($"Update {i} names neither an image id nor a path.", nameof(updates)),
                };
                await using var r = await cmd.Uuid(datasetId).Uuid(orgId).ExecuteReaderAsync(ct);
                if (!await r.ReadAsync(ct)) return new MetadataUpdateResult([], i); // rolled back with the transaction
                updated.Add(PgRows.ReadImage(r));
            }
            await tx.CommitAsync(ct);
            return new MetadataUpdateResult(updated, null);
        }, ct);

    public Task<ImageDeletion?> DeleteAsync(
        Guid orgId, Guid datasetId, IReadOnlyList<Guid> imageIds, IReadOnlyList<string> paths, CancellationToken ct = default) =>
        db.RunAsync<ImageDeletion?>(async connection =>
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            // KEY SHARE keeps a dataset deletion (FOR UPDATE) out until the commit, yet lets a completion that holds
            // rows waited for below update the dataset's completed count (a stronger lock would deadlock with it).
            await using (var dataset = connection.Command("SELECT 1 FROM datasets WHERE id = $1 AND org_id = $2 FOR KEY SHARE", tx))
            {
                if (await dataset.Uuid(datasetId).Uuid(orgId).ExecuteScalarAsync(ct) is null) return null;
            }

            var candidates = new List<Guid>();
            await using (var find = connection.Command(
                "SELECT id FROM images WHERE dataset_id = $1 AND org_id = $2 AND (id = ANY($3) OR path = ANY($4))", tx))
            {
                await using var r = await find.Uuid(datasetId).Uuid(orgId)
                    .Arg(imageIds as Guid[] ?? [.. imageIds]).Arg(paths as string[] ?? [.. paths]).ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct)) candidates.Add(r.GetGuid(0));
            }
            if (candidates.Count == 0)
            {
                await tx.CommitAsync(ct);
                return new ImageDeletion([], [], [], []);
            }

            // Locks in the queue's order, job before image: a claim or completion holding them is waited for (and
            // its status then read); one that comes after finds no job and records nothing.
            var ids = candidates.ToArray();
            await using (var jobs = connection.Command("SELECT image_id FROM ingestion_jobs WHERE image_id = ANY($1) ORDER BY image_id FOR UPDATE", tx))
            {
                await jobs.Arg(ids).ExecuteNonQueryAsync(ct);
            }
            var found = new List<(Guid Id, string Path, string Status, string? Blob, string? Preview)>(ids.Length);
            await using (var images = connection.Command(
                "SELECT id, path, status, blob_sha256, preview_key FROM images WHERE id = ANY($1) ORDER BY path FOR UPDATE", tx))
            {
                await using var r = await images.Arg(ids).ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct)) found.Add((r.GetGuid(0), r.GetString(1), r.GetString(2), r.NullableString(3), r.NullableString(4)));
            }

            if (found.Count > 0)
            {
                var deleted = found.Select(f => f.Id).ToArray();
                // Children first: the foreign keys have no cascade on purpose (deletes stay explicit).
                await using var batch = new NpgsqlBatch(connection, tx);
                // A job still waiting for a deleted image counts it as errored (it will never finish); its asset rows go.
                batch.BatchCommands.Add(PgRows.BatchCommand($"""
                    WITH open AS (
                        SELECT job_id, count(*) AS n FROM ingest_job_assets WHERE image_id = ANY($1) AND outcome IS NULL GROUP BY job_id
                    )
                    UPDATE ingest_jobs j SET
                        {PostgresJobStore.CountFinishedSet("0", "o.n", "now()")}
                    FROM open o WHERE j.id = o.job_id
                    """, new NpgsqlParameter<Guid[]> { TypedValue = deleted }));
                foreach (var sql in new[]
                         {
                             "DELETE FROM ingest_job_assets WHERE image_id = ANY($1)",
                             "DELETE FROM image_events WHERE image_id = ANY($1)",
                             "DELETE FROM ingestion_jobs WHERE image_id = ANY($1)",
                             "DELETE FROM image_embeddings WHERE image_id = ANY($1)",
                             "DELETE FROM images WHERE id = ANY($1)",
                         })
                {
                    batch.BatchCommands.Add(PgRows.BatchCommand(sql, new NpgsqlParameter<Guid[]> { TypedValue = deleted }));
                }
                var completed = found.Count(f => f.Status == ImageStatus.Completed);
                if (completed > 0)
                {
                    batch.BatchCommands.Add(PgRows.BatchCommand("UPDATE datasets SET completed_count = completed_count - $2 WHERE id = $1",
                        PgRows.UuidParam(datasetId), new NpgsqlParameter<long> { TypedValue = completed }));
                }
                await batch.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
            return new ImageDeletion(
                [.. found.Select(f => f.Id)],
                [.. found.Select(f => f.Path)],
                [.. found.Select(f => f.Blob).OfType<string>().Distinct(StringComparer.Ordinal)],
                [.. found.Select(f => f.Preview).OfType<string>()]);
        }, ct);

    public Task<bool> UsesBlobAsync(string sha256, CancellationToken ct = default) => db.ReadAsync(async connection =>
    {
        await using var cmd = connection.Command("SELECT EXISTS (SELECT 1 FROM images WHERE blob_sha256 = $1)");
        return (bool)(await cmd.Text(sha256).ExecuteScalarAsync(ct))!;
    }, ct);

    public Task<IReadOnlyList<ImageEvent>?> GetEventsAsync(Guid orgId, Guid imageId, CancellationToken ct = default) =>
        db.ReadAsync<IReadOnlyList<ImageEvent>?>(async connection =>
        {
            // The left join tells "unknown image" (no row) from "no events" (one row of NULLs).
            await using var cmd = connection.Command("""
                SELECT e.event_type, e.at, e.detail
                FROM images i LEFT JOIN image_events e ON e.image_id = i.id
                WHERE i.id = $1 AND i.org_id = $2
                ORDER BY e.seq
                """);
            await using var r = await cmd.Uuid(imageId).Uuid(orgId).ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) return null;
            var events = new List<ImageEvent>();
            do
            {
                if (r.Event(0, 1, 2) is { } e) events.Add(e);
            }
            while (await r.ReadAsync(ct));
            return events;
        }, ct);

    public Task<ImagePreview?> GetPreviewAsync(Guid orgId, Guid imageId, CancellationToken ct = default) => db.ReadAsync(async connection =>
    {
        await using var cmd = connection.Command("SELECT status, preview_key FROM images WHERE id = $1 AND org_id = $2");
        await using var r = await cmd.Uuid(imageId).Uuid(orgId).ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new ImagePreview(r.GetString(0), r.NullableString(1)) : null;
    }, ct);

    public Task<DuplicateSearch?> FindDuplicatesAsync(Guid orgId, Guid imageId, int maxDistance, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDistance);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return db.RunAsync<DuplicateSearch?>(async connection =>
        {
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            Guid datasetId;
            string status;
            string? sha256;
            long? phash;
            await using (var image = connection.Command("SELECT dataset_id, status, sha256, phash FROM images WHERE id = $1 AND org_id = $2", tx))
            {
                await using var r = await image.Uuid(imageId).Uuid(orgId).ExecuteReaderAsync(ct);
                if (!await r.ReadAsync(ct)) return null;
                datasetId = r.GetGuid(0);
                status = r.GetString(1);
                sha256 = r.NullableString(2);
                phash = r.IsDBNull(3) ? null : r.GetInt64(3);
            }
            if (status != ImageStatus.Completed || phash is not { } hash) return new DuplicateSearch(status, []);

            var found = new List<DuplicateImage>();
            if (sha256 is not null)
            {
                // Exact copies through the (dataset_id, sha256) index.
                await using var exact = connection.Command($"""
                    SELECT id, path, phash FROM images
                    WHERE dataset_id = $1 AND sha256 = $2 AND status = '{ImageStatus.Completed}' AND id <> $3
                    ORDER BY id LIMIT $4
                    """, tx);
                await using var r = await exact.Uuid(datasetId).Text(sha256).Uuid(imageId).Arg<long>(limit).ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct))
                    found.Add(new DuplicateImage(r.GetGuid(0), r.GetString(1), r.IsDBNull(2) ? 0 : PerceptualHash.Distance(hash, r.GetInt64(2)), Exact: true));
            }

            if (found.Count < limit)
            {
                // Near copies: the Hamming distance is counted in the database, so only the nearest rows travel.
                await using var near = connection.Command("""
                    SELECT id, path, distance FROM (
                        SELECT id, path, bit_count((phash # $2)::bit(64))::int AS distance FROM images
                        WHERE dataset_id = $1 AND phash IS NOT NULL AND id <> $3 AND id <> ALL($4)
                    ) AS near
                    WHERE distance <= $5 ORDER BY distance, id LIMIT $6
                    """, tx);
                await using var r = await near.Uuid(datasetId).Arg(hash).Uuid(imageId).Arg(found.Select(f => f.ImageId).ToArray())
                    .Arg(maxDistance).Arg<long>(limit - found.Count).ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct)) found.Add(new DuplicateImage(r.GetGuid(0), r.GetString(1), r.GetInt32(2), Exact: false));
            }
            await tx.CommitAsync(ct);
            return new DuplicateSearch(status, found);
        }, ct);
    }
}
