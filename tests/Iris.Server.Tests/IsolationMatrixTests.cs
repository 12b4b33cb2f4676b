using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Iris.Server.Tests;

/// <summary>
/// Every route that takes an id, asked by a second organization about the first organization's objects, answers
/// exactly what it answers about a random unknown id of the same shape, and no write changes the first
/// organization's data. The rows are checked against the server's OpenAPI document, so a new id route without a
/// row fails <see cref="Every_route_that_takes_an_id_has_a_row"/>.
/// </summary>
[Collection(IrisServerCollection.Name)]
public sealed class IsolationMatrixTests(ServerFixture server)
{
    private const string Clients = "/api/v1/auth-management/clients";
    private const string OpenApiDocument = "/openapi/v1.json";

    /// <summary>Routes whose ids travel in the query or the body rather than the path.</summary>
    private static readonly HashSet<string> IdsOutsideThePath =
        ["GET /api/v0/images/metadata", "POST /api/v0/images/metadata", "POST /api/v0/delete/assets", "POST /api/v1/search/image-to-image"];

    private static readonly HashSet<string> HttpMethods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    /// <summary>What a request is about: the first organization's objects, or unknown ones of the same shape.</summary>
    private sealed record Target(string DatasetId, string ImageId, string ClientId, string Path, string JobId);

    /// <summary>The second organization's own dataset and image (same bytes as the first organization's image).</summary>
    private sealed record Own(string DatasetId, string ImageId, string Path, byte[] ImageBytes);

    private sealed record World(Target First, string CopyImageId, string CopyPath, string FirstToken, Own Own,
        IReadOnlyDictionary<string, string> Baseline);

    /// <summary>
    /// One matrix row: a request built from a target (and the caller's own objects when it mixes them in).
    /// <paramref name="Route"/> is "METHOD /openapi/path"; <paramref name="UnknownCode"/> is what the unknown id gets.
    /// </summary>
    private sealed record Row(string Name, string Route, int UnknownCode, bool Writes, Func<IrisHttp, Target, Own, Task<ApiResponse>> Send);

    private static Row Read(string route, int unknownCode, Func<IrisHttp, Target, Own, Task<ApiResponse>> send, string? variant = null) =>
        new(variant is null ? route : $"{route} ({variant})", route, unknownCode, false, send);

    private static Row Write(string route, int unknownCode, Func<IrisHttp, Target, Own, Task<ApiResponse>> send, string? variant = null) =>
        Read(route, unknownCode, send, variant) with { Writes = true };

    private static JsonObject Owner(string owner) => new() { ["owner"] = owner };

    private static string Query(string name, params string[] values) => J.Repeat(name, values);

    /// <summary>POST /api/v0/delete/assets naming these identifiers (images) in that dataset.</summary>
    private static Task<ApiResponse> DeleteAssets(IrisHttp h, string datasetId, params string[] identifiers) =>
        h.PostAsync("/api/v0/delete/assets", new JsonObject
        {
            ["dataset_id"] = datasetId,
            ["assets"] = new JsonArray(identifiers.Select(i => (JsonNode?)new JsonObject { ["asset_type"] = "image", ["identifier"] = i }).ToArray()),
        });

    /// <summary>The answer with its delete_job_id values (fresh per request) replaced by their name.</summary>
    private static async Task<ApiResponse> JobIdsMasked(Task<ApiResponse> answer)
    {
        var r = await answer;
        var text = System.Text.RegularExpressions.Regex.Replace(r.Text, "\"delete_job_id\":\"[0-9a-f-]{36}\"", "\"delete_job_id\":\"{delete_job_id}\"");
        return new ApiResponse(r.Request, r.Status, text, r.Headers, r.MediaType);
    }

