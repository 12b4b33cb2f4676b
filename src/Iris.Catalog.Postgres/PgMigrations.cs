using Npgsql;

namespace Iris.Catalog.Postgres;

/// <summary>One schema step: applied once, in version order, inside its own transaction.</summary>
internal sealed record PgMigration(int Version, string Name, string Sql);

/// <summary>
/// The PostgreSQL schema, the same tables and meaning as the SQLite one (ids as uuid, instants as timestamptz),
/// as an ordered list of migrations recorded in <c>schema_migrations</c>. Applied under a session advisory lock,
/// so several nodes starting at once migrate one after the other.
/// </summary>
internal static class PgMigrations
{
    /// <summary>The advisory lock key of the migrations ('Iris' in ASCII).</summary>
    private const long MigrationLock = 0x49726973;

    // Append only: never edit a migration that has shipped, add the next version instead.
    public static readonly IReadOnlyList<PgMigration> All =
    [
        new(1, "initial", """
            CREATE TABLE organizations (
                id          uuid PRIMARY KEY,
                name        text NOT NULL UNIQUE,
                created_at  timestamptz NOT NULL
            );

            CREATE TABLE credentials (
                client_id   text PRIMARY KEY,
                org_id      uuid NOT NULL REFERENCES organizations(id),
                secret_hash bytea NOT NULL,
                created_at  timestamptz NOT NULL,
                revoked_at  timestamptz,
                name        text
            );
            CREATE INDEX ix_credentials_org ON credentials(org_id, created_at);

            CREATE TABLE datasets (
                id              uuid PRIMARY KEY,
                org_id          uuid NOT NULL REFERENCES organizations(id),
                name            text NOT NULL,
                description     text,
                created_by      text NOT NULL,
                created_at      timestamptz NOT NULL,
                updated_by      text NOT NULL,
                updated_at      timestamptz NOT NULL,
                -- number of completed images, maintained on every status change so counting never scans
                completed_count bigint NOT NULL DEFAULT 0,
                UNIQUE (org_id, name)
            );
            CREATE INDEX ix_datasets_org_created ON datasets(org_id, created_at, id);

            CREATE TABLE images (
                id                  uuid PRIMARY KEY,
                org_id              uuid NOT NULL,
                dataset_id          uuid NOT NULL REFERENCES datasets(id),
                path                text NOT NULL,
                user_id             text,
                metadata            text,
                status              text NOT NULL
                    CHECK (status IN ('pending', 'processing_started', 'completed', 'error')),
                error_code          text,
                error_reason        text,
                technical_metadata  text,
                blob_sha256         text,
                created_by          text NOT NULL,
                created_at          timestamptz NOT NULL,
                updated_by          text NOT NULL,
                updated_at          timestamptz NOT NULL,
                request_id          uuid,
                request_at          timestamptz,
                -- copy of the newest image_events row so reads never join the history
                latest_event_type   text,
                latest_event_at     timestamptz,
                latest_event_detail text,
                -- the file's SHA-256 (exact copies), the 64-bit perceptual hash and the preview's blob key (both
                -- only on completed images)
                sha256              text,
                phash               bigint,
                preview_key         text,
                UNIQUE (dataset_id, path)
            );
            CREATE INDEX ix_images_blob ON images(blob_sha256) WHERE blob_sha256 IS NOT NULL;
            CREATE INDEX ix_images_dataset_sha256 ON images(dataset_id, sha256) WHERE sha256 IS NOT NULL;
            CREATE INDEX ix_images_dataset_phash ON images(dataset_id) INCLUDE (phash, id) WHERE phash IS NOT NULL;

            -- The queue: seq gives insertion order; a free job has no owner (a handed-back one may still wait
            -- until lease_expires_at).
            CREATE TABLE ingestion_jobs (
                seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                image_id         uuid NOT NULL UNIQUE REFERENCES images(id),
                attempts         integer NOT NULL DEFAULT 0,
                lease_owner      text,
                lease_expires_at timestamptz,
                enqueued_at      timestamptz NOT NULL
            );

            CREATE TABLE image_events (
                seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                image_id   uuid NOT NULL REFERENCES images(id),
                event_type text NOT NULL,
                at         timestamptz NOT NULL,
                detail     text
            );
            CREATE INDEX ix_image_events_image ON image_events(image_id, seq);
            """),
        new(2, "v1 datasets and ingest jobs", """
            -- Coactive's dataset fields: the encoder asked for, active/inactive, and the settings Iris records
            -- without acting on them (JSON).
            ALTER TABLE datasets ADD COLUMN encoder_name text NOT NULL DEFAULT 'multimodal';
            ALTER TABLE datasets ADD COLUMN status text NOT NULL DEFAULT 'active';
            ALTER TABLE datasets ADD COLUMN settings text;

            -- An ingest job counts its assets: the counters change in the transaction that finishes an image.
            CREATE TABLE ingest_jobs (
                id               uuid PRIMARY KEY,
                org_id           uuid NOT NULL,
                dataset_id       uuid NOT NULL REFERENCES datasets(id),
                job_type         text NOT NULL,
                details          text NOT NULL,
                connection_name  text,
                source_type      text,
                file_path        text,
                status           text NOT NULL,
                total_assets     bigint,
                processed_assets bigint NOT NULL DEFAULT 0,
                errored_assets   bigint NOT NULL DEFAULT 0,
                error_details    text,
                created_by       text NOT NULL,
                created_at       timestamptz NOT NULL,
                updated_at       timestamptz NOT NULL,
                started_at       timestamptz,
                finished_at      timestamptz
            );
            CREATE INDEX ix_ingest_jobs_org ON ingest_jobs(org_id, created_at, id);
            CREATE INDEX ix_ingest_jobs_dataset ON ingest_jobs(dataset_id, created_at, id);

            -- The images of a job; outcome (completed or error) is set once, when the image first finishes after
            -- the job took it in, so a finished job never changes again.
            CREATE TABLE ingest_job_assets (
                job_id   uuid NOT NULL REFERENCES ingest_jobs(id),
                image_id uuid NOT NULL REFERENCES images(id),
                position integer NOT NULL,
                outcome  text,
                PRIMARY KEY (job_id, position)
            );
            CREATE INDEX ix_ingest_job_assets_image ON ingest_job_assets(image_id);

            -- Status pages and counts of one dataset.
            CREATE INDEX ix_images_dataset_status ON images(dataset_id, status, id);
            CREATE INDEX ix_images_dataset_id ON images(dataset_id, id);
            """),
        new(3, "visual embeddings", """
            -- One embedding per completed image. seq orders the writes (a replaced embedding gets a new one), so a
            -- node's in-memory index reads only what changed since the last seq it saw; written_at covers the commits
            -- that land out of seq order between nodes.
            CREATE TABLE image_embeddings (
                image_id    uuid PRIMARY KEY REFERENCES images(id),
                dataset_id  uuid NOT NULL,
                model       text NOT NULL,
                vector      bytea NOT NULL,
                seq         bigserial NOT NULL,
                written_at  timestamptz NOT NULL
            );
            CREATE INDEX ix_image_embeddings_dataset_seq ON image_embeddings(dataset_id, model, seq);
            CREATE INDEX ix_image_embeddings_dataset_written ON image_embeddings(dataset_id, model, written_at);

            -- The workers of jobs that finish no image (embeddings jobs) look for open ones of their type.
            CREATE INDEX ix_ingest_jobs_open ON ingest_jobs(job_type, created_at, id) WHERE status IN ('pending', 'in_progress');
            """),
    ];

