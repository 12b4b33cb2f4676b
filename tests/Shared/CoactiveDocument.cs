using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Xunit;

namespace Iris.Testing;

/// <summary>One operation of Coactive's OpenAPI document.</summary>
public sealed record CoactiveOperation(string Method, string PathTemplate, string OperationId);

/// <summary>
/// Validates answers against Coactive's own OpenAPI document (<c>&lt;repo&gt;/../shared/coactive-v1.openapi.json</c>),
/// not against a copy of its shapes. At load the document's <c>components.schemas</c> become the <c>$defs</c> of one
/// JSON Schema 2020-12 document (references rewritten to point there); an operation's response schema, or a named
/// component, is then evaluated with format validation on (<c>uuid</c> and <c>date-time</c> are really checked).
/// The only hand-written shape is the contract's <c>ErrorResponse</c> (<c>{"detail": string}</c>), used for the
/// status codes the document does not list (401, 403, 404, 409, 413, 429, 500).
/// </summary>
public static class CoactiveDocument
{
    private const string ComponentPrefix = "#/components/schemas/";
    private const string Dialect = "https://json-schema.org/draft/2020-12/schema";
    private const int MaxBodyInMessage = 2000;

    /// <summary>Where the built schemas live; never fetched, only names in the local registry.</summary>
    private static readonly Uri Base = new("https://iris.invalid/coactive-v1/");
    private static readonly Uri RootId = new(Base, "components");

    /// <summary>The contract's ErrorResponse (CONTRACT.md, "Errors"); the document has no such schema.</summary>
    private const string ErrorResponseSchema = """
        {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
        """;

    private static readonly Lazy<Loaded> Document = new(Load);
    private static readonly ConcurrentDictionary<string, Lazy<JsonSchema>> Built = new();
    private static readonly object BuildLock = new();

    private static readonly EvaluationOptions Evaluation = new()
    {
        // Off by default in 2020-12 (format is an annotation); the document's uuid and date-time must be checked.
        RequireFormatValidation = true,
        OutputFormat = OutputFormat.List,
    };

    /// <summary>Full path of the document.</summary>
    public static string DocumentPath { get; } =
        Path.GetFullPath(Path.Combine(TestEnvironment.RepoRoot, "..", "shared", "coactive-v1.openapi.json"));

    /// <summary>Every operation of the document: method (upper case), path template, operationId.</summary>
    public static IReadOnlyList<CoactiveOperation> Operations => Document.Value.Operations;

    /// <summary>The names of the document's <c>components.schemas</c>.</summary>
    public static IReadOnlyCollection<string> SchemaNames => Document.Value.SchemaNames;

