using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Iris.Bench.Load;

/// <summary>An image's status as the statuses endpoint gives it; <c>FinishedAt</c> is its terminal event's time.</summary>
public sealed record ImageStatus(string Path, string Status, string? ErrorCode, string? ErrorReason, DateTimeOffset? LatestEventAt)
{
    public bool IsTerminal => Status is "completed" or "error";

    public DateTimeOffset? FinishedAt => IsTerminal ? LatestEventAt : null;
}

/// <summary>The few write and status calls the load test makes besides wrk's; any answer that is not 2xx throws.</summary>
public sealed class IrisApi(HttpClient http)
{
    public const int Batch = 1000; // the API's limit per add and per statuses request

    public async Task<string> CreateDatasetAsync(string name)
    {
        var body = await PostAsync("/api/v1/datasets", new JsonObject { ["name"] = name, ["encoder_name"] = "multimodal" });
        return (string)body["id"]!;
    }

    /// <summary>Adds the paths as ingest jobs of 1000; returns each one's asset id (its coactiveImageId), in order.</summary>
    public async Task<List<string>> AddAsync(string datasetId, IReadOnlyList<string> paths)
    {
        var ids = new List<string>(paths.Count);
        foreach (var chunk in paths.Chunk(Batch))
        {
            var images = new JsonArray(chunk.Select(p => (JsonNode?)new JsonObject { ["source_path"] = p }).ToArray());
            var body = await PostAsync("/api/v1/ingestion/images", new JsonObject { ["dataset_id"] = datasetId, ["images"] = images });
            var added = body["details"]!["assets"]!.AsArray();
            if (added.Count != chunk.Length)
                throw new InvalidOperationException($"Adding {chunk.Length} images answered {added.Count} of them.");
            ids.AddRange(added.Select(i => (string)i!["asset_id"]!));
        }
        return ids;
    }

    public async Task<List<ImageStatus>> StatusesAsync(string datasetId, IReadOnlyList<string> paths)
    {
        var all = new List<ImageStatus>(paths.Count);
        foreach (var chunk in paths.Chunk(Batch))
        {
            var body = await PostAsync($"/api/v0/datasets/{datasetId}/images/statuses",
                new JsonObject { ["paths"] = new JsonArray(chunk.Select(p => (JsonNode?)p).ToArray()) });
            all.AddRange(body["data"]!.AsArray().Select(e => new ImageStatus(
                (string)e!["path"]!, (string)e["status"]!, (string?)e["errorCode"], (string?)e["errorReason"],
                e["latestEvent"] is JsonObject latest
                    ? DateTimeOffset.Parse((string)latest["timestampDt"]!, CultureInfo.InvariantCulture)
                    : null)));
        }
        return all;
    }

    /// <summary>The dataset's <c>imageCount</c>: its completed images.</summary>
    public async Task<int> CompletedCountAsync(string datasetId)
    {
        using var response = await http.GetAsync($"/api/v1/datasets/{datasetId}");
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw Failure("GET", $"/api/v1/datasets/{datasetId}", response, text);
        return (int)JsonNode.Parse(text)!["image_count"]!;
    }

    private async Task<JsonNode> PostAsync(string url, JsonNode body)
    {
        using var response = await http.PostAsync(url, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw Failure("POST", url, response, text);
        return JsonNode.Parse(text)!;
    }

    private static InvalidOperationException Failure(string method, string url, HttpResponseMessage response, string text) =>
        new($"{method} {url} answered {(int)response.StatusCode}: {text[..Math.Min(text.Length, 500)]}");
}
