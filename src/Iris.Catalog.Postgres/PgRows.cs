using Iris.Models;
using Npgsql;
using NpgsqlTypes;

namespace Iris.Catalog.Postgres;

/// <summary>Commands, typed parameters and row mapping shared by the stores; column lists sit next to their readers.</summary>
internal static class PgRows
{
    public static NpgsqlCommand Command(this NpgsqlConnection connection, string sql, NpgsqlTransaction? tx = null) => new(sql, connection, tx);

    /// <summary>Adds a positional parameter without boxing; null is SQL NULL of the value's type.</summary>
    public static NpgsqlCommand Arg<T>(this NpgsqlCommand cmd, T value)
    {
        cmd.Parameters.Add(new NpgsqlParameter<T> { TypedValue = value });
        return cmd;
    }

    public static NpgsqlCommand Text(this NpgsqlCommand cmd, string? value) => cmd.With(TextParam(value));

    public static NpgsqlCommand Time(this NpgsqlCommand cmd, DateTimeOffset? value) => cmd.With(TimeParam(value));

    public static NpgsqlCommand Uuid(this NpgsqlCommand cmd, Guid? value) => cmd.With(UuidParam(value));

    private static NpgsqlCommand With(this NpgsqlCommand cmd, NpgsqlParameter parameter)
    {
        cmd.Parameters.Add(parameter);
        return cmd;
    }

    public static NpgsqlParameter UuidParam(Guid? value) => new() { Value = value is { } v ? v : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid };

    public static NpgsqlParameter TextParam(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    /// <summary>An instant as the catalog keeps it: UTC, to the microsecond.</summary>
    public static NpgsqlParameter TimeParam(DateTimeOffset? value) =>
        new() { Value = value is { } t ? CatalogTime.Truncate(t) : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    /// <summary>A batch command with positional parameters.</summary>
    public static NpgsqlBatchCommand BatchCommand(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var p in parameters) command.Parameters.Add(p);
        return command;
    }

    public static string? NullableString(this NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    public static DateTimeOffset Time(this NpgsqlDataReader r, int i) => r.GetFieldValue<DateTimeOffset>(i);

    public static DateTimeOffset? NullableTime(this NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);

    public static Guid? NullableGuid(this NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetGuid(i);

    public static ImageEvent? Event(this NpgsqlDataReader r, int type, int at, int detail) =>
        r.IsDBNull(type) ? null : new ImageEvent(r.GetString(type), r.Time(at), r.NullableString(detail));

    public const string ImageColumns =
        "id, org_id, dataset_id, path, user_id, metadata, status, error_code, error_reason, technical_metadata, " +
        "blob_sha256, created_by, created_at, updated_by, updated_at, request_id, request_at, " +
        "latest_event_type, latest_event_at, latest_event_detail";

    public static readonly string QualifiedImageColumns = string.Join(", ", ImageColumns.Split(", ").Select(c => "i." + c));

    public static ImageRecord ReadImage(NpgsqlDataReader r, int at = 0) => new(
        Id: r.GetGuid(at),
        OrgId: r.GetGuid(at + 1),
        DatasetId: r.GetGuid(at + 2),
        Path: r.GetString(at + 3),
        UserId: r.NullableString(at + 4),
        MetadataJson: r.NullableString(at + 5),
        Status: r.GetString(at + 6),
        ErrorCode: r.NullableString(at + 7),
        ErrorReason: r.NullableString(at + 8),
        TechnicalMetadataJson: r.NullableString(at + 9),
        BlobSha256: r.NullableString(at + 10),
        CreatedBy: r.GetString(at + 11),
        CreatedAt: r.Time(at + 12),
        UpdatedBy: r.GetString(at + 13),
        UpdatedAt: r.Time(at + 14),
        RequestId: r.NullableGuid(at + 15),
        RequestAt: r.NullableTime(at + 16),
        LatestEvent: r.Event(at + 17, at + 18, at + 19));

    /// <summary>The image's columns as parameters $1..$20, in <see cref="ImageColumns"/> order.</summary>
    public static NpgsqlParameter[] ImageParams(ImageRecord r) =>
    [
        UuidParam(r.Id), UuidParam(r.OrgId), UuidParam(r.DatasetId), TextParam(r.Path), TextParam(r.UserId), TextParam(r.MetadataJson),
        TextParam(r.Status), TextParam(r.ErrorCode), TextParam(r.ErrorReason), TextParam(r.TechnicalMetadataJson), TextParam(r.BlobSha256),
        TextParam(r.CreatedBy), TimeParam(r.CreatedAt), TextParam(r.UpdatedBy), TimeParam(r.UpdatedAt), UuidParam(r.RequestId),
        TimeParam(r.RequestAt), TextParam(r.LatestEvent?.EventType), TimeParam(r.LatestEvent?.At), TextParam(r.LatestEvent?.Detail),
    ];

    /// <summary>The columns a re-add may change, as $2..$15, with the image id as $1.</summary>
    public static NpgsqlParameter[] MutableImageParams(ImageRecord r) =>
    [
        UuidParam(r.Id), TextParam(r.UserId), TextParam(r.MetadataJson), TextParam(r.Status), TextParam(r.ErrorCode),
        TextParam(r.ErrorReason), TextParam(r.TechnicalMetadataJson), TextParam(r.BlobSha256), TextParam(r.UpdatedBy),
        TimeParam(r.UpdatedAt), UuidParam(r.RequestId), TimeParam(r.RequestAt), TextParam(r.LatestEvent?.EventType),
        TimeParam(r.LatestEvent?.At), TextParam(r.LatestEvent?.Detail),
    ];

    public const string DatasetColumns =
        "id, org_id, name, description, created_by, created_at, updated_by, updated_at, completed_count, encoder_name, status, settings";

    public static Dataset ReadDataset(NpgsqlDataReader r) => new(
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

    public static IngestJob ReadJob(NpgsqlDataReader r) => new(
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

    /// <summary>The job's columns as parameters $1..$18, in <see cref="JobColumns"/> order.</summary>
    public static NpgsqlParameter[] JobParams(IngestJob j) =>
    [
        UuidParam(j.Id), UuidParam(j.OrgId), UuidParam(j.DatasetId), TextParam(j.JobType), TextParam(j.DetailsJson),
        TextParam(j.ConnectionName), TextParam(j.SourceType), TextParam(j.FilePath), TextParam(j.Status), BigintParam(j.TotalAssets),
        BigintParam(j.ProcessedAssets), BigintParam(j.ErroredAssets), TextParam(j.ErrorDetails), TextParam(j.CreatedBy),
        TimeParam(j.CreatedAt), TimeParam(j.UpdatedAt), TimeParam(j.StartedAt), TimeParam(j.FinishedAt),
    ];

    public static NpgsqlParameter BigintParam(long? value) =>
        new() { Value = value is { } v ? v : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint };

    public const string CredentialColumns = "client_id, org_id, secret_hash, created_at, revoked_at, name";

    public static Credential ReadCredential(NpgsqlDataReader r) => new(
        ClientId: r.GetString(0),
        OrgId: r.GetGuid(1),
        SecretHash: r.GetFieldValue<byte[]>(2),
        CreatedAt: r.Time(3),
        RevokedAt: r.NullableTime(4),
        Name: r.NullableString(5));
}