    private static readonly Row[] Rows =
    [
        // Ids in the path.
        Read("GET /api/v0/images/{coactive_image_id}/metadata", 404, (h, t, _) => h.GetAsync($"/api/v0/images/{t.ImageId}/metadata")),
        Read("GET /api/v0/datasets/{dataset_id}/images/statuses", 404,
            (h, t, _) => h.GetAsync($"/api/v0/datasets/{t.DatasetId}/images/statuses?{Query("paths", t.Path)}")),
        Read("POST /api/v0/datasets/{dataset_id}/images/statuses", 404,
            (h, t, _) => h.PostAsync($"/api/v0/datasets/{t.DatasetId}/images/statuses", new JsonObject { ["paths"] = J.Strings([t.Path]) })),
        Read("GET /api/v1/datasets/{dataset_id}", 404, (h, t, _) => h.GetAsync($"/api/v1/datasets/{t.DatasetId}")),
        Write("DELETE /api/v1/datasets/{dataset_id}", 404, (h, t, _) => h.DeleteAsync($"/api/v1/datasets/{t.DatasetId}")),
        Write("POST /api/v1/datasets/{dataset_id}/uploads", 404, (h, t, o) => UploadsTests.UploadAsync(h, t.DatasetId,
            UploadsTests.Part.File(o.ImageBytes, "intruder.png", "image/png"), UploadsTests.Part.Field("path", t.Path),
            UploadsTests.Part.Field("id", "intruder"), UploadsTests.Part.Field("metadata", Owner("second").ToJsonString()))),
        Read("GET /api/v1/images/{asset_id}/events", 404, (h, t, _) => h.GetAsync($"/api/v1/images/{t.ImageId}/events")),
        Read("GET /api/v1/images/{asset_id}/preview", 404, (h, t, _) => h.GetAsync($"/api/v1/images/{t.ImageId}/preview")),
        Read("GET /api/v1/images/{asset_id}/duplicates", 404,
            (h, t, _) => h.GetAsync($"/api/v1/images/{t.ImageId}/duplicates?max_distance=64&limit=1000")),
        Write("PATCH /api/v1/datasets/{dataset_id}", 404, (h, t, _) => h.SendJsonAsync(HttpMethod.Patch, $"/api/v1/datasets/{t.DatasetId}",
            new JsonObject { ["name"] = "intruder", ["description"] = "second", ["status"] = "inactive" }.ToJsonString())),
        Read("GET /api/v1/ingestion/jobs/{ingest_job_id}", 404, (h, t, _) => h.GetAsync($"/api/v1/ingestion/jobs/{t.JobId}")),
        Read("GET /api/v1/ingestion/jobs/{ingest_job_id}/status", 404, (h, t, _) => h.GetAsync($"/api/v1/ingestion/jobs/{t.JobId}/status")),
        Read("POST /api/v1/ingestion/datasets/{dataset_id}/assets/status", 404,
            (h, t, _) => h.PostAsync($"/api/v1/ingestion/datasets/{t.DatasetId}/assets/status", new JsonObject { ["source_path"] = t.Path })),
        Read("GET /api/v1/ingestion/datasets/{dataset_id}/assets/status/count", 404,
            (h, t, _) => h.GetAsync($"/api/v1/ingestion/datasets/{t.DatasetId}/assets/status/count")),
        Read("GET /api/v1/ingestion/datasets/{dataset_id}/assets/status/summary", 404,
            (h, t, _) => h.GetAsync($"/api/v1/ingestion/datasets/{t.DatasetId}/assets/status/summary")),
        Read("GET /api/v1/ingestion/datasets/{dataset_id}/status", 404, (h, t, _) => h.GetAsync($"/api/v1/ingestion/datasets/{t.DatasetId}/status")),
        Read("GET /api/v1/ingestion/datasets/{dataset_id}/assets/status/stream", 404,
            (h, t, _) => h.GetAsync($"/api/v1/ingestion/datasets/{t.DatasetId}/assets/status/stream")),
        Read("GET /api/v1/ingestion/images/{asset_id}/status", 404, (h, t, _) => h.GetAsync($"/api/v1/ingestion/images/{t.ImageId}/status")),
        Read("GET /api/v1/auth-management/clients/{client_id}", 404, (h, t, _) => h.GetAsync($"{Clients}/{t.ClientId}")),
        Write("PUT /api/v1/auth-management/clients/{client_id}", 404,
            (h, t, _) => h.PutAsync($"{Clients}/{t.ClientId}", new JsonObject { ["name"] = "intruder" })),
        Write("PUT /api/v1/auth-management/clients/{client_id}", 404,
            (h, t, _) => h.PutAsync($"{Clients}/{t.ClientId}", new JsonObject()), "no name"),
        Write("DELETE /api/v1/auth-management/clients/{client_id}", 404, (h, t, _) => h.DeleteAsync($"{Clients}/{t.ClientId}")),
        Write("POST /api/v1/datasets/{dataset_id}/embeddings", 404,
            (h, t, _) => h.PostAsync($"/api/v1/datasets/{t.DatasetId}/embeddings", new JsonObject { ["encoder_name"] = "resnet-50" })),

        // Ids in the query or the body.
        Read("GET /api/v1/datasets", 200, (h, t, _) => h.GetAsync($"/api/v1/datasets?dataset_ids={t.DatasetId}")),
        Read("GET /api/v1/ingestion/jobs", 200, (h, t, _) => h.GetAsync($"/api/v1/ingestion/jobs?dataset_id={t.DatasetId}")),
        Read("GET /api/v0/images/metadata", 404, (h, t, _) => h.GetAsync($"/api/v0/images/metadata?{Query("coactive_image_ids", t.ImageId)}")),
        Read("POST /api/v0/images/metadata", 404,
            (h, t, _) => h.PostAsync("/api/v0/images/metadata", new JsonObject { ["coactiveImageIds"] = J.Strings([t.ImageId]) })),
        Write("POST /api/v0/delete/assets", 404, (h, t, _) => DeleteAssets(h, t.DatasetId, t.ImageId, t.Path)),
        Read("POST /api/v1/search/image-to-image", 404, (h, t, _) => h.PostAsync("/api/v1/search/image-to-image",
            new JsonObject { ["dataset_id"] = t.DatasetId, ["coactive_image_id"] = t.ImageId })),
        Write("POST /api/v1/ingestion/images", 404, (h, t, _) => h.PostAsync("/api/v1/ingestion/images", new JsonObject
        {
            ["dataset_id"] = t.DatasetId, ["images"] = new JsonArray(new JsonObject { ["source_path"] = t.Path, ["metadata"] = Owner("second") }),
        })),
        Write("POST /api/v1/ingestion/assets", 404, (h, t, _) => h.PostAsync("/api/v1/ingestion/assets", new JsonObject
        {
            ["dataset_id"] = t.DatasetId, ["assets"] = new JsonArray(new JsonObject { ["source_path"] = "ftp://x/intruder.jpg" }),
        })),
        Write("POST /api/v1/ingestion/buckets", 404, (h, t, _) => h.PostAsync("/api/v1/ingestion/buckets", new JsonObject
        {
            ["dataset_id"] = t.DatasetId, ["path"] = t.Path[..(t.Path.LastIndexOf('/') + 1)],
        })),
        Write("POST /api/v1/ingestion/files", 404, (h, t, _) => h.PostAsync("/api/v1/ingestion/files", new JsonObject
        {
            ["dataset_id"] = t.DatasetId, ["source_path"] = t.Path,
        })),
        Write("POST /api/v1/ingestion/metadata", 404, (h, t, _) => h.PostAsync("/api/v1/ingestion/metadata", new JsonObject
        {
            ["dataset_id"] = t.DatasetId,
            ["update_assets"] = new JsonArray(
                new JsonObject { ["asset_id"] = t.ImageId, ["asset_type"] = "image", ["metadata"] = Owner("second") },
                new JsonObject { ["source_path"] = t.Path, ["asset_type"] = "image", ["metadata"] = Owner("second") }),
        })),

        // The caller's own objects with the target's ids mixed in: the target's must count as absent.
        Read("GET /api/v0/images/metadata", 200,
            (h, t, o) => h.GetAsync($"/api/v0/images/metadata?{Query("coactive_image_ids", t.ImageId, o.ImageId, t.ImageId)}"),
            "own image and the target"),
        Read("POST /api/v0/images/metadata", 200, (h, t, o) => h.PostAsync("/api/v0/images/metadata",
            new JsonObject { ["coactiveImageIds"] = J.Strings([t.ImageId, o.ImageId]) }), "own image and the target"),
        Read("GET /api/v0/datasets/{dataset_id}/images/statuses", 200,
            (h, t, o) => h.GetAsync($"/api/v0/datasets/{o.DatasetId}/images/statuses?{Query("paths", t.Path, o.Path)}"),
            "own dataset, the target's path"),
        Read("POST /api/v0/datasets/{dataset_id}/images/statuses", 200, (h, t, o) => h.PostAsync(
            $"/api/v0/datasets/{o.DatasetId}/images/statuses", new JsonObject { ["paths"] = J.Strings([t.Path, o.Path]) }),
            "own dataset, the target's path"),
        Read("POST /api/v1/search/image-to-image", 404, (h, t, o) => h.PostAsync("/api/v1/search/image-to-image",
            new JsonObject { ["dataset_id"] = o.DatasetId, ["coactive_image_id"] = t.ImageId }), "own dataset, the target's image"),
        // Answered 202 echoing every identifier whether or not it names anything: the target's image must stay.
        Write("POST /api/v0/delete/assets", 202, (h, t, o) => JobIdsMasked(DeleteAssets(h, o.DatasetId, t.ImageId, t.Path)),
            "own dataset, the target's image id and path"),
    ];

