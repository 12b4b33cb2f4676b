using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Iris.Client;

/// <summary>
/// The server answered with an error status. <see cref="StatusCode"/> and <see cref="Body"/> are what came over
/// the wire; <see cref="Detail"/> is the parsed <c>detail</c>: a sentence (401, 403, 404, 409, 413, 429, 500) or,
/// for a 422, the list of <see cref="ValidationErrors"/>.
/// </summary>
public sealed class ApiException : Exception
{
    public ApiException(int statusCode, string? reasonPhrase, string body, HttpResponseHeaders? headers = null)
        : this(statusCode, reasonPhrase, body, headers, Parse(body))
    {
    }

    private ApiException(int statusCode, string? reasonPhrase, string body, HttpResponseHeaders? headers, (string? Sentence, IReadOnlyList<ValidationError> Errors) detail)
        : base(Describe(statusCode, reasonPhrase, body, detail.Sentence, detail.Errors))
    {
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        Body = body;
        Headers = headers;
        Detail = detail.Sentence;
        ValidationErrors = detail.Errors;
    }

    /// <summary>The HTTP status code, e.g. 404.</summary>
    public int StatusCode { get; }

    /// <summary>The HTTP reason phrase, e.g. "Not Found".</summary>
    public string? ReasonPhrase { get; }

    /// <summary>The response body as received (at most 64 KiB of it).</summary>
    public string Body { get; }

    /// <summary>The response headers (e.g. <c>WWW-Authenticate</c>, <c>Retry-After</c>).</summary>
    public HttpResponseHeaders? Headers { get; }

    /// <summary>The <c>detail</c> sentence of an ErrorResponse; for a 422 the errors joined into one line; null if the body had none.</summary>
    public string? Detail { get; }

    /// <summary>The entries of a 422 HTTPValidationError (empty otherwise).</summary>
    public IReadOnlyList<ValidationError> ValidationErrors { get; }

    public HttpStatusCode HttpStatusCode => (HttpStatusCode)StatusCode;

    private static (string? Sentence, IReadOnlyList<ValidationError> Errors) Parse(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("detail", out var detail))
                return (null, []);
            if (detail.ValueKind == JsonValueKind.String) return (detail.GetString(), []);
            if (detail.ValueKind == JsonValueKind.Array)
            {
                var errors = document.RootElement.Deserialize(IrisJsonContext.Default.HTTPValidationError)?.Detail ?? [];
                return (string.Join("; ", errors), errors);
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, say): the raw body is still in Body.
        }
        return (null, []);
    }

    private static string Describe(int statusCode, string? reasonPhrase, string body, string? sentence, IReadOnlyList<ValidationError> errors)
    {
        var head = $"{statusCode} {reasonPhrase}".TrimEnd();
        if (sentence is not null) return $"{head}: {sentence}";
        var text = body.Trim();
        if (text.Length == 0) return head;
        return $"{head}: {(text.Length > 200 ? text[..200] + "..." : text)}";
    }
}
