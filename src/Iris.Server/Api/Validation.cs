using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http;

namespace Iris.Server.Api;

/// <summary>Collects the bad values of one request, FastAPI style: one entry per value, with its loc.</summary>
public sealed class ValidationErrors
{
    private readonly List<ValidationError> _errors = [];

    public bool Any => _errors.Count > 0;

    public int Count => _errors.Count;

    public void Add(string msg, string type, params object[] loc) => _errors.Add(new ValidationError(loc, msg, type));

    public void Missing(params object[] loc) => Add("Field required", "missing", loc);

    public void NotUuid(params object[] loc) =>
        Add("Input should be a valid UUID", "uuid_parsing", loc);

    public void TooLong(int max, int actual, params object[] loc) =>
        Add($"List should have at most {max} items after validation, not {actual}", "too_long", loc);

    public void WrongType(JsonValueKind expected, params object[] loc)
    {
        var (type, what) = expected switch
        {
            JsonValueKind.String => ("string_type", "a valid string"),
            JsonValueKind.Array => ("list_type", "a valid list"),
            JsonValueKind.Object => ("dict_type", "a valid dictionary"),
            _ => ("value_error", "a valid value"),
        };
        Add($"Input should be {what}", type, loc);
    }

    public UnprocessableEntity<HTTPValidationError> ToResult() => TypedResults.UnprocessableEntity(new HTTPValidationError(_errors));

    public static UnprocessableEntity<HTTPValidationError> Single(string msg, string type, params object[] loc)
    {
        var errors = new ValidationErrors();
        errors.Add(msg, type, loc);
        return errors.ToResult();
    }
}

/// <summary>Limits of the read endpoints' lists.</summary>
public static class ApiLimits
{
    public const int MaxIdsPerRequest = 1000;
    public const int MaxImagesPerAddRequest = 1000;
}

public static class RequestParsing
{
    /// <summary>
    /// Validates a list of UUIDs given as a repeated query parameter or a JSON array, and returns
    /// them de-duplicated in first-appearance order.
    /// </summary>
    public static List<Guid>? ParseIdList(IReadOnlyList<string?>? values, string where, string name, ValidationErrors errors) =>
        ParseDistinct(values, where, name, errors, (string? value, out Guid id) => Guid.TryParse(value, out id), errors.NotUuid);

    /// <summary>A list of paths de-duplicated in first-appearance order; null (with errors) if missing or too long.</summary>
    public static List<string>? ParsePathList(IReadOnlyList<string?>? values, string where, string name, ValidationErrors errors) =>
        ParseDistinct(values, where, name, errors, (string? value, out string path) => (path = value!) is { Length: <= IngestionSources.MaxPathLength },
            loc =>
            {
                if (values![(int)loc[2]] is null) errors.WrongType(JsonValueKind.String, loc);
                else errors.Add($"String should have at most {IngestionSources.MaxPathLength} characters", "string_too_long", loc);
            });

    private delegate bool TryParse<T>(string? value, out T result);

    /// <summary>The read endpoints' list rule: 1 to 1000 values, each valid, answered once each in the order asked.</summary>
    private static List<T>? ParseDistinct<T>(IReadOnlyList<string?>? values, string where, string name, ValidationErrors errors,
        TryParse<T> parse, Action<object[]> reportInvalid)
    {
        if (values is null || values.Count == 0)
        {
            errors.Missing(where, name);
            return null;
        }
        if (values.Count > ApiLimits.MaxIdsPerRequest)
        {
            errors.TooLong(ApiLimits.MaxIdsPerRequest, values.Count, where, name);
            return null;
        }
        var distinct = new List<T>(values.Count);
        var seen = new HashSet<T>(values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            if (!parse(values[i], out var value)) reportInvalid([where, name, i]);
            else if (seen.Add(value)) distinct.Add(value);
        }
        return errors.Any ? null : distinct;
    }

    /// <summary>A path parameter that must be a UUID (by default dataset_id) (422 at <c>["path", name]</c> otherwise).</summary>
    public static Guid ParseUuid(string value, ValidationErrors errors, string name = "dataset_id")
    {
        if (Guid.TryParse(value, out var id)) return id;
        errors.NotUuid("path", name);
        return Guid.Empty;
    }

    /// <summary>Reads the strings of a JSON array property; wrong types are reported at their index.</summary>
    public static List<string?>? ReadStringArray(JsonElement body, string property, ValidationErrors errors)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty(property, out var array) || array.ValueKind == JsonValueKind.Null)
        {
            errors.Missing("body", property);
            return null;
        }
        if (array.ValueKind != JsonValueKind.Array)
        {
            errors.WrongType(JsonValueKind.Array, "body", property);
            return null;
        }
        var list = new List<string?>(array.GetArrayLength());
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String) list.Add(item.GetString());
            else
            {
                errors.WrongType(JsonValueKind.String, "body", property, i);
                list.Add(null);
            }
            i++;
        }
        return list;
    }

    /// <summary>
    /// Reads a JSON body of at most <paramref name="maxBytes"/>: a body that is too large is a 413,
    /// one that is empty or not JSON a 422 (missing / json_invalid).
    /// </summary>
    public static async Task<JsonBody> ReadJsonAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes) return JsonBody.TooLarge(maxBytes);
        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and < 1 << 20 ? (int)request.ContentLength.Value : 4096);
        while (true)
        {
            var read = await request.Body.ReadAsync(buffer.GetMemory(16 * 1024), ct);
            if (read == 0) break;
            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes) return JsonBody.TooLarge(maxBytes);
        }
        if (buffer.WrittenCount == 0) return new JsonBody(null, ValidationErrors.Single("Field required", "missing", "body"), null);
        // JsonDocument checks UTF-8 inside strings only when they are read; refuse bad bytes up front.
        if (!System.Text.Unicode.Utf8.IsValid(buffer.WrittenSpan))
            return new JsonBody(null, ValidationErrors.Single("JSON decode error: the body is not valid UTF-8", "json_invalid", "body"), null);
        try
        {
            return new JsonBody(JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { MaxDepth = 32 }), null, null);
        }
        catch (JsonException e)
        {
            return new JsonBody(null, ValidationErrors.Single($"JSON decode error: {e.Message}", "json_invalid", "body"), null);
        }
    }
}

/// <summary>A parsed JSON request body, or why there is none (dispose to return the document's buffers).</summary>
public sealed record JsonBody(JsonDocument? Document, UnprocessableEntity<HTTPValidationError>? Invalid, JsonHttpResult<ErrorResponse>? TooLargeError) : IDisposable
{
    public JsonElement Root => Document!.RootElement;

    public static JsonBody TooLarge(long maxBytes) =>
        new(null, null, Errors.Json(StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {maxBytes} bytes."));

    public void Dispose() => Document?.Dispose();
}