    public static TheoryData<string> RowNames => new(Rows.Select(r => r.Name));

    /// <summary>
    /// The first organization: a dataset with a completed image (user id and metadata, a preview, events) and an exact
    /// copy of it (a duplicate), and a credential made through the API. The second organization: a dataset with the
    /// same picture. Then the first organization's data as read by itself, to compare with after every write.
    /// </summary>
    private Task<World> WorldAsync() => server.OnceAsync("isolation-matrix-world", async () =>
    {
        var http = server.Http;
        var datasetId = await http.CreateDatasetIdAsync();
        var path = server.CorpusUri("go-image/video-001.png");
        var copyPath = server.CorpusUri("x-image/video-001.png");
        var ids = await http.AddWithIdsAsync(server.FilesDir, datasetId, J.Image(path, "first-image", Owner("first")), J.Image(copyPath));
        foreach (var status in (await http.WaitForTerminalAsync(datasetId, path, copyPath)).Values) Expect.CompletedStatus(status);

        var createdClient = await http.PostAsync(Clients, new JsonObject { ["name"] = "isolation-matrix" });
        Expect.Status(createdClient, 201);
        var created = createdClient.Json;
        var clientId = IrisHttp.Str(created["client_id"]);
        var job = Expect.Ok(await http.PostAsync("/api/v1/ingestion/images", new JsonObject
        {
            ["dataset_id"] = datasetId, ["images"] = new JsonArray(new JsonObject { ["source_path"] = path }),
        }));
        var first = new Target(datasetId, ids[path], clientId, path, IrisHttp.Str(job["id"]));
        var token = $"{clientId}:{IrisHttp.Str(created["client_secret"])}";

        using var other = await OtherAsync();
        var ownDataset = await other.CreateDatasetIdAsync();
        var ownPath = server.CorpusUri("x-image/video-001.png");
        var ownImage = (await other.AddAndWaitAsync(ownDataset, ownPath))[ownPath];
        var own = new Own(ownDataset, ownImage, ownPath, await File.ReadAllBytesAsync(server.Corpus("x-image/video-001.png")));

        var world = new World(first, ids[copyPath], copyPath, token, own, new Dictionary<string, string>());
        var baseline = await SnapshotAsync(world);
        // The rows must be about objects that exist and have what they ask for.
        foreach (var key in baseline.Keys.Where(k => k != "preview sha256"))
            Assert.True(baseline[key].StartsWith("200 ", StringComparison.Ordinal), $"first organization's {key}: {baseline[key]}");
        Assert.Contains(world.CopyImageId, baseline["duplicates"]);
        return world with { Baseline = baseline };
    });

