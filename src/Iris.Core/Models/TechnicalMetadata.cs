using System.Text.Json.Serialization;

namespace Iris.Models;

/// <summary>What ingestion learned about an image's bytes; serialized as <c>technicalMetadata</c>.</summary>
public sealed record TechnicalMetadata
{
    public required string Format { get; init; }
    public required string MimeType { get; init; }
    /// <summary>As stored in the file; null only for a file whose header ends before it says (it is then in error).</summary>
    public required int? Width { get; init; }
    public required int? Height { get; init; }
    public required long SizeBytes { get; init; }
    public required string Sha256 { get; init; }
    public int? Orientation { get; init; }

    /// <summary>Tags found, under their standard EXIF/IPTC/XMP names, as strings; empty when none.</summary>
    public required IReadOnlyDictionary<string, string> Exif { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(TechnicalMetadata))]
public sealed partial class CoreJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Options for JSON Iris stores and serves: camelCase, and UTF-8 text left readable (an EXIF
    /// <c>Artist</c> of "Renée" stays so instead of <c>Ren\u00E9e</c>); it is never embedded in HTML.
    /// </summary>
    public static CoreJsonContext Readable { get; } = new(new System.Text.Json.JsonSerializerOptions
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
