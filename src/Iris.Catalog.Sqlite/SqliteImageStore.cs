using Iris.Ingestion;
using Iris.Models;
using Microsoft.Data.Sqlite;

namespace Iris.Catalog.Sqlite;

internal sealed class SqliteImageStore(SqliteCatalog db) : IImageStore
{
    public async Task<IReadOnlyList<ImageRecord>?> AddAsync(
        Guid orgId, Guid datasetId, IReadOnlyList<NewImage> images, ImageAdmission admit, CancellationToken ct = default,
        IngestJob? job = null)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var tx = connection.BeginTransaction();
        if (!DatasetExists(connection, tx, orgId, datasetId)) return null;

        using var find = connection.Command(tx, $"SELECT {Db.ImageColumns} FROM images WHERE dataset_id = @d AND path = @p");
        find.With("@d", datasetId);
        var findPath = find.Param("@p", SqliteType.Text);
        find.Prepare();

        // Both statements take every column parameter, bound from the final record; the update uses the mutable ones.
        using var insert = connection.Command(tx, $"""
            INSERT INTO images ({Db.ImageColumns})
            VALUES (@id, @org, @d, @path, @user, @meta, @status, @ec, @er, @tech, @blob, @cby, @cat, @uby, @uat, @rid, @rat, @let, @lea, @led)
            """);
        var insertParameters = new ImageParameters(insert);
        insert.Prepare();
        using var update = connection.Command(tx, """
            UPDATE images SET
                user_id = @user, metadata = @meta, status = @status, error_code = @ec, error_reason = @er,
                technical_metadata = @tech, blob_sha256 = @blob, updated_by = @uby, updated_at = @uat,
                request_id = @rid, request_at = @rat,
                latest_event_type = @let, latest_event_at = @lea, latest_event_detail = @led
            WHERE id = @id
            """);
        var updateParameters = new ImageParameters(update);
        update.Prepare();

        using var addEvent = connection.Command(tx,
            "INSERT INTO image_events (image_id, event_type, at, detail) VALUES (@id, @type, @at, @detail)");
        var eventImage = addEvent.Param("@id", SqliteType.Blob);
        var eventType = addEvent.Param("@type", SqliteType.Text);
        var eventAt = addEvent.Param("@at", SqliteType.Integer);
        var eventDetail = addEvent.Param("@detail", SqliteType.Text);
        addEvent.Prepare();

        using var addJob = connection.Command(tx,
            "INSERT INTO ingestion_jobs (image_id, attempts, enqueued_at) VALUES (@id, 0, @at) ON CONFLICT (image_id) DO NOTHING");
        var jobImage = addJob.Param("@id", SqliteType.Blob);
        var jobAt = addJob.Param("@at", SqliteType.Integer);
        addJob.Prepare();

        var result = new ImageRecord[images.Count];
        var enqueued = false;
        for (int i = 0; i < images.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var item = images[i];
            findPath.Value = item.Path;
            ImageRecord? existing = null;
            using (var r = find.ExecuteReader())
            {
                if (r.Read()) existing = Db.ReadImage(r);
            }

            var (record, enqueue) = admit(existing, item);
            record = CatalogTime.Truncate(record);
            if (existing is null)
            {
                insertParameters.Bind(record);
                insert.ExecuteNonQuery();
            }
            else
            {
                updateParameters.Bind(record);
                update.ExecuteNonQuery();
            }

            if (enqueue)
            {
                var received = record.LatestEvent ?? throw new ArgumentException("A queued image needs its latest event.", nameof(admit));
                eventImage.Value = record.Id;
                eventType.Value = received.EventType;
                eventAt.Value = Db.ToMicros(received.At);
                eventDetail.Value = Db.OrNull(received.Detail);
                addEvent.ExecuteNonQuery();
                jobImage.Value = record.Id;
                jobAt.Value = Db.ToMicros(received.At);
                addJob.ExecuteNonQuery();
                enqueued = true;
            }

            result[i] = record;
        }