    private async Task<IrisHttp> OtherAsync() => server.ClientFor(await server.OtherOrgAsync());

    /// <summary>The first organization's data as it reads it: "status body" per item (the preview as a hash of its bytes).</summary>
    private async Task<Dictionary<string, string>> SnapshotAsync(World world)
    {
        var http = server.Http;
        var first = world.First;
        static string Line(ApiResponse r) => $"{r.Code} {r.Text}";
        var preview = await PreviewTests.GetBinaryAsync(server, $"/api/v1/images/{first.ImageId}/preview");
        using var credential = new IrisHttp(server.BaseUri, "Bearer " + world.FirstToken);
        return new Dictionary<string, string>
        {
            ["dataset"] = Line(await http.GetAsync($"/api/v1/datasets/{first.DatasetId}")),
            ["image"] = Line(await http.GetAsync($"/api/v0/images/{first.ImageId}/metadata")),
            ["copy"] = Line(await http.GetAsync($"/api/v0/images/{world.CopyImageId}/metadata")),
            ["statuses"] = Line(await http.PostAsync($"/api/v0/datasets/{first.DatasetId}/images/statuses",
                new JsonObject { ["paths"] = J.Strings([first.Path, world.CopyPath, "upload://intruder"]) })),
            ["events"] = Line(await http.GetAsync($"/api/v1/images/{first.ImageId}/events")),
            ["events page"] = Line(await http.GetAsync($"/api/v1/images/{first.ImageId}/events?offset=1&limit=2")),
            ["duplicates"] = Line(await http.GetAsync($"/api/v1/images/{first.ImageId}/duplicates")),
            ["duplicates page"] = Line(await http.GetAsync($"/api/v1/images/{first.ImageId}/duplicates?max_distance=64&offset=0&limit=1")),
            ["preview sha256"] = $"{(int)preview.Status} {preview.MediaType} {Expect.Sha256(preview.Bytes)}",
            ["credential"] = Line(await http.GetAsync($"{Clients}/{first.ClientId}")),
            ["job"] = Line(await http.GetAsync($"/api/v1/ingestion/jobs/{first.JobId}")),
            ["job status"] = Line(await http.GetAsync($"/api/v1/ingestion/jobs/{first.JobId}/status")),
            ["asset statuses"] = Line(await http.PostAsync($"/api/v1/ingestion/datasets/{first.DatasetId}/assets/status", new JsonObject())),
            ["dataset jobs"] = Line(await http.GetAsync($"/api/v1/ingestion/datasets/{first.DatasetId}/status")),
            ["search"] = Line(await http.PostAsync("/api/v1/search/image-to-image",
                new JsonObject { ["dataset_id"] = first.DatasetId, ["coactive_image_id"] = first.ImageId })),
            ["credential still works"] = Line(await credential.GetAsync($"/api/v1/datasets/{first.DatasetId}")),
        };
    }

