using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Iris.Server.Tests;

/// <summary>A response read to the end; every one is checked for stack traces and HTML on arrival.</summary>
public sealed class ApiResponse
{
    private JsonNode? _json;
    private bool _parsed;

    public ApiResponse(string request, HttpStatusCode status, string text, HttpResponseHeaders headers, string? mediaType)
    {
        Request = request;
        Status = status;
        Text = text;
        Headers = headers;
        MediaType = mediaType;
    }

    public string Request { get; }
    public HttpStatusCode Status { get; }
    public int Code => (int)Status;
    public string Text { get; }
    public HttpResponseHeaders Headers { get; }
    public string? MediaType { get; }

    /// <summary>The body as JSON (fails the test when it is not JSON).</summary>
    public JsonNode Json
    {
        get
        {
            if (!_parsed)
            {
                try
                {
                    _json = JsonNode.Parse(Text);
                }
                catch (JsonException e)
                {
                    Assert.Fail($"Body is not JSON ({e.Message}): {this}");
                }
                _parsed = true;
            }
            Assert.True(_json is not null, $"Body is JSON null: {this}");
            Assert.True(MediaType is not null && MediaType.Contains("json", StringComparison.OrdinalIgnoreCase),
                $"Content-Type is not JSON ({MediaType}): {this}");
            return _json!;
        }
    }

    public override string ToString() =>
        $"{Request} -> {Code} {(Text.Length > 3000 ? Text[..3000] + "..." : Text)}";
}

