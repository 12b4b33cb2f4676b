using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iris.Client;

/// <summary>
/// Source-generated (trim- and AOT-safe) JSON for the v0 models and Iris' own camelCase routes (uploads), camelCase as on the wire; the credential models name their snake_case fields explicitly, and the v1
/// models are in <see cref="IrisV1JsonContext"/> (snake_case). Metadata values given as <see cref="object"/> may be
/// any of the primitive types registered here.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(AssetResponse))]
[JsonSerializable(typeof(MetadataForImagesResponse))]
[JsonSerializable(typeof(StatusesForImagesResponse))]
[JsonSerializable(typeof(CreatedClientResponse))]
[JsonSerializable(typeof(ClientResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(HTTPValidationError))]
[JsonSerializable(typeof(ImageIdsRequest))]
[JsonSerializable(typeof(PathsRequest))]
[JsonSerializable(typeof(CreateClientRequest))]
[JsonSerializable(typeof(UpdateClientRequest))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, object?>))]
[JsonSerializable(typeof(IReadOnlyList<AssetResponse>))]
[JsonSerializable(typeof(IReadOnlyList<ImageStatusResponse>))]
[JsonSerializable(typeof(IReadOnlyList<ClientResponse>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(float))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(decimal))]
[JsonSerializable(typeof(DateTime))]
[JsonSerializable(typeof(DateTimeOffset))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class IrisJsonContext : JsonSerializerContext;

public sealed partial class IrisJsonContext
{
    /// <summary>The same models, written indented and with non-ASCII text as is (for printing).</summary>
    public static IrisJsonContext Indented { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new UtcTimestampConverter() },
    });
}

/// <summary>Timestamps as the server writes them: ISO 8601 in UTC with microseconds and a Z (<c>2026-11-28T15:11:45.456777Z</c>).</summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
}
