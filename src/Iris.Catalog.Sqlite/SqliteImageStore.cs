using Iris.Models;
using Microsoft.Data.Sqlite;

namespace Iris.Catalog.Sqlite;

internal sealed class SqliteImageStore(SqliteCatalog db) : IImageStore
{
    public async Task<IReadOnlyList<ImageRecord>> AddAsync(
        Guid orgId, Guid datasetId, IReadOnlyList<NewImage> images, string clientId,
        Guid requestId, DateTimeOffset now, CancellationToken ct = default)
    {
        // Distinct paths in first-appearance order; a later duplicate replaces the earlier entry.
        var distinct = new List<NewImage>(images.Count);
        var positions = new Dictionary<string, int>(images.Count, StringComparer.Ordinal);
        foreach (var image in images)
        {
            if (positions.TryGetValue(image.Path, out int at))
            {
                distinct[at] = image;
            }
            else
            {
                positions.Add(image.Path, distinct.Count);
                distinct.Add(image);
            }
        }

        long nowUs = Db.ToMicros(now);
        var at0 = Db.FromMicros(nowUs);
        var received = new ImageEvent(EventTypes.Received, at0);

        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var tx = connection.BeginTransaction();
        EnsureDataset(connection, tx, orgId, datasetId);

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
            "INSERT INTO image_events (image_id, event_type, at, detail) VALUES (@id, @type, @at, NULL)");
        var eventImage = addEvent.Param("@id", SqliteType.Blob);
        addEvent.With("@type", EventTypes.Received).With("@at", nowUs);
        addEvent.Prepare();

        using var addJob = connection.Command(tx,
            "INSERT INTO ingestion_jobs (image_id, attempts, enqueued_at) VALUES (@id, 0, @at) ON CONFLICT (image_id) DO NOTHING");
        var jobImage = addJob.Param("@id", SqliteType.Blob);
        addJob.With("@at", nowUs);
        addJob.Prepare();

        var result = new ImageRecord[distinct.Count];
        for (int i = 0; i < distinct.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var item = distinct[i];
            findPath.Value = item.Path;
            ImageRecord? existing = null;
            using (var r = find.ExecuteReader())
            {
                if (r.Read())
                {
                    existing = Db.ReadImage(r);
                }
            }

            ImageRecord record;
            bool enqueue;
            if (existing is null)
            {
                record = new ImageRecord(
                    Guid.CreateVersion7(now), orgId, datasetId, item.Path, item.UserId, item.MetadataJson,
                    ImageStatus.Pending, null, null, null, item.BlobSha256,
                    clientId, at0, clientId, at0, requestId, at0, received);
                enqueue = true;
                insertParameters.Bind(record);
                insert.ExecuteNonQuery();
            }
            else
            {
                enqueue = existing.Status == ImageStatus.Error;
                record = existing with
                {
                    UserId = item.UserId ?? existing.UserId,
                    MetadataJson = item.MetadataJson ?? existing.MetadataJson,
                    UpdatedBy = clientId,
                    UpdatedAt = at0,
                    RequestId = requestId,
                    RequestAt = at0,
                };
                if (enqueue)
                {
                    // A failed image gets another chance; new bytes (an upload) replace the old ones.
                    record = record with
                    {
                        Status = ImageStatus.Pending,
                        ErrorCode = null,
                        ErrorReason = null,
                        TechnicalMetadataJson = null,
                        BlobSha256 = item.BlobSha256 ?? existing.BlobSha256,
                        LatestEvent = received,
                    };
                }

                updateParameters.Bind(record);
                update.ExecuteNonQuery();
            }

            if (enqueue)
            {
                eventImage.Value = record.Id;
                addEvent.ExecuteNonQuery();
                jobImage.Value = record.Id;
                addJob.ExecuteNonQuery();
            }

            result[i] = record;
        }

        tx.Commit();
        return result;
    }

    public async Task<ImageRecord?> GetAsync(Guid orgId, Guid imageId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var cmd = connection.Command(null, $"SELECT {Db.ImageColumns} FROM images WHERE id = @id AND org_id = @org");
        using var r = cmd.With("@id", imageId).With("@org", orgId).ExecuteReader();
        return r.Read() ? Db.ReadImage(r) : null;
    }

    public async Task<IReadOnlyList<ImageRecord>> GetManyAsync(Guid orgId, IReadOnlyList<Guid> imageIds, CancellationToken ct = default)
    {
        var found = new List<ImageRecord>(imageIds.Count);
        if (imageIds.Count == 0)
        {
            return found;
        }

        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var tx = connection.BeginTransaction(deferred: true);
        // A primary-key lookup per id (microseconds each) keeps the caller's order without sorting.
        using var cmd = connection.Command(tx, $"SELECT {Db.ImageColumns} FROM images WHERE id = @id AND org_id = @org");
        var id = cmd.Param("@id", SqliteType.Blob);
        cmd.With("@org", orgId);
        cmd.Prepare();
        foreach (var imageId in imageIds)
        {
            id.Value = imageId;
            using var r = cmd.ExecuteReader();
            if (r.Read())
            {
                found.Add(Db.ReadImage(r));
            }
        }

        tx.Commit();
        return found;
    }

    public async Task<IReadOnlyList<PathStatus>> GetStatusesAsync(Guid orgId, Guid datasetId, IReadOnlyList<string> paths, CancellationToken ct = default)
    {
        var statuses = new List<PathStatus>(paths.Count);
        if (paths.Count == 0)
        {
            return statuses;
        }

        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var tx = connection.BeginTransaction(deferred: true);
        using var cmd = connection.Command(tx, """
            SELECT id, status, error_code, error_reason, latest_event_type, latest_event_at, latest_event_detail
            FROM images WHERE dataset_id = @d AND path = @p AND org_id = @org
            """);
        cmd.With("@d", datasetId).With("@org", orgId);
        var path = cmd.Param("@p", SqliteType.Text);
        cmd.Prepare();
        foreach (var p in paths)
        {
            path.Value = p;
            using var r = cmd.ExecuteReader();
            statuses.Add(r.Read()
                ? new PathStatus(p, r.GetString(1), r.GetGuid(0), r.NullableString(2), r.NullableString(3), r.Event(4, 5, 6))
                : new PathStatus(p, ImageStatus.NotFound, null, null, null, null));
        }

        tx.Commit();
        return statuses;
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

    /// <summary>Writes must not attach images to a dataset of another organization (or one deleted meanwhile).</summary>
    private static void EnsureDataset(SqliteConnection connection, SqliteTransaction tx, Guid orgId, Guid datasetId)
    {
        using var cmd = connection.Command(tx, "SELECT 1 FROM datasets WHERE id = @d AND org_id = @org");
        if (cmd.With("@d", datasetId).With("@org", orgId).ExecuteScalar() is null)
        {
            throw new KeyNotFoundException($"Dataset {datasetId} not found.");
        }
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