/// <summary>HTTP client for the Iris API with one Authorization header value (or none).</summary>
public sealed class IrisHttp : IDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan TerminalTimeout = TimeSpan.FromSeconds(60);

    private readonly HttpClient _client;

    public IrisHttp(Uri baseUri, string? authorization)
    {
        Authorization = authorization;
        _client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = baseUri,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public string? Authorization { get; }

    public void Dispose() => _client.Dispose();

    // ---- raw verbs ----

    public Task<ApiResponse> GetAsync(string url) => SendAsync(new HttpRequestMessage(HttpMethod.Get, url));

    public Task<ApiResponse> DeleteAsync(string url) => SendAsync(new HttpRequestMessage(HttpMethod.Delete, url));

    public Task<ApiResponse> PostAsync(string url, JsonNode body) => SendJsonAsync(HttpMethod.Post, url, body.ToJsonString());

    public Task<ApiResponse> PutAsync(string url, JsonNode body) => SendJsonAsync(HttpMethod.Put, url, body.ToJsonString());

    public Task<ApiResponse> SendJsonAsync(HttpMethod method, string url, string json) =>
        SendAsync(new HttpRequestMessage(method, url)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        });

    public Task<ApiResponse> SendBytesAsync(HttpMethod method, string url, byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return SendAsync(new HttpRequestMessage(method, url) { Content = content });
    }

    public async Task<ApiResponse> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            if (Authorization is not null && !request.Headers.Contains("Authorization"))
                request.Headers.TryAddWithoutValidation("Authorization", Authorization);
            var description = $"{request.Method} {Shorten(request.RequestUri?.ToString() ?? "")}";
            using var response = await _client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var result = new ApiResponse(description, response.StatusCode, text, response.Headers,
                response.Content.Headers.ContentType?.MediaType);
            Expect.NoLeak(result);
            return result;
        }
    }

    /// <summary>GET as bytes (previews; the JSON helpers read bodies as text).</summary>
    public async Task<(HttpStatusCode Status, byte[] Bytes)> GetBytesAsync(string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (Authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", Authorization);
        using var response = await _client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>POST .../images/statuses for any number of paths (1000 per request); asserts 200; the last entry per path.</summary>
    public async Task<Dictionary<string, JsonObject>> StatusesAsync(string datasetId, IEnumerable<string> paths)
    {
        var latest = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var chunk in paths.Distinct().Chunk(1000))
        {
            var body = Expect.Ok(await PostAsync($"/api/v0/datasets/{datasetId}/images/statuses", new JsonObject { ["paths"] = J.Strings(chunk) }));
            foreach (var entry in body["data"]!.AsArray()) latest[Str(entry!["path"])] = entry.AsObject();
        }
        return latest;
    }

    private static string Shorten(string s) => s.Length > 300 ? s[..300] + "..." : s;

    // ---- resource helpers ----

    /// <summary>POST /api/v1/datasets with a fresh unique name; asserts 200 and returns the DatasetResponse.</summary>
    /// <param name="encoder">
    /// <c>none</c> for tests of durability and scale that do not look at embeddings: the embedding stage doubles the
    /// CPU per image, and those tests wait on their images within a time limit.
    /// </param>
    public async Task<JsonNode> CreateDatasetAsync(string? name = null, string? description = "made by a test", string encoder = "multimodal")
    {
        var body = new JsonObject { ["name"] = name ?? Names.Unique("ds"), ["encoder_name"] = encoder };
        if (description is not null) body["description"] = description;
        var response = await PostAsync("/api/v1/datasets", body);
        return Expect.Ok(response);
    }

    public async Task<string> CreateDatasetIdAsync(string encoder = "multimodal") => Str((await CreateDatasetAsync(encoder: encoder))["id"]);

    /// <summary>
    /// POST /api/v1/ingestion/images with the given images (<see cref="J.Image"/>: path and metadata; a user id cannot be
    /// sent there, see <see cref="AddWithIdsAsync"/>); asserts 200 and returns the job.
    /// </summary>
    public async Task<JsonNode> AddImagesAsync(string datasetId, params JsonObject[] images)
    {
        var response = await PostAsync("/api/v1/ingestion/images", ImagesJob(datasetId, images));
        return Expect.Ok(response);
    }

    /// <summary>The body of an images ingest job: each {path, metadata} as {source_path, metadata}.</summary>
    public static JsonObject ImagesJob(string datasetId, params JsonObject[] images) => new()
    {
        ["dataset_id"] = datasetId,
        ["images"] = new JsonArray(images.Select(i =>
        {
            Assert.True(i["id"] is null, "A user id cannot be sent to /api/v1/ingestion/images; use AddWithIdsAsync");
            var asset = new JsonObject { ["source_path"] = i["path"]?.DeepClone() };
            if (i["metadata"] is { } metadata) asset["metadata"] = metadata.DeepClone();
            return (JsonNode)asset;
        }).ToArray()),
    };

    /// <summary>POST an images ingest job of plain paths; asserts 200 and returns the job.</summary>
    public Task<JsonNode> AddPathsAsync(string datasetId, params string[] paths) =>
        AddImagesAsync(datasetId, paths.Select(p => J.Image(p)).ToArray());

    /// <summary>
    /// Adds images with user ids (<see cref="J.Image"/>) as a CSV manifest written into <paramref name="folder"/> (a folder the
    /// server may read) through POST /api/v1/ingestion/files; returns path → coactiveImageId of each (each path once).
    /// </summary>
    public async Task<Dictionary<string, string>> AddWithIdsAsync(string folder, string datasetId, params JsonObject[] images)
    {
        static string Cell(string? value) => value is null ? "" : "\"" + value.Replace("\"", "\"\"") + "\"";
        var csv = new StringBuilder("path,id,metadata\n");
        foreach (var i in images)
            csv.Append(Cell(i["path"]!.GetValue<string>())).Append(',').Append(Cell(i["id"]?.GetValue<string>())).Append(',')
                .Append(Cell(i["metadata"]?.ToJsonString())).Append('\n');
        var file = Path.Combine(folder, $"manifest-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, csv.ToString());
        var response = await PostAsync("/api/v1/ingestion/files",
            new JsonObject { ["dataset_id"] = datasetId, ["source_path"] = ServerFixture.FileUri(file) });
        Expect.Status(response, 202);
        var paths = images.Select(i => i["path"]!.GetValue<string>()).Distinct().ToList();
        var statuses = await StatusesAsync(datasetId, paths);
        return paths.ToDictionary(p => p, p => Str(statuses[p]["coactiveImageId"]));
    }

    /// <summary>The assets of a job's answer (<c>details.assets</c>), in the order asked.</summary>
    public static JsonArray Assets(JsonNode job) => job["details"]!["assets"]!.AsArray();

    /// <summary>The asset id of the job's <paramref name="index"/>th asset.</summary>
    public static string AssetId(JsonNode job, int index = 0) => Str(Assets(job)[index]!["asset_id"]);

    /// <summary>The source path of the job's <paramref name="index"/>th asset.</summary>
    public static string SourcePath(JsonNode job, int index = 0) => Str(Assets(job)[index]!["asset"]!["source_path"]);

    /// <summary>source_path → asset_id of a job's assets (a path asked twice is one image).</summary>
    public static Dictionary<string, string> Ids(JsonNode job)
    {
        var ids = new Dictionary<string, string>();
        foreach (var asset in Assets(job)) ids[Str(asset!["asset"]!["source_path"])] = Str(asset["asset_id"]);
        return ids;
    }

    /// <summary>Adds the paths, waits until every one is terminal and returns path → coactiveImageId.</summary>
    public async Task<Dictionary<string, string>> AddAndWaitAsync(string datasetId, params string[] paths)
    {
        var added = await AddPathsAsync(datasetId, paths);
        await WaitForTerminalAsync(datasetId, paths);
        return Ids(added);
    }

    /// <summary>
    /// Polls POST /api/v0/datasets/{id}/images/statuses every 100 ms until each path is completed or error
    /// (60 s at most). Returns the last status entry of each path.
    /// </summary>
    public async Task<Dictionary<string, JsonObject>> WaitForTerminalAsync(string datasetId, IEnumerable<string> paths)
    {
        var wanted = paths.Distinct().ToList();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var latest = await StatusesAsync(datasetId, wanted);
            var pending = wanted.Where(p => !latest.TryGetValue(p, out var e) || !IsTerminal(e)).ToList();
            if (pending.Count == 0) return latest;
            if (clock.Elapsed > TerminalTimeout)
                Assert.Fail($"Not terminal after {TerminalTimeout.TotalSeconds} s: " + string.Join("; ",
                    pending.Take(20).Select(p => latest.TryGetValue(p, out var e) ? e.ToJsonString() : p + " (no entry)")));
            await Task.Delay(PollInterval);
        }
    }

    public Task<Dictionary<string, JsonObject>> WaitForTerminalAsync(string datasetId, params string[] paths) =>
        WaitForTerminalAsync(datasetId, (IEnumerable<string>)paths);

    private static bool IsTerminal(JsonObject entry) => Str(entry["status"]) is "completed" or "error";

    /// <summary>GET /api/v0/images/{id}/metadata; asserts 200 and returns the AssetResponse.</summary>
    public async Task<JsonNode> GetImageAsync(string coactiveImageId) =>
        Expect.Ok(await GetAsync($"/api/v0/images/{coactiveImageId}/metadata"));

    public async Task<JsonNode> GetDatasetAsync(string datasetId) =>
        Expect.Ok(await GetAsync($"/api/v1/datasets/{datasetId}"));

    public static string Str(JsonNode? node)
    {
        Assert.True(node is JsonValue v && v.GetValueKind() == JsonValueKind.String,
            $"Expected a JSON string, got {node?.ToJsonString() ?? "null/absent"}");
        return node!.GetValue<string>();
    }
}