        if (job is not null) SqliteJobStore.Insert(connection, tx, IngestJobs.Counted(job, result), result);
        tx.Commit();
        if (enqueued) db.Signal.Notify();
        return result;
    }

    // The three hot reads run on ReadConnections: statements prepared once per connection, one
    // statement per request, no await while a connection is rented.

    public Task<ImageRecord?> GetAsync(Guid orgId, Guid imageId, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(Read(reader =>
        {
            reader.ImageId.Value = imageId;
            reader.ImageOrg.Value = orgId;
            using var r = reader.ImageById.ExecuteReader();
            return r.Read() ? Db.ReadImage(r) : null;
        }));
    }

    public Task<IReadOnlyList<ImageRecord>> GetManyAsync(Guid orgId, IReadOnlyList<Guid> imageIds, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        if (imageIds.Count == 0) return Task.FromResult<IReadOnlyList<ImageRecord>>([]);
        // One statement for the whole list (Microsoft.Data.Sqlite binds it as text).
        var buffer = IdsJson(imageIds, out var length);
        string ids;
        try
        {
            ids = System.Text.Encoding.UTF8.GetString(buffer, 0, length);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        return Task.FromResult<IReadOnlyList<ImageRecord>>(Read(reader =>
        {
            var found = new List<ImageRecord>(imageIds.Count);
            reader.ImagesIds.Value = ids;
            reader.ImagesOrg.Value = orgId;
            using var r = reader.ImagesByIds.ExecuteReader();
            var keyColumn = r.FieldCount - 1;
            var position = -1L;
            while (r.Read())
            {
                var key = r.GetInt64(keyColumn);
                if (key <= position) throw new InvalidOperationException("SQLite returned the images out of the order asked.");
                position = key;
                found.Add(Db.ReadImage(r));
            }
            return found;
        }));
    }

    // The metadata routes answer from the row cache; what it lacks is read in one statement, copied, and kept.

    public Task<bool> WriteAsync(Guid orgId, Guid imageId, IImageRowWriter writer, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var cache = db.RowCache;
        if (!cache.TryGet(imageId, out var row))
        {
            var version = cache.Version;
            if (Read(reader => reader.Rows.ReadOne(orgId, imageId)) is not { } read) return Task.FromResult(false);
            cache.Add(read, version);
            row = read;
        }
        if (row.OrgId != orgId) return Task.FromResult(false);
        row.WriteTo(writer);
        return Task.FromResult(true);
    }

    public Task<int> WriteManyAsync(Guid orgId, IReadOnlyList<Guid> imageIds, IImageRowWriter writer, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        if (imageIds.Count == 0) return Task.FromResult(0);
        var cache = db.RowCache;
        var rows = System.Buffers.ArrayPool<CachedImageRow?>.Shared.Rent(imageIds.Count);
        List<Guid>? missing = null;
        List<int>? missingAt = null;
        try
        {
            for (var i = 0; i < imageIds.Count; i++)
            {
                if (cache.TryGet(imageIds[i], out var row)) rows[i] = row;
                else
                {
                    rows[i] = null;
                    (missing ??= []).Add(imageIds[i]);
                    (missingAt ??= []).Add(i);
                }
            }
            if (missing is not null) ReadMissing(orgId, missing, missingAt!, rows);

            var written = 0;
            for (var i = 0; i < imageIds.Count; i++)
            {
                if (rows[i] is not { } row || row.OrgId != orgId) continue;
                row.WriteTo(writer);
                written++;
            }
            return Task.FromResult(written);
        }
        finally
        {
            System.Buffers.ArrayPool<CachedImageRow?>.Shared.Return(rows, clearArray: true);
        }
    }

    /// <summary>Reads the rows the cache lacks into their places in <paramref name="rows"/>, and keeps them.</summary>
    private void ReadMissing(Guid orgId, List<Guid> missing, List<int> missingAt, CachedImageRow?[] rows)
    {
        var cache = db.RowCache;
        var version = cache.Version;
        var found = System.Buffers.ArrayPool<CachedImageRow?>.Shared.Rent(missing.Count);
        var json = IdsJson(missing, out var length);
        try
        {
            Array.Clear(found, 0, missing.Count);
            Read(reader => reader.Rows.ReadMany(orgId, json.AsSpan(0, length), found.AsSpan(0, missing.Count)));
            for (var i = 0; i < missing.Count; i++)
            {
                if (found[i] is not { } row) continue;
                rows[missingAt[i]] = row;
                cache.Add(row, version);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(json);
            System.Buffers.ArrayPool<CachedImageRow?>.Shared.Return(found, clearArray: true);
        }
    }

    /// <summary>
    /// The ids as the JSON array the batch reads join on (<c>json_each</c>): the hex of each id's stored bytes, as UTF-8,
    /// in a buffer rented from the shared pool (the caller returns it).
    /// </summary>
    private static byte[] IdsJson(IReadOnlyList<Guid> imageIds, out int length)
    {
        var json = System.Buffers.ArrayPool<byte>.Shared.Rent(2 + imageIds.Count * 35);
        length = 0;
        json[length++] = (byte)'[';
        Span<byte> bytes = stackalloc byte[16];
        foreach (var imageId in imageIds)
        {
            if (length > 1) json[length++] = (byte)',';
            json[length++] = (byte)'"';
            imageId.TryWriteBytes(bytes);
            if (!Convert.TryToHexString(bytes, json.AsSpan(length, 32), out var written)) throw new InvalidOperationException("The id list buffer is too small.");
            length += written;
            json[length++] = (byte)'"';
        }
        json[length++] = (byte)']';
        return json;
    }

    // The statuses routes answer from the row cache too, by dataset and path; the paths it lacks are read in one
    // statement (the whole rows, which the metadata routes can answer from later), copied, and kept.

    public Task<IReadOnlyList<PathStatus>> GetStatusesAsync(Guid orgId, Guid datasetId, IReadOnlyList<string> paths, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        if (paths.Count == 0) return Task.FromResult<IReadOnlyList<PathStatus>>([]);
        var cache = db.RowCache;
        var statuses = new PathStatus[paths.Count];
        List<int>? missingAt = null;
        if (cache.Enabled)
        {
            var utf8 = System.Buffers.ArrayPool<byte>.Shared.Rent(1024);
            try
            {
                for (var i = 0; i < paths.Count; i++)
                {
                    if (cache.TryGet(datasetId, Utf8Path(paths[i], ref utf8), out var row) && row.OrgId == orgId) statuses[i] = row.ToPathStatus(paths[i]);
                    else (missingAt ??= []).Add(i);
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(utf8);
            }
        }
        else missingAt = [.. Enumerable.Range(0, paths.Count)];
        if (missingAt is not null) ReadMissingStatuses(orgId, datasetId, paths, missingAt, statuses);
        return Task.FromResult<IReadOnlyList<PathStatus>>(statuses);
    }

    /// <summary>Reads the rows of the paths the cache lacks, answers them in their places in <paramref name="statuses"/>, and keeps them.</summary>
    private void ReadMissingStatuses(Guid orgId, Guid datasetId, IReadOnlyList<string> paths, List<int> missingAt, PathStatus[] statuses)
    {
        var cache = db.RowCache;
        var version = cache.Version;
        // The paths as a JSON array for json_each, each encoded as the cache lookup encodes it.
        var json = new System.Buffers.ArrayBufferWriter<byte>(missingAt.Count * 64);
        var found = System.Buffers.ArrayPool<CachedImageRow?>.Shared.Rent(missingAt.Count);
        var utf8 = System.Buffers.ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            using (var writer = new System.Text.Json.Utf8JsonWriter(json))
            {
                writer.WriteStartArray();
                foreach (var i in missingAt) writer.WriteStringValue(Utf8Path(paths[i], ref utf8));
                writer.WriteEndArray();
            }
            Array.Clear(found, 0, missingAt.Count);
            Read(reader => reader.Rows.ReadByPaths(orgId, datasetId, json.WrittenSpan, found.AsSpan(0, missingAt.Count)));
            for (var k = 0; k < missingAt.Count; k++)
            {
                var i = missingAt[k];
                if (found[k] is { } row)
                {
                    statuses[i] = row.ToPathStatus(paths[i]);
                    cache.Add(row, version);
                }
                else statuses[i] = new PathStatus(paths[i], ImageStatus.NotFound, null, null, null, null);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(utf8);
            System.Buffers.ArrayPool<CachedImageRow?>.Shared.Return(found, clearArray: true);
        }
    }

    /// <summary>
    /// A path as SQLite compares it: UTF-8, a lone surrogate as U+FFFD (as a bound parameter would be), in a buffer
    /// rented from the shared pool and replaced by a larger one when it is too small (the caller returns it).
    /// </summary>
    private static ReadOnlySpan<byte> Utf8Path(string path, ref byte[] buffer)
    {
        var max = System.Text.Encoding.UTF8.GetMaxByteCount(path.Length);
        if (buffer.Length < max)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(max);
        }
        return buffer.AsSpan(0, System.Text.Encoding.UTF8.GetBytes(path, buffer));
    }

    public async Task<ImagePage?> ListAsync(Guid orgId, Guid datasetId, ImageQuery query, int offset, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var tx = connection.BeginTransaction(deferred: true); // one snapshot: the page and the total agree
        if (!DatasetExists(connection, tx, orgId, datasetId)) return null;

        var where = new System.Text.StringBuilder("dataset_id = @d");
        using var count = connection.Command(tx, "");
        using var page = connection.Command(tx, "");
        foreach (var cmd in new[] { count, page }) cmd.With("@d", datasetId);
        if (query.Statuses is { } statuses)
        {
            where.Append(" AND status IN (");
            for (var i = 0; i < statuses.Count; i++)
            {
                where.Append(i == 0 ? "" : ", ").Append("@s").Append(i);
                foreach (var cmd in new[] { count, page }) cmd.With("@s" + i, statuses[i]);
            }
            where.Append(statuses.Count == 0 ? "NULL)" : ")");
        }
        if (query.Path is { } path)
        {
            where.Append(" AND path = @p");
            foreach (var cmd in new[] { count, page }) cmd.With("@p", path);
        }
        if (query.PathPrefix is { } prefix)
        {
            // substr, not LIKE: a prefix may hold % and _.
            where.Append(" AND substr(path, 1, @plen) = @prefix");
            foreach (var cmd in new[] { count, page }) cmd.With("@plen", prefix.Length).With("@prefix", prefix);
        }
        count.CommandText = $"SELECT COUNT(*) FROM images WHERE {where}";
        var total = (long)count.ExecuteScalar()!;
        page.CommandText = $"SELECT {Db.ImageColumns} FROM images WHERE {where} ORDER BY id LIMIT @limit OFFSET @offset";
        var items = new List<ImageRecord>(Math.Min(limit, 1000));
        using (var r = page.With("@limit", limit).With("@offset", offset).ExecuteReader())
        {
            while (r.Read()) items.Add(Db.ReadImage(r));
        }
        tx.Commit();
        return new ImagePage(items, total);
    }

    public async Task<IReadOnlyDictionary<string, long>?> CountByStatusAsync(Guid orgId, Guid datasetId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var tx = connection.BeginTransaction(deferred: true);
        if (!DatasetExists(connection, tx, orgId, datasetId)) return null;
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        using var cmd = connection.Command(tx, "SELECT status, COUNT(*) FROM images WHERE dataset_id = @d GROUP BY status");
        using (var r = cmd.With("@d", datasetId).ExecuteReader())
        {
            while (r.Read()) counts[r.GetString(0)] = r.GetInt64(1);
        }
        tx.Commit();
        return counts;
    }

    /// <summary>Rents a read connection for <paramref name="read"/>; one that failed midway is closed, not reused.</summary>
    private T Read<T>(Func<ReadConnection, T> read)
    {
        var reader = db.Reads.Rent();
        try
        {
            return read(reader);
        }
        catch
        {
            reader.Broken = true;
            throw;
        }
        finally
        {
            db.Reads.Return(reader);
        }
    }

    public async Task<MetadataUpdateResult> UpdateMetadataAsync(
        Guid orgId, Guid datasetId, IReadOnlyList<MetadataUpdate> updates, string clientId,
        DateTimeOffset now, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var tx = connection.BeginTransaction();

        const string Set = "UPDATE images SET metadata = @meta, updated_by = @by, updated_at = @at";
        using var byId = connection.Command(tx,
            $"{Set} WHERE id = @id AND dataset_id = @d AND org_id = @org RETURNING {Db.ImageColumns}");
        using var byPath = connection.Command(tx,
            $"{Set} WHERE dataset_id = @d AND path = @p AND org_id = @org RETURNING {Db.ImageColumns}");
        long nowUs = Db.ToMicros(now);
        foreach (var cmd in (ReadOnlySpan<SqliteCommand>)[byId, byPath])
        {
            cmd.With("@by", clientId).With("@at", nowUs).With("@d", datasetId).With("@org", orgId);
        }

        var id = byId.Param("@id", SqliteType.Blob);
        var idMeta = byId.Param("@meta", SqliteType.Text);
        var path = byPath.Param("@p", SqliteType.Text);
        var pathMeta = byPath.Param("@meta", SqliteType.Text);

        var updated = new List<ImageRecord>(updates.Count);
        for (int i = 0; i < updates.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var update = updates[i];
            SqliteCommand cmd;
            if (update.ImageId is { } imageId)
            {
                id.Value = imageId;
                idMeta.Value = Db.OrNull(update.MetadataJson);
                cmd = byId;
            }
            else if (update.Path is { } p)
            {
                path.Value = p;
                pathMeta.Value = Db.OrNull(update.MetadataJson);
                cmd = byPath;
            }
            else
            {
                throw new ArgumentException($"Update {i} names neither an image id nor a path.", nameof(updates));
            }

            using var r = cmd.ExecuteReader();
            if (!r.Read())
            {
                // Disposing the transaction uncommitted rolls back the updates already made.
                return new MetadataUpdateResult([], i);
            }

            updated.Add(Db.ReadImage(r));
        }

        tx.Commit();
        return new MetadataUpdateResult(updated, null);
    }

    public async Task<ImageDeletion?> DeleteAsync(
        Guid orgId, Guid datasetId, IReadOnlyList<Guid> imageIds, IReadOnlyList<string> paths, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        // The write lock from the first statement: a completion that committed before is seen (its status counts),
        // one that comes after finds no job and records nothing.
        using var tx = connection.BeginTransaction();
        if (!DatasetExists(connection, tx, orgId, datasetId)) return null;

        var found = new List<(Guid Id, string Path, string Status, string? Blob, string? Preview)>();
        var seen = new HashSet<Guid>();
        const string Columns = "id, path, status, blob_sha256, preview_key";
        using (var byId = connection.Command(tx, $"SELECT {Columns} FROM images WHERE id = @id AND dataset_id = @d AND org_id = @org"))
        using (var byPath = connection.Command(tx, $"SELECT {Columns} FROM images WHERE dataset_id = @d AND path = @p AND org_id = @org"))
        {
            byId.With("@d", datasetId).With("@org", orgId);
            byPath.With("@d", datasetId).With("@org", orgId);
            var id = byId.Param("@id", SqliteType.Blob);
            var path = byPath.Param("@p", SqliteType.Text);
            foreach (var imageId in imageIds)
            {
                ct.ThrowIfCancellationRequested();
                id.Value = imageId;
                ReadOne(byId);
            }
            foreach (var p in paths)
            {
                ct.ThrowIfCancellationRequested();
                path.Value = p;
                ReadOne(byPath);
            }

            void ReadOne(SqliteCommand cmd)
            {
                using var r = cmd.ExecuteReader();
                if (r.Read() && seen.Add(r.GetGuid(0)))
                    found.Add((r.GetGuid(0), r.GetString(1), r.GetString(2), r.NullableString(3), r.NullableString(4)));
            }
        }

        if (found.Count > 0)
        {
            // Children first: the foreign keys have no cascade on purpose (deletes stay explicit).
            // A job still waiting for a deleted image counts it as errored (it will never finish); its asset rows go.
            using (var delete = connection.Command(tx, $"""
                {SqliteJobStore.CountFinishedSql("0", "1")}
                DELETE FROM ingest_job_assets WHERE image_id = @id;
                DELETE FROM image_events WHERE image_id = @id;
                DELETE FROM ingestion_jobs WHERE image_id = @id;
                DELETE FROM image_embeddings WHERE image_id = @id;
                DELETE FROM images WHERE id = @id;
                """))
            {
                delete.With("@now", Db.ToMicros(DateTimeOffset.UtcNow));
                var id = delete.Param("@id", SqliteType.Blob);
                foreach (var image in found)
                {
                    id.Value = image.Id;
                    delete.ExecuteNonQuery();
                }
            }

            var completed = found.Count(f => f.Status == ImageStatus.Completed);
            if (completed > 0)
            {
                using var count = connection.Command(tx, "UPDATE datasets SET completed_count = completed_count - @n WHERE id = @d");
                count.With("@n", completed).With("@d", datasetId).ExecuteNonQuery();
            }
        }

        tx.Commit();
        return new ImageDeletion(
            [.. found.Select(f => f.Id)],
            [.. found.Select(f => f.Path)],
            [.. found.Select(f => f.Blob).OfType<string>().Distinct(StringComparer.Ordinal)],
            [.. found.Select(f => f.Preview).OfType<string>()]);
    }

    public async Task<bool> UsesBlobAsync(string sha256, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var cmd = connection.Command(null, "SELECT EXISTS (SELECT 1 FROM images WHERE blob_sha256 = @sha)");
        return (long)cmd.With("@sha", sha256).ExecuteScalar()! != 0;
    }

    public async Task<IReadOnlyList<ImageEvent>?> GetEventsAsync(Guid orgId, Guid imageId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        // The left join tells "unknown image" (no row) from "no events" (one row of NULLs).
        using var cmd = connection.Command(null, """
            SELECT e.event_type, e.at, e.detail
            FROM images i LEFT JOIN image_events e ON e.image_id = i.id
            WHERE i.id = @id AND i.org_id = @org
            ORDER BY e.seq
            """);
        using var r = cmd.With("@id", imageId).With("@org", orgId).ExecuteReader();
        if (!r.Read())
        {
            return null;
        }

        var events = new List<ImageEvent>();
        do
        {
            if (r.Event(0, 1, 2) is { } e)
            {
                events.Add(e);
            }
        }
        while (r.Read());
        return events;
    }

    public async Task<ImagePreview?> GetPreviewAsync(Guid orgId, Guid imageId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var cmd = connection.Command(null, "SELECT status, preview_key FROM images WHERE id = @id AND org_id = @org");
        using var r = cmd.With("@id", imageId).With("@org", orgId).ExecuteReader();
        return r.Read() ? new ImagePreview(r.GetString(0), r.NullableString(1)) : null;
    }

    public async Task<DuplicateSearch?> FindDuplicatesAsync(Guid orgId, Guid imageId, int maxDistance, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDistance);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);

        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var tx = connection.BeginTransaction(deferred: true);

        Guid datasetId;
        string status;
        string? sha256;
        long? phash;
        using (var image = connection.Command(tx, "SELECT dataset_id, status, sha256, phash FROM images WHERE id = @id AND org_id = @org"))
        {
            using var r = image.With("@id", imageId).With("@org", orgId).ExecuteReader();
            if (!r.Read())
            {
                return null;
            }

            datasetId = r.GetGuid(0);
            status = r.GetString(1);
            sha256 = r.NullableString(2);
            phash = r.IsDBNull(3) ? null : r.GetInt64(3);
        }

        if (status != ImageStatus.Completed || phash is not { } hash)
        {
            return new DuplicateSearch(status, []);
        }

        // Exact copies through the (dataset_id, sha256) index.
        var found = new List<DuplicateImage>();
        if (sha256 is not null)
        {
            using var exact = connection.Command(tx, $"""
                SELECT id, path, phash FROM images INDEXED BY ix_images_dataset_sha256 -- not the status index: copies are few, completed images many
                WHERE dataset_id = @d AND sha256 = @sha AND status = '{ImageStatus.Completed}' AND id <> @id
                ORDER BY id LIMIT @limit
                """);
            using var r = exact.With("@d", datasetId).With("@sha", sha256).With("@id", imageId).With("@limit", limit).ExecuteReader();
            while (r.Read())
            {
                found.Add(new DuplicateImage(r.GetGuid(0), r.GetString(1), r.IsDBNull(2) ? 0 : PerceptualHash.Distance(hash, r.GetInt64(2)), Exact: true));
            }
        }

        if (found.Count < limit)
        {
            found.AddRange(NearCopies(connection, tx, datasetId, imageId, hash, maxDistance, limit - found.Count,
                [.. found.Select(f => f.ImageId)], ct));
        }

        tx.Commit();
        return new DuplicateSearch(status, found);
    }

    /// <summary>
    /// The nearest <paramref name="limit"/> images by perceptual hash within <paramref name="maxDistance"/>. A scan
    /// of the dataset's (id, phash) pairs from the covering index (no row is read; popcount over a million
    /// pairs is a few milliseconds, reading them from SQLite a few hundred), keeping only the best in a bounded heap.
    /// </summary>
    private static List<DuplicateImage> NearCopies(
        SqliteConnection connection, SqliteTransaction tx, Guid datasetId, Guid imageId, long hash, int maxDistance, int limit,
        HashSet<Guid> exclude, CancellationToken ct)
    {
        // The worst kept candidate on top: farthest, then largest id, so ties resolve the same way every time.
        var best = new PriorityQueue<Guid, (int Distance, Guid Id)>(
            Comparer<(int Distance, Guid Id)>.Create((a, b) => b.CompareTo(a)));
        using (var scan = connection.Command(tx, "SELECT id, phash FROM images WHERE dataset_id = @d AND phash IS NOT NULL"))
        {
            using var r = scan.With("@d", datasetId).ExecuteReader();
            long rows = 0;
            while (r.Read())
            {
                if (++rows % 65536 == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }

                var distance = PerceptualHash.Distance(hash, r.GetInt64(1));
                if (distance > maxDistance)
                {
                    continue;
                }

                var id = r.GetGuid(0);
                if (id == imageId || exclude.Contains(id))
                {
                    continue;
                }

                if (best.Count < limit)
                {
                    best.Enqueue(id, (distance, id));
                }
                else if (best.TryPeek(out _, out var worst) && (distance, id).CompareTo(worst) < 0)
                {
                    best.DequeueEnqueue(id, (distance, id));
                }
            }
        }

        var ranked = new List<(int Distance, Guid Id)>(best.Count);
        while (best.TryDequeue(out var id, out var priority))
        {
            ranked.Add((priority.Distance, id));
        }

        ranked.Reverse(); // the heap gave the worst first
        var result = new List<DuplicateImage>(ranked.Count);
        using var path = connection.Command(tx, "SELECT path FROM images WHERE id = @id");
        var idParameter = path.Param("@id", SqliteType.Blob);
        path.Prepare();
        foreach (var (distance, id) in ranked)
        {
            idParameter.Value = id;
            if (path.ExecuteScalar() is string p)
            {
                result.Add(new DuplicateImage(id, p, distance, Exact: false));
            }
        }

        return result;
    }

    /// <summary>Writes must not attach images to a dataset of another organization (or one deleted meanwhile).</summary>
    private static bool DatasetExists(SqliteConnection connection, SqliteTransaction tx, Guid orgId, Guid datasetId)
    {
        using var cmd = connection.Command(tx, "SELECT 1 FROM datasets WHERE id = @d AND org_id = @org");
        return cmd.With("@d", datasetId).With("@org", orgId).ExecuteScalar() is not null;
    }

    /// <summary>The parameters of an image write, created once and re-bound per row.</summary>
    private sealed class ImageParameters
    {
        private readonly SqliteParameter _id, _org, _dataset, _path, _user, _meta, _status, _errorCode, _errorReason, _tech, _blob,
            _createdBy, _createdAt, _updatedBy, _updatedAt, _requestId, _requestAt, _eventType, _eventAt, _eventDetail;

        public ImageParameters(SqliteCommand cmd)
        {
            _id = cmd.Param("@id", SqliteType.Blob);
            _org = cmd.Param("@org", SqliteType.Blob);
            _dataset = cmd.Param("@d", SqliteType.Blob);
            _path = cmd.Param("@path", SqliteType.Text);
            _user = cmd.Param("@user", SqliteType.Text);
            _meta = cmd.Param("@meta", SqliteType.Text);
            _status = cmd.Param("@status", SqliteType.Text);
            _errorCode = cmd.Param("@ec", SqliteType.Text);
            _errorReason = cmd.Param("@er", SqliteType.Text);
            _tech = cmd.Param("@tech", SqliteType.Text);
            _blob = cmd.Param("@blob", SqliteType.Text);
            _createdBy = cmd.Param("@cby", SqliteType.Text);
            _createdAt = cmd.Param("@cat", SqliteType.Integer);
            _updatedBy = cmd.Param("@uby", SqliteType.Text);
            _updatedAt = cmd.Param("@uat", SqliteType.Integer);
            _requestId = cmd.Param("@rid", SqliteType.Blob);
            _requestAt = cmd.Param("@rat", SqliteType.Integer);
            _eventType = cmd.Param("@let", SqliteType.Text);
            _eventAt = cmd.Param("@lea", SqliteType.Integer);
            _eventDetail = cmd.Param("@led", SqliteType.Text);
        }

        public void Bind(ImageRecord r)
        {
            _id.Value = r.Id;
            _org.Value = r.OrgId;
            _dataset.Value = r.DatasetId;
            _path.Value = r.Path;
            _user.Value = Db.OrNull(r.UserId);
            _meta.Value = Db.OrNull(r.MetadataJson);
            _status.Value = r.Status;
            _errorCode.Value = Db.OrNull(r.ErrorCode);
            _errorReason.Value = Db.OrNull(r.ErrorReason);
            _tech.Value = Db.OrNull(r.TechnicalMetadataJson);
            _blob.Value = Db.OrNull(r.BlobSha256);
            _createdBy.Value = r.CreatedBy;
            _createdAt.Value = Db.ToMicros(r.CreatedAt);
            _updatedBy.Value = r.UpdatedBy;
            _updatedAt.Value = Db.ToMicros(r.UpdatedAt);
            _requestId.Value = Db.OrNull(r.RequestId);
            _requestAt.Value = r.RequestAt is { } requestAt ? Db.ToMicros(requestAt) : DBNull.Value;
            _eventType.Value = Db.OrNull(r.LatestEvent?.EventType);
            _eventAt.Value = r.LatestEvent is { } e ? Db.ToMicros(e.At) : DBNull.Value;
            _eventDetail.Value = Db.OrNull(r.LatestEvent?.Detail);
        }
    }
}
