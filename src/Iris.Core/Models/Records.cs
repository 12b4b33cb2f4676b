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
    long ImageCount);

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

/// <summary>A job a worker holds: the image to ingest and how long the lease lasts.</summary>
public sealed record IngestionJob(
    Guid ImageId,
    Guid OrgId,
    Guid DatasetId,
    string Path,
    string? BlobSha256,
    int Attempt,
    DateTimeOffset LeaseExpiresAt);

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
    string? PreviewKey = null);