/// <summary>Assertions about responses and wire shapes.</summary>
public static class Expect
{
    public static readonly string[] AssetFields =
    [
        "createdUserId", "createdDt", "updatedUserId", "updatedDt", "coactiveImageId", "path", "id", "metadata",
        "datasetId", "status", "technicalMetadata",
    ];

    public static readonly string[] StatusFields =
        ["path", "status", "coactiveImageId", "errorCode", "errorReason", "latestEvent"];

    /// <summary>Coactive's DatasetResponse fields (all of them, required or not) and Iris's image_count.</summary>
    public static readonly string[] DatasetFields =
    [
        "created_dt", "updated_dt", "created_by", "updated_by", "deleted_dt", "deleted_by", "id", "name", "embeddings",
        "encoders", "description", "allowed_asset_types", "status", "keyframe_sampling_method",
        "keyframe_uniform_fps_sampling_rate", "store_original", "store_preview", "metadata_fields_to_index",
        "metadata_fields_to_embed", "dataset_config", "image_count",
    ];

    public static readonly string[] TechnicalFields =
        ["format", "mimeType", "width", "height", "sizeBytes", "sha256", "orientation", "exif"];

    /// <summary>No stack trace, no exception name, no HTML page: on every response.</summary>
    public static void NoLeak(ApiResponse r)
    {
        Assert.False(r.Text.Contains("   at ", StringComparison.Ordinal), $"Stack trace in body: {r}");
        Assert.False(r.Text.Contains("Exception", StringComparison.Ordinal), $"Exception in body: {r}");
        Assert.False(r.MediaType is not null && r.MediaType.Contains("html", StringComparison.OrdinalIgnoreCase),
            $"HTML answer: {r}");
        Assert.False(r.Text.TrimStart().StartsWith('<'), $"Markup answer: {r}");
    }

