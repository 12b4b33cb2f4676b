using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iris.Client;

// The wire shapes, named as in the contract (/work/shared/CONTRACT.md) and the server's OpenAPI document.
// Property names are the camelCase JSON names in PascalCase.

/// <summary>An image: Coactive's AssetResponse plus Iris' <c>datasetId</c>, <c>status</c> and <c>technicalMetadata</c>.</summary>
public record AssetResponse(
    string CreatedUserId,
    DateTimeOffset CreatedDt,
    string UpdatedUserId,
    DateTimeOffset UpdatedDt,
    Guid CoactiveImageId,
    string Path,
    string? Id,
    IReadOnlyDictionary<string, JsonElement>? Metadata,
    Guid DatasetId,
    string Status,
    TechnicalMetadata? TechnicalMetadata);

/// <summary>What ingestion read from the file; null on an image until it has been processed.</summary>
public sealed record TechnicalMetadata(
    string Format,
    string MimeType,
    int? Width,
    int? Height,
    long SizeBytes,
    string Sha256,
    int? Orientation,
    IReadOnlyDictionary<string, string> Exif);

public sealed record MetadataForImagesResponse(IReadOnlyList<AssetResponse> Data);

public sealed record LatestEvent(string EventType, DateTimeOffset TimestampDt);

/// <summary>The ingestion status of one path; <c>status</c> is <c>not_found</c> (and the id null) for a path never added.</summary>
public sealed record ImageStatusResponse(
    string Path,
    string Status,
    Guid? CoactiveImageId,
    string? ErrorCode,
    string? ErrorReason,
    LatestEvent? LatestEvent);

public sealed record StatusesForImagesResponse(IReadOnlyList<ImageStatusResponse> Data);


// The credential routes speak Coactive's v1 auth-management shapes: snake_case on the wire, named explicitly below.

/// <summary>
/// Coactive's <c>Role</c>. Iris has no roles: every credential has full access to its organization, and answers list
/// no roles.
/// </summary>
public sealed record Role(
    [property: JsonPropertyName("role_id")] string RoleId,
    [property: JsonPropertyName("resource")] string? Resource = null,
    [property: JsonPropertyName("resource_instance")] string? ResourceInstance = null);

/// <summary>
/// A credential of the caller's organization: Coactive's <c>ClientResponse</c> plus Iris's facts (organization,
/// creation and revocation times, whether it is active, whether it is the one that asked). The server keeps only a
/// salted hash of a secret, so <see cref="ClientSecret"/> is <see cref="SecretMask"/> in every answer except the
/// creation's (<see cref="CreatedClientResponse"/>). <see cref="Name"/> is empty for credentials made without one
/// (the first start's, <c>iris admin create-client</c>'s).
/// </summary>
public record ClientResponse(
    [property: JsonPropertyName("client_id")] string ClientId,
    [property: JsonPropertyName("client_secret")] string ClientSecret,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("roles")] IReadOnlyList<Role> Roles,
    [property: JsonPropertyName("org_id")] Guid OrgId,
    [property: JsonPropertyName("created_dt")] DateTimeOffset CreatedDt,
    [property: JsonPropertyName("revoked_dt")] DateTimeOffset? RevokedDt,
    [property: JsonPropertyName("is_active")] bool IsActive,
    [property: JsonPropertyName("is_caller")] bool IsCaller)
{
    /// <summary>What stands for the secret in every answer but the creation's.</summary>
    public const string SecretMask = "********";
}

/// <summary>
/// A credential just created (<c>POST /api/v1/auth-management/clients</c>, 201): the only answer that carries its
/// secret. <see cref="ToString"/> leaves the secret out, so logging the answer does not leak it.
/// </summary>
public sealed record CreatedClientResponse(
    string ClientId,
    string ClientSecret,
    string Name,
    IReadOnlyList<Role> Roles,
    Guid OrgId,
    DateTimeOffset CreatedDt,
    DateTimeOffset? RevokedDt,
    bool IsActive,
    bool IsCaller)
    : ClientResponse(ClientId, ClientSecret, Name, Roles, OrgId, CreatedDt, RevokedDt, IsActive, IsCaller)
{
    /// <summary><c>client_id:client_secret</c>, the <see cref="Configuration.AccessToken"/> to call the server with.</summary>
    [JsonIgnore]
    public string AccessToken => $"{ClientId}:{ClientSecret}";

    public override string ToString() =>
        $"{nameof(CreatedClientResponse)} {{ ClientId = {ClientId}, ClientSecret = ***, Name = {Name}, OrgId = {OrgId}, CreatedDt = {CreatedDt:O} }}";
}

/// <summary>The answer to 401, 403, 404, 409, 413, 429 and 500: one sentence.</summary>
public sealed record ErrorResponse(string Detail);

/// <summary>One bad value of a request (422): where it is (<c>["query", "coactive_image_ids", 0]</c>), what is wrong, and its kind.</summary>
public sealed record ValidationError(
    [property: JsonConverter(typeof(LocConverter))] IReadOnlyList<object> Loc,
    string Msg,
    string Type)
{
    /// <summary>The location written as <c>query.coactive_image_ids[0]</c>.</summary>
    public string Where() =>
        string.Concat(Loc.Select((part, i) => part is int index ? $"[{index}]" : i == 0 ? $"{part}" : $".{part}"));

    public override string ToString() => $"{Where()}: {Msg} ({Type})";
}

/// <summary>The 422 answer, as FastAPI shapes it.</summary>
public sealed record HTTPValidationError(IReadOnlyList<ValidationError> Detail);

// Request bodies.

/// <summary>Coactive's <c>CreateClientRequest</c>: the display name is required; roles are accepted and ignored by Iris.</summary>
public sealed record CreateClientRequest(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("roles"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<Role>? Roles = null);

/// <summary>Coactive's <c>UpdateClientRequest</c>: a new display name (null keeps it); roles are accepted and ignored by Iris.</summary>
public sealed record UpdateClientRequest(
    [property: JsonPropertyName("name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name = null,
    [property: JsonPropertyName("roles"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<Role>? Roles = null,
    [property: JsonPropertyName("roles_context"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RolesContext = null);

public sealed record ImageIdsRequest(IReadOnlyList<string> CoactiveImageIds);

public sealed record PathsRequest(IReadOnlyList<string> Paths);

/// <summary>The values of <c>status</c>.</summary>
public static class ImageStatus
{
    public const string Pending = "pending";
    public const string ProcessingStarted = "processing_started";
    public const string Completed = "completed";
    public const string Error = "error";

    /// <summary>In a statuses answer: the path was never added to the dataset.</summary>
    public const string NotFound = "not_found";

    /// <summary>Whether ingestion of the image has ended (<c>completed</c> or <c>error</c>).</summary>
    public static bool IsTerminal(string status) => status is Completed or Error;
}

/// <summary>Reads <c>loc</c> entries as strings or ints (list indexes).</summary>
public sealed class LocConverter : JsonConverter<IReadOnlyList<object>>
{
    public override IReadOnlyList<object> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("loc must be an array.");
        var parts = new List<object>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            parts.Add(reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString()!,
                JsonTokenType.Number when reader.TryGetInt32(out var i) => i,
                _ => throw new JsonException("loc entries must be strings or integers."),
            });
        }
        return parts;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<object> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var part in value)
        {
            if (part is int i) writer.WriteNumberValue(i);
            else writer.WriteStringValue(part.ToString());
        }
        writer.WriteEndArray();
    }
}
