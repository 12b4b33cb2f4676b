using Iris.Models;
using Microsoft.Data.Sqlite;

namespace Iris.Catalog.Sqlite;

/// <summary>Small helpers shared by the stores: commands, parameters, time and row mapping.</summary>
internal static class Db
{
    /// <summary>Microseconds since the Unix epoch (UTC): the precision the wire format shows.</summary>
    public static long ToMicros(DateTimeOffset t) => CatalogTime.ToMicros(t);

    public static DateTimeOffset FromMicros(long micros) => CatalogTime.FromMicros(micros);

    /// <summary>The instant as the catalog stores it, so returned records equal what a later read gives.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset t) => CatalogTime.Truncate(t);

    public static SqliteCommand Command(this SqliteConnection connection, SqliteTransaction? tx, string sql)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }

    /// <summary>Adds a parameter; a null value is bound as SQL NULL and a Guid as its 16 bytes.</summary>
    public static SqliteCommand With(this SqliteCommand cmd, string name, object? value)
    {
        // AddWithValue would infer TEXT for a Guid; the schema keeps ids as 16-byte BLOBs.
        var parameter = cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        if (value is Guid)
        {
            parameter.SqliteType = SqliteType.Blob;
        }

        return cmd;
    }

    public static SqliteParameter Param(this SqliteCommand cmd, string name, SqliteType type) => cmd.Parameters.Add(name, type);

    public static object OrNull(string? value) => (object?)value ?? DBNull.Value;

    public static object OrNull(long? value) => value.HasValue ? value.Value : DBNull.Value;

    public static object OrNull(Guid? value) => value.HasValue ? value.Value : DBNull.Value;

    public static string? NullableString(this SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    public static DateTimeOffset Time(this SqliteDataReader r, int i) => FromMicros(r.GetInt64(i));

    public static DateTimeOffset? NullableTime(this SqliteDataReader r, int i) => r.IsDBNull(i) ? null : FromMicros(r.GetInt64(i));

    public static Guid? NullableGuid(this SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetGuid(i);

    public static ImageEvent? Event(this SqliteDataReader r, int type, int at, int detail) =>
        r.IsDBNull(type) ? null : new ImageEvent(r.GetString(type), r.Time(at), r.NullableString(detail));

    // Column lists and readers kept side by side so their ordinals cannot drift apart.

    public const string ImageColumns =
        "id, org_id, dataset_id, path, user_id, metadata, status, error_code, error_reason, technical_metadata, " +
        "blob_sha256, created_by, created_at, updated_by, updated_at, request_id, request_at, " +
        "latest_event_type, latest_event_at, latest_event_detail";

    public static ImageRecord ReadImage(SqliteDataReader r) => new(
        Id: r.GetGuid(0),
        OrgId: r.GetGuid(1),
        DatasetId: r.GetGuid(2),
        Path: r.GetString(3),
        UserId: r.NullableString(4),
        MetadataJson: r.NullableString(5),
        Status: r.GetString(6),
        ErrorCode: r.NullableString(7),
        ErrorReason: r.NullableString(8),
        TechnicalMetadataJson: r.NullableString(9),
        BlobSha256: r.NullableString(10),
        CreatedBy: r.GetString(11),
        CreatedAt: r.Time(12),
        UpdatedBy: r.GetString(13),
        UpdatedAt: r.Time(14),
        RequestId: r.NullableGuid(15),
        RequestAt: r.NullableTime(16),
        LatestEvent: r.Event(17, 18, 19));

    public const string DatasetColumns =
        "id, org_id, name, description, created_by, created_at, updated_by, updated_at, completed_count, encoder_name, status, settings";

    public static Dataset ReadDataset(SqliteDataReader r) => new(
        Id: r.GetGuid(0),
        OrgId: r.GetGuid(1),
        Name: r.GetString(2),
        Description: r.NullableString(3),
        CreatedBy: r.GetString(4),
        CreatedAt: r.Time(5),
        UpdatedBy: r.GetString(6),
        UpdatedAt: r.Time(7),
        ImageCount: r.GetInt64(8),
        EncoderName: r.GetString(9),
        Status: r.GetString(10),
        SettingsJson: r.NullableString(11));

    public const string JobColumns =
        "id, org_id, dataset_id, job_type, details, connection_name, source_type, file_path, status, total_assets, " +
        "processed_assets, errored_assets, error_details, created_by, created_at, updated_at, started_at, finished_at";

    public static IngestJob ReadJob(SqliteDataReader r) => new(
        Id: r.GetGuid(0),
        OrgId: r.GetGuid(1),
        DatasetId: r.GetGuid(2),
        JobType: r.GetString(3),
        DetailsJson: r.GetString(4),
        ConnectionName: r.NullableString(5),
        SourceType: r.NullableString(6),
        FilePath: r.NullableString(7),
        Status: r.GetString(8),
        TotalAssets: r.IsDBNull(9) ? null : r.GetInt64(9),
        ProcessedAssets: r.GetInt64(10),
        ErroredAssets: r.GetInt64(11),
        ErrorDetails: r.NullableString(12),
        CreatedBy: r.GetString(13),
        CreatedAt: r.Time(14),
        UpdatedAt: r.Time(15),
        StartedAt: r.NullableTime(16),
        FinishedAt: r.NullableTime(17));

    /// <summary>Binds a job's columns as @j0..@j17, in <see cref="JobColumns"/> order.</summary>
    public static SqliteCommand WithJob(this SqliteCommand cmd, IngestJob j) => cmd
        .With("@j0", j.Id).With("@j1", j.OrgId).With("@j2", j.DatasetId).With("@j3", j.JobType).With("@j4", j.DetailsJson)
        .With("@j5", j.ConnectionName).With("@j6", j.SourceType).With("@j7", j.FilePath).With("@j8", j.Status)
        .With("@j9", j.TotalAssets).With("@j10", j.ProcessedAssets).With("@j11", j.ErroredAssets).With("@j12", j.ErrorDetails)
        .With("@j13", j.CreatedBy).With("@j14", ToMicros(j.CreatedAt)).With("@j15", ToMicros(j.UpdatedAt))
        .With("@j16", j.StartedAt is { } s ? ToMicros(s) : null).With("@j17", j.FinishedAt is { } f ? ToMicros(f) : null);

    public const string JobValues = "@j0, @j1, @j2, @j3, @j4, @j5, @j6, @j7, @j8, @j9, @j10, @j11, @j12, @j13, @j14, @j15, @j16, @j17";

    public const string CredentialColumns = "client_id, org_id, secret_hash, created_at, revoked_at, name";

    public static Credential ReadCredential(SqliteDataReader r) => new(
        ClientId: r.GetString(0),
        OrgId: r.GetGuid(1),
        SecretHash: (byte[])r.GetValue(2),
        CreatedAt: r.Time(3),
        RevokedAt: r.NullableTime(4),
        Name: r.IsDBNull(5) ? null : r.GetString(5));
}