    public static void Status(ApiResponse r, int code) =>
        Assert.True(r.Code == code, $"Expected HTTP {code}: {r}");

    public static JsonNode Ok(ApiResponse r)
    {
        Status(r, 200);
        return r.Json;
    }

    /// <summary>ErrorResponse with exactly this detail.</summary>
    public static void Error(ApiResponse r, int code, string detail)
    {
        Status(r, code);
        var json = r.Json;
        Assert.True(json is JsonObject o && o.Count == 1 && o["detail"] is JsonValue v
                    && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == detail,
            $"Expected {{\"detail\": \"{detail}\"}}: {r}");
    }

    /// <summary>ErrorResponse with some non-empty detail sentence.</summary>
    public static string Error(ApiResponse r, int code)
    {
        Status(r, code);
        var json = r.Json;
        Assert.True(json is JsonObject o && o["detail"] is JsonValue v && v.GetValueKind() == JsonValueKind.String
                    && v.GetValue<string>().Trim().Length > 0,
            $"Expected {{\"detail\": \"<sentence>\"}}: {r}");
        return json["detail"]!.GetValue<string>();
    }

    /// <summary>The 422 HTTPValidationError entries, each checked for shape.</summary>
    public static JsonArray ValidationEntries(ApiResponse r)
    {
        Status(r, 422);
        var detail = r.Json["detail"];
        Assert.True(detail is JsonArray { Count: > 0 }, $"422 without a detail list: {r}");
        foreach (var entry in detail!.AsArray())
        {
            Assert.True(entry is JsonObject, $"422 entry is not an object: {r}");
            Assert.True(entry!["loc"] is JsonArray { Count: > 0 } loc
                        && loc.All(x => x is JsonValue v && v.GetValueKind() is JsonValueKind.String or JsonValueKind.Number)
                        && loc[0]!.GetValueKind() == JsonValueKind.String
                        && loc[0]!.GetValue<string>() is "path" or "query" or "body" or "header",
                $"422 entry without a proper loc: {r}");
            Assert.True(entry["msg"] is JsonValue m && m.GetValueKind() == JsonValueKind.String && m.GetValue<string>().Length > 0,
                $"422 entry without msg: {r}");
            Assert.True(entry["type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String && t.GetValue<string>().Length > 0,
                $"422 entry without type: {r}");
        }
        return detail.AsArray();
    }

    /// <summary>A 422 that has an entry at exactly <paramref name="loc"/> (and of <paramref name="type"/> when given).</summary>
    public static JsonObject Validation(ApiResponse r, string? type, params object[] loc)
    {
        var entries = ValidationEntries(r);
        var wanted = J.Loc(loc);
        var match = entries.FirstOrDefault(e => JsonNode.DeepEquals(e!["loc"], wanted));
        Assert.True(match is not null, $"No 422 entry at loc {wanted.ToJsonString()}: {r}");
        if (type is not null)
            Assert.True(match!["type"]!.GetValue<string>() == type,
                $"422 entry at {wanted.ToJsonString()} has type {match["type"]!.ToJsonString()}, expected \"{type}\": {r}");
        return match!.AsObject();
    }

    /// <summary>"Field required" / missing at loc.</summary>
    public static void Missing(ApiResponse r, params object[] loc)
    {
        var entry = Validation(r, "missing", loc);
        Assert.Equal("Field required", entry["msg"]!.GetValue<string>());
    }

    public static DateTimeOffset Timestamp(JsonNode? node, string what = "timestamp")
    {
        Assert.True(node is JsonValue v && v.GetValueKind() == JsonValueKind.String, $"{what} is not a string: {node?.ToJsonString()}");
        var s = node!.GetValue<string>();
        Assert.True(s.EndsWith('Z'), $"{what} does not end in Z: {s}");
        Assert.True(s.Contains('T'), $"{what} is not ISO 8601: {s}");
        Assert.True(DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t),
            $"{what} does not parse: {s}");
        return t;
    }