    /// <summary>
    /// Fails unless <paramref name="body"/> is what the operation <paramref name="method"/> <paramref name="pathTemplate"/>
    /// (as written in the document, e.g. <c>/api/v1/auth-management/clients/{client_id}</c>) may answer with
    /// <paramref name="status"/>: its <c>application/json</c> schema for that status; the contract's ErrorResponse for a
    /// status the document does not list; nothing more for a listed status without a body schema (the document then
    /// promises nothing about the body).
    /// </summary>
    public static void AssertResponse(string method, string pathTemplate, int status, string body)
    {
        var doc = Document.Value;
        var operation = doc.Operations.FirstOrDefault(o =>
            o.Method.Equals(method, StringComparison.OrdinalIgnoreCase) && o.PathTemplate == pathTemplate);
        if (operation is null)
            Assert.Fail($"{method.ToUpperInvariant()} {pathTemplate} is not an operation of {Path.GetFileName(DocumentPath)}.");

        var responses = doc.Root["paths"]![pathTemplate]![operation.Method.ToLowerInvariant()]!["responses"]!.AsObject();
        // The document lists exact codes only; a range ("4XX") would be OpenAPI's next choice.
        var response = responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)]
                       ?? responses[$"{status / 100}XX"];
        string key;
        JsonNode? schema;
        if (response is null)
        {
            key = "ErrorResponse";
            schema = JsonNode.Parse(ErrorResponseSchema)!;
        }
        else
        {
            key = $"responses/{Uri.EscapeDataString(operation.OperationId)}/{status}";
            schema = response["content"]?["application/json"]?["schema"];
            if (schema is null)
            {
                if (body.Length > 0) ParseOrFail(body, $"{operation.OperationId} {status}");
                return;
            }
        }
        Check(Schema(key, schema), body, $"{operation.OperationId} {status} ({operation.Method} {pathTemplate})");
    }

    /// <summary>Fails unless <paramref name="json"/> validates against the document's component <paramref name="schemaName"/>.</summary>
    public static void AssertSchema(string schemaName, string json)
    {
        if (!Document.Value.SchemaNames.Contains(schemaName))
            Assert.Fail($"{schemaName} is not a schema of {Path.GetFileName(DocumentPath)}.");
        Check(Schema("schemas/" + Uri.EscapeDataString(schemaName), new JsonObject { ["$ref"] = ComponentPrefix + schemaName }),
            json, schemaName);
    }

    private static void Check(JsonSchema schema, string body, string what)
    {
        using var instance = ParseOrFail(body, what);
        var results = schema.Evaluate(instance.RootElement, Evaluation);
        if (results.IsValid) return;

        var message = new StringBuilder($"The answer does not validate against {what} of Coactive's document:\n");
        foreach (var node in new[] { results }.Concat(results.Details ?? []))
        {
            if (node.Errors is null) continue;
            foreach (var (keyword, error) in node.Errors)
                message.Append("  at '").Append(node.InstanceLocation).Append("' (").Append(node.EvaluationPath)
                    .Append(", ").Append(keyword).Append("): ").Append(error).Append('\n');
        }
        message.Append("Body: ").Append(Shorten(body));
        Assert.Fail(message.ToString());
    }

    private static JsonDocument ParseOrFail(string body, string what)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            Assert.Fail($"The answer of {what} is not JSON ({e.Message}). Body: {Shorten(body)}");
            throw; // not reached
        }
    }

    private static string Shorten(string body) =>
        body.Length <= MaxBodyInMessage ? body : body[..MaxBodyInMessage] + $"... ({body.Length} characters)";

    /// <summary>
    /// A schema that refers into the components document, built once per key: the response schemas of operations
    /// (often a bare <c>$ref</c>, sometimes inline, like list-credentials' array) and the named components.
    /// </summary>
    private static JsonSchema Schema(string key, JsonNode node) =>
        Built.GetOrAdd(key, k => new Lazy<JsonSchema>(() =>
        {
            var doc = Document.Value;
            var schema = Rewrite(node.DeepClone(), RootId.AbsoluteUri + "#/$defs/", isPropertyMap: false)!.AsObject();
            schema["$schema"] = Dialect;
            lock (BuildLock)
            {
                return JsonSchema.Build(JsonSerializer.SerializeToElement(schema), doc.BuildOptions, new Uri(Base, k));
            }
        })).Value;

    private static Loaded Load()
    {
        if (!File.Exists(DocumentPath)) throw new FileNotFoundException("Coactive's OpenAPI document is missing", DocumentPath);
        var root = JsonNode.Parse(File.ReadAllText(DocumentPath))!.AsObject();

        var operations = new List<CoactiveOperation>();
        foreach (var (path, item) in root["paths"]!.AsObject())
        {
            foreach (var (method, op) in item!.AsObject())
            {
                if (method is "get" or "put" or "post" or "delete" or "patch" or "head" or "options" or "trace")
                    operations.Add(new CoactiveOperation(method.ToUpperInvariant(), path, op!["operationId"]!.GetValue<string>()));
            }
        }

        var schemas = root["components"]!["schemas"]!.AsObject();
        var defs = new JsonObject();
        foreach (var (name, schema) in schemas) defs[name] = Rewrite(schema!.DeepClone(), "#/$defs/", isPropertyMap: false);
        var components = new JsonObject
        {
            ["$schema"] = Dialect,
            ["$id"] = RootId.AbsoluteUri,
            ["$defs"] = defs,
        };

        // A registry of its own: the built schemas never meet another test's, and nothing is ever fetched.
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        JsonSchema.Build(JsonSerializer.SerializeToElement(components), options, RootId);
        return new Loaded(root, operations, [.. schemas.Select(s => s.Key)], options);
    }

    /// <summary>
    /// Rewrites a schema of the document into JSON Schema 2020-12 as meant:
    /// <list type="bullet">
    /// <item><c>"$ref": "#/components/schemas/X"</c> becomes <paramref name="defsPrefix"/> + X, X escaped as a JSON
    /// Pointer token (RFC 6901: <c>~</c> → <c>~0</c>, <c>/</c> → <c>~1</c>) and then as a URI fragment (RFC 3986: names
    /// like <c>datasets:DatasetResponse</c> keep their <c>:</c>, which a fragment allows; anything else outside the
    /// fragment's characters is percent-encoded).</item>
    /// <item><c>oneOf</c> becomes <c>anyOf</c>. The document is generated from Pydantic models, whose unions
    /// (<c>int | float</c>, <c>UUID | str</c>, <c>PagedAssetsStatusResponse | EmptyResponse</c>) validate as "the first
    /// alternative that fits", i.e. anyOf; the generator writes them as oneOf although the alternatives overlap: an
    /// integer is also a number, a uuid string is also a string, any object with a <c>data</c> array is also an
    /// <c>EmptyResponse</c>, and <c>ValidationErrorLocItems</c> lists string and integer twice. Strict oneOf ("exactly
    /// one") would reject every valid answer that reaches such a union.</item>
    /// </list>
    /// Names under <c>properties</c> are field names, not keywords, and are left alone.
    /// </summary>
    private static JsonNode? Rewrite(JsonNode? node, string defsPrefix, bool isPropertyMap)
    {
        switch (node)
        {
            case JsonArray array:
                for (var i = 0; i < array.Count; i++) array[i] = Rewrite(array[i]?.DeepClone(), defsPrefix, isPropertyMap: false);
                return array;
            case JsonObject obj:
                var rewritten = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (isPropertyMap)
                    {
                        rewritten[key] = Rewrite(value?.DeepClone(), defsPrefix, isPropertyMap: false);
                        continue;
                    }
                    if (key == "$ref" && value is JsonValue refValue && refValue.GetValue<string>() is var target)
                    {
                        if (!target.StartsWith(ComponentPrefix, StringComparison.Ordinal))
                            throw new InvalidOperationException($"Unexpected $ref '{target}' in {DocumentPath}");
                        rewritten[key] = defsPrefix + FragmentEscape(target[ComponentPrefix.Length..]);
                        continue;
                    }
                    var name = key;
                    if (key == "oneOf")
                    {
                        if (obj.ContainsKey("anyOf"))
                            throw new InvalidOperationException($"A schema with both oneOf and anyOf in {DocumentPath}: rewrite it by hand");
                        name = "anyOf";
                    }
                    rewritten[name] = Rewrite(value?.DeepClone(), defsPrefix, isPropertyMap: key is "properties" or "patternProperties" or "$defs");
                }
                return rewritten;
            default:
                return node;
        }
    }

    /// <summary>A component name as a JSON Pointer token inside a URI fragment.</summary>
    private static string FragmentEscape(string name)
    {
        var token = name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
        var escaped = new StringBuilder(token.Length);
        foreach (var b in Encoding.UTF8.GetBytes(token))
        {
            var c = (char)b;
            // RFC 3986 fragment = *( pchar / "/" / "?" ), pchar = unreserved / pct-encoded / sub-delims / ":" / "@"
            if (char.IsAsciiLetterOrDigit(c) || "-._~!$&'()*+,;=:@/?".Contains(c)) escaped.Append(c);
            else escaped.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return escaped.ToString();
    }

    private sealed record Loaded(JsonObject Root, IReadOnlyList<CoactiveOperation> Operations, HashSet<string> SchemaNames, BuildOptions BuildOptions);
}
