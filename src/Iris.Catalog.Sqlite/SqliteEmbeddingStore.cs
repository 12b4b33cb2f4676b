using Iris.Models;
using Microsoft.Data.Sqlite;

namespace Iris.Catalog.Sqlite;

internal sealed class SqliteEmbeddingStore(SqliteCatalog db) : IEmbeddingStore
{
    private const string Columns = "e.image_id, e.dataset_id, e.model, e.vector, e.seq, e.written_at";

    public async Task<StoredEmbedding?> GetAsync(Guid orgId, Guid imageId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var cmd = connection.Command(null, $"""
            SELECT {Columns} FROM image_embeddings e JOIN images i ON i.id = e.image_id
            WHERE e.image_id = @id AND i.org_id = @org
            """);
        using var r = cmd.With("@id", imageId).With("@org", orgId).ExecuteReader();
        return r.Read() ? Read(r) : null;
    }

    public async Task<IReadOnlyList<StoredEmbedding>> ReadChangesAsync(
        Guid datasetId, string model, long afterSeq, DateTimeOffset writtenSince, int limit, CancellationToken ct = default)
    {
        // One writer at a time commits in seq order here, so afterSeq alone is exact; writtenSince is for shared engines.
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var cmd = connection.Command(null, $"""
            SELECT {Columns} FROM image_embeddings e
            WHERE e.dataset_id = @d AND e.model = @m AND e.seq > @after
            ORDER BY e.seq LIMIT @limit
            """);
        using var r = cmd.With("@d", datasetId).With("@m", model).With("@after", afterSeq).With("@limit", limit).ExecuteReader();
        var rows = new List<StoredEmbedding>();
        while (r.Read()) rows.Add(Read(r));
        return rows;
    }

    public async Task<bool> PutAsync(Guid imageId, string model, byte[] vector, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var tx = connection.BeginTransaction();
        Guid datasetId;
        using (var image = connection.Command(tx, $"SELECT dataset_id FROM images WHERE id = @id AND status = '{ImageStatus.Completed}'"))
        {
            if (image.With("@id", imageId).ExecuteScalar() is not byte[] dataset) return false;
            datasetId = new Guid(dataset);
        }
        Write(connection, tx, imageId, datasetId, model, vector, Db.ToMicros(now));
        tx.Commit();
        return true;
    }

    public async Task<IReadOnlyList<EmbeddingCandidate>> ListMissingAsync(
        Guid datasetId, string model, Guid? afterId, int limit, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var cmd = connection.Command(null, $"""
            SELECT i.id, i.preview_key FROM images i INDEXED BY ix_images_dataset_status
            WHERE i.dataset_id = @d AND i.status = '{ImageStatus.Completed}' AND i.preview_key IS NOT NULL
              AND (@after IS NULL OR i.id > @after)
              AND NOT EXISTS (SELECT 1 FROM image_embeddings e WHERE e.image_id = i.id AND e.model = @m)
            ORDER BY i.id LIMIT @limit
            """);
        using var r = cmd.With("@d", datasetId).With("@m", model).With("@after", afterId).With("@limit", limit).ExecuteReader();
        var rows = new List<EmbeddingCandidate>();
        while (r.Read()) rows.Add(new EmbeddingCandidate(r.GetGuid(0), r.GetString(1)));
        return rows;
    }

    public async Task<long> CountMissingAsync(Guid datasetId, string model, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var cmd = connection.Command(null, $"""
            SELECT COUNT(*) FROM images i INDEXED BY ix_images_dataset_status
            WHERE i.dataset_id = @d AND i.status = '{ImageStatus.Completed}' AND i.preview_key IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM image_embeddings e WHERE e.image_id = i.id AND e.model = @m)
            """);
        return (long)cmd.With("@d", datasetId).With("@m", model).ExecuteScalar()!;
    }

    /// <summary>Stores the image's embedding in the caller's transaction, replacing any (with a new seq).</summary>
    internal static void Write(SqliteConnection connection, SqliteTransaction tx, Guid imageId, Guid datasetId, string model, byte[] vector, long nowUs)
    {
        using var cmd = connection.Command(tx, """
            DELETE FROM image_embeddings WHERE image_id = @id;
            INSERT INTO image_embeddings (image_id, dataset_id, model, vector, written_at) VALUES (@id, @d, @m, @v, @now);
            """);
        cmd.With("@id", imageId).With("@d", datasetId).With("@m", model).With("@v", vector).With("@now", nowUs).ExecuteNonQuery();
    }

    private static StoredEmbedding Read(SqliteDataReader r) =>
        new(r.GetGuid(0), r.GetGuid(1), r.GetString(2), (byte[])r.GetValue(3), r.GetInt64(4), r.Time(5));
}