    public static Guid Uuid(JsonNode? node, string what = "id")
    {
        Assert.True(node is JsonValue v && v.GetValueKind() == JsonValueKind.String, $"{what} is not a string: {node?.ToJsonString()}");
        var s = node!.GetValue<string>();
        Assert.True(Guid.TryParseExact(s, "D", out var g), $"{what} is not a UUID string: {s}");
        return g;
    }

    public static void Null(JsonNode? parent, string property)
    {
        Assert.True(parent is JsonObject o && o.ContainsKey(property), $"\"{property}\" is absent: {parent?.ToJsonString()}");
        Assert.True(parent![property] is null, $"\"{property}\" is not null: {parent.ToJsonString()}");
    }

    public static void HasFields(JsonNode? node, IEnumerable<string> fields)
    {
        Assert.True(node is JsonObject, $"Not an object: {node?.ToJsonString()}");
        var missing = fields.Where(f => !node!.AsObject().ContainsKey(f)).ToList();
        Assert.True(missing.Count == 0, $"Missing fields {string.Join(", ", missing)} in {node!.ToJsonString()}");
    }

    public static void JsonEqual(JsonNode? expected, JsonNode? actual, string? what = null) =>
        Assert.True(JsonNode.DeepEquals(expected, actual),
            $"{what ?? "JSON"} differs.\nexpected: {expected?.ToJsonString()}\nactual:   {actual?.ToJsonString()}");

    /// <summary>AssetResponse shape (without checking processing results).</summary>
    public static void Asset(JsonNode? asset, string clientId)
    {
        HasFields(asset, AssetFields);
        Assert.Equal(clientId, IrisHttp.Str(asset!["createdUserId"]));
        IrisHttp.Str(asset["updatedUserId"]);
        Timestamp(asset["createdDt"], "createdDt");
        Timestamp(asset["updatedDt"], "updatedDt");
        Uuid(asset["coactiveImageId"], "coactiveImageId");
        Uuid(asset["datasetId"], "datasetId");
        IrisHttp.Str(asset["path"]);
        Assert.Contains(IrisHttp.Str(asset["status"]), new[] { "pending", "processing_started", "completed", "error" });
        Assert.True(asset["metadata"] is null or JsonObject, $"metadata is neither null nor an object: {asset.ToJsonString()}");
        Assert.True(asset["id"] is null || asset["id"]!.GetValueKind() == JsonValueKind.String, $"id: {asset.ToJsonString()}");
    }

    /// <summary>A completed image's technicalMetadata, compared with the file's own bytes.</summary>
    public static JsonObject CompletedFrom(JsonNode? asset, string file)
    {
        Assert.True(IrisHttp.Str(asset!["status"]) == "completed", $"Not completed: {asset.ToJsonString()}");
        var tm = asset["technicalMetadata"];
        HasFields(tm, TechnicalFields);
        var bytes = File.ReadAllBytes(file);
        Assert.True(tm!["sizeBytes"]!.GetValue<long>() == bytes.LongLength, $"sizeBytes of {file}: {tm.ToJsonString()}");
        Assert.True(IrisHttp.Str(tm["sha256"]) == Sha256(bytes), $"sha256 of {file}: {tm.ToJsonString()}");
        Assert.Matches("^[0-9a-f]{64}$", IrisHttp.Str(tm["sha256"]));
        Assert.True(tm["width"]!.GetValue<long>() > 0 && tm["height"]!.GetValue<long>() > 0, $"dimensions: {tm.ToJsonString()}");
        Assert.True(tm["orientation"] is null || tm["orientation"]!.GetValue<int>() is >= 1 and <= 8, $"orientation: {tm.ToJsonString()}");
        Assert.True(tm["exif"] is JsonObject exif && exif.All(p => p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String),
            $"exif is not an object of strings: {tm.ToJsonString()}");
        var (format, mime) = FormatOf(file);
        if (format is not null)
        {
            Assert.True(IrisHttp.Str(tm["format"]) == format, $"format of {file}: {tm.ToJsonString()}");
            Assert.True(IrisHttp.Str(tm["mimeType"]) == mime, $"mimeType of {file}: {tm.ToJsonString()}");
        }
        return tm.AsObject();
    }

