using System.Text.Json;

namespace Iris.Server.Api;

/// <summary>
/// Validates user metadata (a flat object of strings, numbers and booleans) and turns it into the
/// canonical JSON text the catalog stores and the read path copies out as is.
/// </summary>
public static class UserMetadataParser
{
    public const int MaxKeys = 256;
    public const int MaxKeyLength = 256;
    public const int MaxStringValueLength = 16 * 1024;

    /// <summary>
    /// Returns the canonical JSON, or null when the element is JSON null (no metadata). Errors are
    /// reported under <paramref name="loc"/> plus the key.
    /// </summary>
    public static string? Parse(JsonElement element, ValidationErrors errors, object[] loc)
    {
        if (element.ValueKind == JsonValueKind.Null) return null;
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.WrongType(JsonValueKind.Object, loc);
            return null;
        }
        var before = errors.Count;
        var json = JsonText.Write(writer =>
        {
            writer.WriteStartObject();
            var count = 0;
            foreach (var property in element.EnumerateObject())
            {
                object[] at = [.. loc, property.Name];
                if (++count > MaxKeys)
                {
                    errors.Add($"Metadata should have at most {MaxKeys} keys", "too_long", loc);
                    break;
                }
                if (property.Name.Length is 0 or > MaxKeyLength)
                {
                    errors.Add($"Metadata keys should have 1 to {MaxKeyLength} characters", "string_too_long", at);
                    continue;
                }
                var value = property.Value;
                switch (value.ValueKind)
                {
                    case JsonValueKind.String when value.GetString()!.Length > MaxStringValueLength:
                        errors.Add($"String should have at most {MaxStringValueLength} characters", "string_too_long", at);
                        break;
                    case JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                        writer.WritePropertyName(property.Name);
                        value.WriteTo(writer);
                        break;
                    default:
                        errors.Add("Metadata values must be strings, numbers, booleans or ISO timestamps, not "
                                   + Describe(value.ValueKind), "value_error", at);
                        break;
                }
            }
            writer.WriteEndObject();
        });
        return errors.Count > before ? null : json;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "nested objects",
        JsonValueKind.Array => "lists",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}
