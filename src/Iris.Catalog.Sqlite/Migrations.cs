using Microsoft.Data.Sqlite;

namespace Iris.Catalog.Sqlite;

/// <summary>One schema step: applied once, in version order, inside its own transaction.</summary>
internal sealed record Migration(int Version, string Name, string Sql);

/// <summary>The catalog schema as an ordered list of migrations recorded in <c>schema_migrations</c>.</summary>
internal static class Migrations
{
    // Append only: never edit a migration that has shipped, add the next version instead.
    public static readonly IReadOnlyList<Migration> All =
    [
        new(1, "initial", """
            CREATE TABLE organizations (
                id          BLOB PRIMARY KEY,
                name        TEXT NOT NULL UNIQUE,
                created_at  INTEGER NOT NULL
            ) STRICT;

            CREATE TABLE credentials (
                client_id   TEXT PRIMARY KEY,
                org_id      BLOB NOT NULL REFERENCES organizations(id),
                secret_hash BLOB NOT NULL,
                created_at  INTEGER NOT NULL,
                revoked_at  INTEGER
            ) STRICT;
            CREATE INDEX ix_credentials_org ON credentials(org_id, created_at);
            CREATE INDEX ix_credentials_active ON credentials(client_id) WHERE revoked_at IS NULL;

            CREATE TABLE datasets (
                id              BLOB PRIMARY KEY,
                org_id          BLOB NOT NULL REFERENCES organizations(id),
                name            TEXT NOT NULL,
                description     TEXT,
                created_by      TEXT NOT NULL,
                created_at      INTEGER NOT NULL,
                updated_by      TEXT NOT NULL,
                updated_at      INTEGER NOT NULL,
                -- number of completed images, maintained on every status change so counting never scans
                completed_count INTEGER NOT NULL DEFAULT 0,
                UNIQUE (org_id, name)
            ) STRICT;
            CREATE INDEX ix_datasets_org_created ON datasets(org_id, created_at, id);

            CREATE TABLE images (
                id                  BLOB PRIMARY KEY,
                org_id              BLOB NOT NULL,
                dataset_id          BLOB NOT NULL REFERENCES datasets(id),
                path                TEXT NOT NULL,
                user_id             TEXT,
                metadata            TEXT,
                status              TEXT NOT NULL
                    CHECK (status IN ('pending', 'processing_started', 'completed', 'error')),
                error_code          TEXT,
                error_reason        TEXT,
                technical_metadata  TEXT,
                blob_sha256         TEXT,
                created_by          TEXT NOT NULL,
                created_at          INTEGER NOT NULL,
                updated_by          TEXT NOT NULL,
                updated_at          INTEGER NOT NULL,
                request_id          BLOB,
                request_at          INTEGER,
                -- copy of the newest image_events row so reads never join the history
                latest_event_type   TEXT,
                latest_event_at     INTEGER,
                latest_event_detail TEXT,
                UNIQUE (dataset_id, path)
            ) STRICT;
            CREATE INDEX ix_images_blob ON images(blob_sha256) WHERE blob_sha256 IS NOT NULL;

            -- The queue: seq gives insertion order; a free job has no lease.
            CREATE TABLE ingestion_jobs (
                seq              INTEGER PRIMARY KEY,
                image_id         BLOB NOT NULL UNIQUE REFERENCES images(id),
                attempts         INTEGER NOT NULL DEFAULT 0,
                lease_owner      TEXT,
                lease_expires_at INTEGER,
                enqueued_at      INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX ix_jobs_lease ON ingestion_jobs(lease_expires_at) WHERE lease_expires_at IS NOT NULL;
            CREATE INDEX ix_jobs_attempts ON ingestion_jobs(attempts);

            CREATE TABLE image_events (
                seq        INTEGER PRIMARY KEY,
                image_id   BLOB NOT NULL REFERENCES images(id),
                event_type TEXT NOT NULL,
                at         INTEGER NOT NULL,
                detail     TEXT
            ) STRICT;
            CREATE INDEX ix_image_events_image ON image_events(image_id);
            """),
        new(2, "previews and duplicates", """
            -- The file's SHA-256 as a column (exact copies), the 64-bit perceptual hash (near copies; set only
            -- on completed images) and the blob key of the preview (set only on completed images).
            ALTER TABLE images ADD COLUMN sha256 TEXT;
            ALTER TABLE images ADD COLUMN phash INTEGER;
            ALTER TABLE images ADD COLUMN preview_key TEXT;
            UPDATE images SET sha256 = json_extract(technical_metadata, '$.sha256') WHERE technical_metadata IS NOT NULL;

            CREATE INDEX ix_images_dataset_sha256 ON images(dataset_id, sha256) WHERE sha256 IS NOT NULL;
            -- Covers the near-copy scan of one dataset's (id, phash) pairs without reading any row.
            CREATE INDEX ix_images_dataset_phash ON images(dataset_id, phash, id) WHERE phash IS NOT NULL;
            """),
        new(3, "credential names", """
            ALTER TABLE credentials ADD COLUMN name TEXT;
            """),
        new(4, "v1 datasets and ingest jobs", """
            -- Coactive's dataset fields: the encoder asked for, active/inactive, and the settings Iris records
            -- without acting on them (JSON).
            ALTER TABLE datasets ADD COLUMN encoder_name TEXT NOT NULL DEFAULT 'multimodal';
            ALTER TABLE datasets ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
            ALTER TABLE datasets ADD COLUMN settings TEXT;

            -- An ingest job counts its assets: the counters change in the transaction that finishes an image.
            CREATE TABLE ingest_jobs (
                id               BLOB PRIMARY KEY,
                org_id           BLOB NOT NULL,
                dataset_id       BLOB NOT NULL REFERENCES datasets(id),
                job_type         TEXT NOT NULL,
                details          TEXT NOT NULL,
                connection_name  TEXT,
                source_type      TEXT,
                file_path        TEXT,
                status           TEXT NOT NULL,
                total_assets     INTEGER,
                processed_assets INTEGER NOT NULL DEFAULT 0,
                errored_assets   INTEGER NOT NULL DEFAULT 0,
                error_details    TEXT,
                created_by       TEXT NOT NULL,
                created_at       INTEGER NOT NULL,
                updated_at       INTEGER NOT NULL,
                started_at       INTEGER,
                finished_at      INTEGER
            ) STRICT;
            CREATE INDEX ix_ingest_jobs_org ON ingest_jobs(org_id, created_at, id);
            CREATE INDEX ix_ingest_jobs_dataset ON ingest_jobs(dataset_id, created_at, id);

            -- The images of a job; outcome (completed or error) is set once, when the image first finishes after
            -- the job took it in, so a finished job never changes again.
            CREATE TABLE ingest_job_assets (
                job_id   BLOB NOT NULL REFERENCES ingest_jobs(id),
                image_id BLOB NOT NULL REFERENCES images(id),
                position INTEGER NOT NULL,
                outcome  TEXT,
                PRIMARY KEY (job_id, position)
            ) STRICT;
            CREATE INDEX ix_ingest_job_assets_image ON ingest_job_assets(image_id);

            -- Status pages and counts of one dataset.
            CREATE INDEX ix_images_dataset_status ON images(dataset_id, status, id);
            CREATE INDEX ix_images_dataset_id ON images(dataset_id, id);
            """),
        new(5, "visual embeddings", """
            -- One embedding per completed image. seq orders the writes (a replaced embedding gets a new one), so a
            -- node's in-memory index reads only what changed since the last seq it saw.
            CREATE TABLE image_embeddings (
                seq         INTEGER PRIMARY KEY AUTOINCREMENT,
                image_id    BLOB NOT NULL UNIQUE REFERENCES images(id),
                dataset_id  BLOB NOT NULL,
                model       TEXT NOT NULL,
                vector      BLOB NOT NULL,
                written_at  INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX ix_image_embeddings_dataset_seq ON image_embeddings(dataset_id, model, seq);

            -- The workers of jobs that finish no image (embeddings jobs) look for open ones of their type.
            CREATE INDEX ix_ingest_jobs_open ON ingest_jobs(job_type, created_at, id) WHERE status IN ('pending', 'in_progress');
            """),
    ];