    public static void CompletedStatus(JsonObject entry)
    {
        HasFields(entry, StatusFields);
        Assert.True(IrisHttp.Str(entry["status"]) == "completed", $"Not completed: {entry.ToJsonString()}");
        Uuid(entry["coactiveImageId"], "coactiveImageId");
        Null(entry, "errorCode");
        Null(entry, "errorReason");
        Assert.True(entry["latestEvent"] is JsonObject, $"latestEvent: {entry.ToJsonString()}");
        Assert.Equal("completed", IrisHttp.Str(entry["latestEvent"]!["eventType"]));
        Timestamp(entry["latestEvent"]!["timestampDt"], "latestEvent.timestampDt");
    }

    public static void ErrorStatus(JsonObject entry, string errorCode)
    {
        HasFields(entry, StatusFields);
        Assert.True(IrisHttp.Str(entry["status"]) == "error" && entry["errorCode"]?.GetValue<string>() == errorCode,
            $"Expected error/{errorCode}: {entry.ToJsonString()}");
        Uuid(entry["coactiveImageId"], "coactiveImageId");
        var reason = IrisHttp.Str(entry["errorReason"]);
        Assert.True(reason.Trim().Length >= 10, $"errorReason is not a sentence: {entry.ToJsonString()}");
        Assert.True(entry["latestEvent"] is JsonObject, $"latestEvent: {entry.ToJsonString()}");
        Assert.Equal("error", IrisHttp.Str(entry["latestEvent"]!["eventType"]));
        Timestamp(entry["latestEvent"]!["timestampDt"], "latestEvent.timestampDt");
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The format a file's extension promises (null when not an image extension).</summary>
    public static (string? Format, string? Mime) FormatOf(string file) =>
        Path.GetExtension(file).ToLowerInvariant() switch
        {
            ".jpg" or ".jpeg" => ("jpeg", "image/jpeg"),
            ".png" => ("png", "image/png"),
            ".gif" => ("gif", "image/gif"),
            ".webp" => ("webp", "image/webp"),
            ".tif" or ".tiff" => ("tiff", "image/tiff"),
            ".bmp" => ("bmp", "image/bmp"),
            _ => (null, null),
        };
}

/// <summary>JSON builders.</summary>
public static class J
{
    public static JsonArray Strings(IEnumerable<string> values) =>
        new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    public static JsonArray Loc(IEnumerable<object> parts) =>
        new(parts.Select(p => p switch
        {
            string s => (JsonNode?)JsonValue.Create(s),
            int i => JsonValue.Create(i),
            _ => throw new ArgumentException($"loc part {p}"),
        }).ToArray());

    public static JsonNode Parse(string json) => JsonNode.Parse(json)!;

    /// <summary>Query string of a repeated parameter: name=v1&amp;name=v2 (values escaped).</summary>
    public static string Repeat(string name, IEnumerable<string> values) =>
        string.Join("&", values.Select(v => name + "=" + Uri.EscapeDataString(v)));

    public static JsonObject Image(string path, string? id = null, JsonObject? metadata = null)
    {
        var o = new JsonObject { ["path"] = path };
        if (id is not null) o["id"] = id;
        if (metadata is not null) o["metadata"] = metadata.DeepClone();
        return o;
    }
}

public static class Names
{
    /// <summary>A dataset name unique to this run: letters, digits and underscores only.</summary>
    public static string Unique(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N");

    public static string[] RandomUuids(int count) =>
        Enumerable.Range(0, count).Select(_ => Guid.NewGuid().ToString()).ToArray();
}
