namespace Iris.Models;

public sealed record Organization(Guid Id, string Name, DateTimeOffset CreatedAt);

/// <summary>An API credential. Only a hash of the secret is ever stored.</summary>
public sealed record Credential(string ClientId, Guid OrgId, byte[] SecretHash, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, string? Name = null);

/// <summary>Who is calling: the credential's client id and its organization.</summary>
public sealed record Caller(Guid OrgId, string ClientId);

public sealed record Dataset(
    Guid Id,
    Guid OrgId,
    string Name,
    string? Description,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    string UpdatedBy,
    DateTimeOffset UpdatedAt,
    long ImageCount,
    string EncoderName = DatasetDefaults.EncoderName,
    string Status = DatasetStatus.Active,
    string? SettingsJson = null);

public static class DatasetStatus
{
    public const string Active = "active";
    public const string Inactive = "inactive";
    public const string Deleted = "deleted";
}

public static class DatasetDefaults
{
    public const string EncoderName = "multimodal";
}

/// <summary>
/// An ingest job: a request to add images (by list, bucket prefix or manifest) or to change metadata, with counters of
/// its assets that the catalog keeps exact: <see cref="ProcessedAssets"/> finished without error,
/// <see cref="ErroredAssets"/> ended in error; the job is completed when both add up to <see cref="TotalAssets"/>.
/// <see cref="DetailsJson"/> is the job's details as answered (canonical JSON).
/// </summary>
public sealed record IngestJob(
    Guid Id,
    Guid OrgId,
    Guid DatasetId,
    string JobType,
    string DetailsJson,
    string? ConnectionName,
    string? SourceType,
    string? FilePath,
    string Status,
    long? TotalAssets,
    long ProcessedAssets,
    long ErroredAssets,
    string? ErrorDetails,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt);

public static class IngestJobStatus
{
    public const string Pending = "pending";
    public const string InProgress = "in_progress";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

public static class IngestJobType
{
    public const string Assets = "assets";
    public const string Bucket = "bucket";
    public const string File = "file";
    public const string Metadata = "metadata";

    /// <summary>Adds visual embeddings to a dataset's completed images that have none (from their previews).</summary>
    public const string Embeddings = "embeddings";
}

/// <summary>The latest event of an image's history.</summary>
public sealed record ImageEvent(string EventType, DateTimeOffset At, string? Detail = null);

/// <summary>
/// One image of a dataset. <see cref="MetadataJson"/> and <see cref="TechnicalMetadataJson"/> hold
/// canonical JSON text so the read path can copy it to the response without re-serializing.
/// </summary>
public sealed record ImageRecord(
    Guid Id,
    Guid OrgId,
    Guid DatasetId,
    string Path,
    string? UserId,
    string? MetadataJson,
    string Status,
    string? ErrorCode,
    string? ErrorReason,
    string? TechnicalMetadataJson,
    string? BlobSha256,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    string UpdatedBy,
    DateTimeOffset UpdatedAt,
    Guid? RequestId,
    DateTimeOffset? RequestAt,
    ImageEvent? LatestEvent);

/// <summary>What a client asks to add: a path with an optional user id and metadata.</summary>
public sealed record NewImage(string Path, string? UserId, string? MetadataJson, string? BlobSha256 = null);

/// <summary>The status of one path of a dataset; <see cref="ImageId"/> is null when the path is unknown.</summary>
public sealed record PathStatus(
    string Path,
    string Status,
    Guid? ImageId,
    string? ErrorCode,
    string? ErrorReason,
    ImageEvent? LatestEvent);

/// <summary>A job a worker holds: the image to ingest, how long the lease lasts and the encoder its dataset asks for.</summary>
public sealed record IngestionJob(
    Guid ImageId,
    Guid OrgId,
    Guid DatasetId,
    string Path,
    string? BlobSha256,
    int Attempt,
    DateTimeOffset LeaseExpiresAt,
    string EncoderName = Iris.Embeddings.Encoders.None);

/// <summary>
/// The end of one ingestion: <c>completed</c> or an error, plus the events on the way. Technical metadata,
/// the file's SHA-256 and perceptual hash and the preview's blob key are set as far as they were learned
/// (an image that errored while decoding keeps the format, size, hash and EXIF read before).
/// </summary>
public sealed record IngestionOutcome(
    Guid ImageId,
    string Status,
    string? TechnicalMetadataJson,
    string? ErrorCode,
    string? ErrorReason,
    IReadOnlyList<ImageEvent> Events,
    string? Sha256 = null,
    long? PerceptualHash = null,
    string? PreviewKey = null,
    Iris.Embeddings.Embedding? Embedding = null);