    /// <summary>Random ids of the same shapes as the first organization's, and a corpus path never added.</summary>
    private Target Unknown()
    {
        // The server's ids are version 7 UUIDs and credentials 32 lowercase hex digits.
        var clientId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        return new Target(Guid.CreateVersion7().ToString(), Guid.CreateVersion7().ToString(), clientId,
            server.CorpusUri($"go-image/never-added-{Guid.NewGuid():N}.png"), Guid.CreateVersion7().ToString());
    }

    /// <summary>The body with the target's own ids replaced by their names, for bodies that echo them (the path first: it is the longest).</summary>
    private static string Masked(string text, Target t) => text
        .Replace(t.Path, "{path}", StringComparison.Ordinal)
        .Replace(t.DatasetId, "{dataset_id}", StringComparison.Ordinal)
        .Replace(t.ImageId, "{coactive_image_id}", StringComparison.Ordinal)
        .Replace(t.ClientId, "{client_id}", StringComparison.Ordinal);

    [Fact]
    public async Task Every_route_that_takes_an_id_has_a_row()
    {
        var document = Expect.Ok(await server.Http.GetAsync(OpenApiDocument));
        var routes = new List<string>();
        var idRoutes = new List<string>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject().Where(p => HttpMethods.Contains(p.Key)))
            {
                var route = $"{method.ToUpperInvariant()} {path}";
                routes.Add(route);
                var idParameter = operation!["parameters"] is JsonArray parameters && parameters.Any(p =>
                    IrisHttp.Str(p!["name"]) is var name && (name.EndsWith("_id", StringComparison.Ordinal) || name.EndsWith("_ids", StringComparison.Ordinal)));
                if (path.Contains('{') || idParameter || IdsOutsideThePath.Contains(route)) idRoutes.Add(route);
            }
        }
        Assert.True(idRoutes.Count >= 15, $"Too few id routes in {OpenApiDocument}: {string.Join(", ", idRoutes)}");
        var covered = Rows.Select(r => r.Route).ToHashSet();
        var missing = idRoutes.Where(r => !covered.Contains(r)).ToList();
        Assert.True(missing.Count == 0, $"Routes that take an id but have no isolation matrix row: {string.Join(", ", missing)}");
        var stale = covered.Where(r => !routes.Contains(r)).ToList();
        Assert.True(stale.Count == 0, $"Matrix rows for routes the server does not have: {string.Join(", ", stale)}");
    }

    [Theory]
    [MemberData(nameof(RowNames))]
    public async Task Second_organization_gets_what_an_unknown_id_gets(string rowName)
    {
        var row = Rows.Single(r => r.Name == rowName);
        var world = await WorldAsync();
        using var other = await OtherAsync();
        var unknown = Unknown();

        var foreignAnswer = await row.Send(other, world.First, world.Own);
        var unknownAnswer = await row.Send(other, unknown, world.Own);

        Expect.Status(unknownAnswer, row.UnknownCode);
        Assert.True(foreignAnswer.Code == unknownAnswer.Code && foreignAnswer.MediaType == unknownAnswer.MediaType
                    && Masked(foreignAnswer.Text, world.First) == Masked(unknownAnswer.Text, unknown),
            $"{row.Name}: the first organization's ids are answered differently from unknown ones.\n" +
            $"first org's: {foreignAnswer} ({foreignAnswer.MediaType})\nunknown:     {unknownAnswer} ({unknownAnswer.MediaType})");

        if (row.Writes) await AssertFirstUnchanged(world, row.Name);
    }

    private async Task AssertFirstUnchanged(World world, string after)
    {
        var now = await SnapshotAsync(world);
        var changed = world.Baseline.Keys.Where(k => now[k] != world.Baseline[k])
            .Select(k => $"{k}:\n  before: {world.Baseline[k]}\n  after:  {now[k]}").ToList();
        Assert.True(changed.Count == 0, $"After {after}, the first organization's data changed:\n{string.Join("\n", changed)}");
    }

    [Fact]
    public async Task Lists_never_show_the_other_organizations_items()
    {
        var world = await WorldAsync();
        var otherCredential = await server.OtherOrgAsync();
        using var other = await OtherAsync();
        var firstIds = new[] { world.First.DatasetId, world.First.ImageId, world.CopyImageId, world.First.ClientId, server.ClientId };

        var otherDatasets = await DatasetPagesAsync(other);
        Assert.Contains(otherDatasets, page => page.Contains(world.Own.DatasetId, StringComparison.Ordinal));
        foreach (var id in firstIds)
            Assert.DoesNotContain(otherDatasets, page => page.Contains(id, StringComparison.Ordinal));

        var otherClients = await other.GetAsync(Clients);
        var listed = Expect.Ok(otherClients).AsArray();
        Assert.Contains(listed, c => IrisHttp.Str(c!["client_id"]) == otherCredential.ClientId && c["is_caller"]!.GetValue<bool>());
        foreach (var id in firstIds)
            Assert.DoesNotContain(id, otherClients.Text, StringComparison.Ordinal);

        // And the other way round.
        var firstDatasets = await DatasetPagesAsync(server.Http);
        Assert.Contains(firstDatasets, page => page.Contains(world.First.DatasetId, StringComparison.Ordinal));
        Assert.DoesNotContain(firstDatasets, page => page.Contains(world.Own.DatasetId, StringComparison.Ordinal));
        var firstClients = Expect.Ok(await server.Http.GetAsync(Clients)).AsArray();
        Assert.Contains(firstClients, c => IrisHttp.Str(c!["client_id"]) == world.First.ClientId);
        Assert.DoesNotContain(firstClients, c => IrisHttp.Str(c!["client_id"]) == otherCredential.ClientId);
    }

    [Fact]
    public async Task Duplicates_are_found_only_within_the_callers_organization()
    {
        var world = await WorldAsync();
        using var other = await OtherAsync();
        // The second organization's image has the same bytes as both of the first organization's images.
        var theirs = Expect.Ok(await other.GetAsync($"/api/v1/images/{world.Own.ImageId}/duplicates?max_distance=64&limit=1000"));
        Assert.Equal(world.Own.ImageId, IrisHttp.Str(theirs["asset_id"]));
        Assert.True(theirs["data"] is JsonArray { Count: 0 }, $"Duplicates across organizations: {theirs.ToJsonString()}");

        var mine = Expect.Ok(await server.Http.GetAsync($"/api/v1/images/{world.First.ImageId}/duplicates?max_distance=64&limit=1000"));
        var found = mine["data"]!.AsArray().Select(d => IrisHttp.Str(d!["asset_id"])).ToList();
        Assert.Equal(new[] { world.CopyImageId }, found);
    }

    /// <summary>Every page of GET /api/v1/datasets (the text of each), following links.next.</summary>
    private static async Task<List<string>> DatasetPagesAsync(IrisHttp http)
    {
        var pages = new List<string>();
        for (var skip = 0; ; skip += 1000)
        {
            var page = await http.GetAsync($"/api/v1/datasets?skip={skip}&limit=1000");
            var body = Expect.Ok(page);
            pages.Add(page.Text);
            Assert.True(pages.Count < 100, $"More than 100 pages of datasets: {page}");
            if (skip + 1000 >= body["meta"]!["page"]!["total"]!.GetValue<long>()) break;
        }
        return pages;
    }
}