    public static int LatestVersion => All[^1].Version;

    /// <summary>Applies the pending migrations under the migration lock; returns the schema version afterwards.</summary>
    public static async Task<int> ApplyAsync(NpgsqlConnection connection, IReadOnlyList<PgMigration> migrations, CancellationToken ct)
    {
        var latest = migrations.Count == 0 ? 0 : migrations[^1].Version;
        await ExecAsync(connection, null, $"SELECT pg_advisory_lock({MigrationLock})", ct);
        try
        {
            await ExecAsync(connection, null, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL
                )
                """, ct);
            var current = await CurrentVersionAsync(connection, ct);
            if (current > latest)
            {
                throw new InvalidOperationException(
                    $"The catalog database is at schema version {current}, newer than the {latest} this build of Iris knows. " +
                    "Upgrade this node, or point it at another database.");
            }

            foreach (var migration in migrations)
            {
                if (migration.Version <= current) continue;
                await using var tx = await connection.BeginTransactionAsync(ct);
                await ExecAsync(connection, tx, migration.Sql, ct);
                await using (var record = new NpgsqlCommand(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())", connection, tx))
                {
                    record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = migration.Version });
                    record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = migration.Name });
                    await record.ExecuteNonQueryAsync(ct);
                }
                await tx.CommitAsync(ct);
                current = migration.Version;
            }
            return current;
        }
        finally
        {
            await ExecAsync(connection, null, $"SELECT pg_advisory_unlock({MigrationLock})", CancellationToken.None);
        }
    }

    internal static async Task<int> CurrentVersionAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", connection);
        return (int)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static async Task ExecAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
