using Iris.Models;
using Npgsql;
using NpgsqlTypes;

namespace Iris.Catalog.Postgres;

internal sealed class PostgresEmbeddingStore(PostgresCatalog db) : IEmbeddingStore
{
    private const string Columns = "e.image_id, e.dataset_id, e.model, e.vector, e.seq, e.written_at";

    /// <summary>Stores the image's embedding, replacing any with a new seq (on the caller's connection and transaction).</summary>
    internal const string UpsertSql = """
        INSERT INTO image_embeddings (image_id, dataset_id, model, vector, written_at) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (image_id) DO UPDATE SET dataset_id = EXCLUDED.dataset_id, model = EXCLUDED.model, vector = EXCLUDED.vector,
            written_at = EXCLUDED.written_at, seq = nextval(pg_get_serial_sequence('image_embeddings', 'seq'))
        """;

    internal static NpgsqlParameter[] UpsertParams(Guid imageId, Guid datasetId, string model, byte[] vector, DateTimeOffset now) =>
    [
        PgRows.UuidParam(imageId), PgRows.UuidParam(datasetId), PgRows.TextParam(model),
        new NpgsqlParameter<byte[]> { TypedValue = vector, NpgsqlDbType = NpgsqlDbType.Bytea }, PgRows.TimeParam(now),
    ];

    public Task<StoredEmbedding?> GetAsync(Guid orgId, Guid imageId, CancellationToken ct = default) => db.ReadAsync(async connection =>
    {
        await using var cmd = connection.Command($"""
            SELECT {Columns} FROM image_embeddings e JOIN images i ON i.id = e.image_id
            WHERE e.image_id = $1 AND i.org_id = $2
            """);
        await using var r = await cmd.Uuid(imageId).Uuid(orgId).ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }, ct);

    public Task<IReadOnlyList<StoredEmbedding>> ReadChangesAsync(
        Guid datasetId, string model, long afterSeq, DateTimeOffset writtenSince, int limit, CancellationToken ct = default) =>
        db.ReadAsync<IReadOnlyList<StoredEmbedding>>(async connection =>
        {
            // Sequence numbers are taken before commit, so on a shared database a lower one can become visible after a
            // higher one: rows written recently are read again whatever their seq (adding an id twice replaces it).
            await using var cmd = connection.Command($"""
                SELECT {Columns} FROM image_embeddings e
                WHERE e.dataset_id = $1 AND e.model = $2 AND e.seq > $3
                UNION
                SELECT {Columns} FROM image_embeddings e
                WHERE e.dataset_id = $1 AND e.model = $2 AND e.written_at >= $4
                ORDER BY 5 LIMIT $5
                """);
            await using var r = await cmd.Uuid(datasetId).Text(model).Arg(afterSeq).Time(writtenSince).Arg(limit).ExecuteReaderAsync(ct);
            var rows = new List<StoredEmbedding>();
            while (await r.ReadAsync(ct)) rows.Add(Read(r));
            return rows;
        }, ct);

    public Task<bool> PutAsync(Guid imageId, string model, byte[] vector, DateTimeOffset now, CancellationToken ct = default) => db.RunAsync(async connection =>
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        Guid datasetId;
        await using (var image = connection.Command($"SELECT dataset_id FROM images WHERE id = $1 AND status = '{ImageStatus.Completed}' FOR SHARE", tx))
        {
            if (await image.Uuid(imageId).ExecuteScalarAsync(ct) is not Guid dataset) return false;
            datasetId = dataset;
        }
        await using (var upsert = new NpgsqlCommand(UpsertSql, connection, tx))
        {
            upsert.Parameters.AddRange(UpsertParams(imageId, datasetId, model, vector, now));
            await upsert.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return true;
    }, ct);

    public Task<IReadOnlyList<EmbeddingCandidate>> ListMissingAsync(
        Guid datasetId, string model, Guid? afterId, int limit, CancellationToken ct = default) =>
        db.ReadAsync<IReadOnlyList<EmbeddingCandidate>>(async connection =>
        {
            await using var cmd = connection.Command($"""
                SELECT i.id, i.preview_key FROM images i
                WHERE i.dataset_id = $1 AND i.status = '{ImageStatus.Completed}' AND i.preview_key IS NOT NULL
                  AND ($3::uuid IS NULL OR i.id > $3)
                  AND NOT EXISTS (SELECT 1 FROM image_embeddings e WHERE e.image_id = i.id AND e.model = $2)
                ORDER BY i.id LIMIT $4
                """);
            await using var r = await cmd.Uuid(datasetId).Text(model).Uuid(afterId).Arg(limit).ExecuteReaderAsync(ct);
            var rows = new List<EmbeddingCandidate>();
            while (await r.ReadAsync(ct)) rows.Add(new EmbeddingCandidate(r.GetGuid(0), r.GetString(1)));
            return rows;
        }, ct);

    public Task<long> CountMissingAsync(Guid datasetId, string model, CancellationToken ct = default) => db.ReadAsync(async connection =>
    {
        await using var cmd = connection.Command($"""
            SELECT COUNT(*) FROM images i
            WHERE i.dataset_id = $1 AND i.status = '{ImageStatus.Completed}' AND i.preview_key IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM image_embeddings e WHERE e.image_id = i.id AND e.model = $2)
            """);
        return (long)(await cmd.Uuid(datasetId).Text(model).ExecuteScalarAsync(ct))!;
    }, ct);

    private static StoredEmbedding Read(NpgsqlDataReader r) =>
        new(r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetFieldValue<byte[]>(3), r.GetInt64(4), r.Time(5));
}
