using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Iris.Models;

namespace Iris.Server.Api;

// The shapes that go over the wire, named as in the contract (and so in the OpenAPI document).

/// <summary>Coactive's AssetResponse plus Iris' datasetId, status and technicalMetadata.</summary>
public record AssetResponse(
    string CreatedUserId,
    DateTimeOffset CreatedDt,
    string UpdatedUserId,
    DateTimeOffset UpdatedDt,
    Guid CoactiveImageId,
    string Path,
    string? Id,
    UserMetadata? Metadata,
    Guid DatasetId,
    string Status,
    StoredTechnicalMetadata? TechnicalMetadata)
{
    public static AssetResponse From(ImageRecord image) => new(
        image.CreatedBy, image.CreatedAt, image.UpdatedBy, image.UpdatedAt, image.Id, image.Path, image.UserId,
        UserMetadata.FromJson(image.MetadataJson), image.DatasetId, image.Status,
        StoredTechnicalMetadata.FromJson(image.TechnicalMetadataJson));
}

public sealed record MetadataForImagesResponse(IReadOnlyList<AssetResponse> Data);

public sealed record LatestEvent(string EventType, DateTimeOffset TimestampDt);

public sealed record ImageStatusResponse(
    string Path,
    string Status,
    Guid? CoactiveImageId,
    string? ErrorCode,
    string? ErrorReason,
    LatestEvent? LatestEvent);

public sealed record StatusesForImagesResponse(IReadOnlyList<ImageStatusResponse> Data);


public sealed record HealthResponse(string Status);

/// <summary>A 401/403/404/409/413/429/500 answer: one sentence.</summary>
public sealed record ErrorResponse(string Detail);

/// <summary>One bad value of a request: where it is, what is wrong, and the kind of error.</summary>
public sealed record ValidationError(IReadOnlyList<object> Loc, string Msg, string Type);

/// <summary>The 422 answer, as FastAPI shapes it.</summary>
public sealed record HTTPValidationError(IReadOnlyList<ValidationError> Detail);

// Request bodies (documented in OpenAPI; parsed by hand so every bad value gets its own loc).

public sealed record ImageIdsRequest(IReadOnlyList<Guid> CoactiveImageIds);

public sealed record PathsRequest(IReadOnlyList<string> Paths);

/// <summary>User metadata as stored (canonical JSON object text), written to the response as is.</summary>
[JsonConverter(typeof(RawJsonConverter<UserMetadata>))]
public sealed class UserMetadata(string json) : IRawJson
{
    public string Json { get; } = json;
    public static UserMetadata? FromJson(string? json) => json is null ? null : new UserMetadata(json);
}

/// <summary>Technical metadata as stored (JSON of <see cref="TechnicalMetadata"/>), written to the response as is.</summary>
[JsonConverter(typeof(RawJsonConverter<StoredTechnicalMetadata>))]
public sealed class StoredTechnicalMetadata(string json) : IRawJson
{
    public string Json { get; } = json;
    public static StoredTechnicalMetadata? FromJson(string? json) => json is null ? null : new StoredTechnicalMetadata(json);
}

public interface IRawJson
{
    string Json { get; }
}

/// <summary>Copies stored JSON text into the response without parsing it again.</summary>
public sealed class RawJsonConverter<T> : JsonConverter<T> where T : class, IRawJson
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Stored JSON is only ever written.");

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Json, skipInputValidation: true);
}

/// <summary>Timestamps as ISO 8601 UTC with microseconds and a Z, as Coactive writes them.</summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        Span<char> buffer = stackalloc char[32];
        value.UtcDateTime.TryFormat(buffer, out var written, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        writer.WriteStringValue(buffer[..written]);
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(AssetResponse))]
[JsonSerializable(typeof(MetadataForImagesResponse))]
[JsonSerializable(typeof(StatusesForImagesResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(HTTPValidationError))]
[JsonSerializable(typeof(ImageIdsRequest))]
[JsonSerializable(typeof(PathsRequest))]
[JsonSerializable(typeof(TechnicalMetadata))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
public sealed partial class IrisJsonContext : JsonSerializerContext
{
    /// <summary>The API's JSON settings on top of ASP.NET's web defaults: v0 shapes camelCase, v1 shapes snake_case.</summary>
    public static void ApplyTo(JsonSerializerOptions options)
    {
        options.TypeInfoResolverChain.Insert(0, Default);
        options.TypeInfoResolverChain.Insert(0, V1JsonContext.SnakeCase); // v1 shapes: snake_case
        options.Converters.Add(new UtcTimestampConverter());
        options.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping; // readable UTF-8; never embedded in HTML
        options.NumberHandling = JsonNumberHandling.Strict; // numbers are numbers, in the API and in its schema
    }
}