    public static int LatestVersion => All[^1].Version;

    /// <summary>Applies the pending migrations; returns the schema version afterwards.</summary>
    public static int Apply(SqliteConnection connection, IReadOnlyList<Migration> migrations, CancellationToken ct)
    {
        int latest = migrations.Count == 0 ? 0 : migrations[^1].Version;

        // WAL persists in the file; setting it here once covers every later connection.
        Exec(connection, null, "PRAGMA journal_mode=WAL;");
        Exec(connection, null, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT NOT NULL,
                applied_at TEXT NOT NULL
            );
            """);

        int current = CurrentVersion(connection, null);
        if (current > latest)
        {
            throw new InvalidOperationException(
                $"The catalog database is at schema version {current}, newer than the {latest} this build of Iris knows. " +
                "Run a newer Iris, or use another data folder.");
        }

        foreach (var migration in migrations)
        {
            ct.ThrowIfCancellationRequested();
            if (migration.Version <= current)
            {
                continue;
            }

            using var tx = connection.BeginTransaction();
            // Re-read under the write lock: another process may have migrated meanwhile.
            current = CurrentVersion(connection, tx);
            if (migration.Version <= current)
            {
                continue;
            }

            Exec(connection, tx, migration.Sql);
            using (var record = connection.Command(tx,
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, @n, @at)"))
            {
                record.Parameters.AddWithValue("@v", migration.Version);
                record.Parameters.AddWithValue("@n", migration.Name);
                record.Parameters.AddWithValue("@at", DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                record.ExecuteNonQuery();
            }

            tx.Commit();
            current = migration.Version;
        }

        return current;
    }

    internal static int CurrentVersion(SqliteConnection connection, SqliteTransaction? tx)
    {
        using var cmd = connection.Command(tx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
        return Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Exec(SqliteConnection connection, SqliteTransaction? tx, string sql)
    {
        using var cmd = connection.Command(tx, sql);
        cmd.ExecuteNonQuery();
    }
}
