using System.Text.Json.Nodes;

namespace Iris.Server.Tests;

/// <summary>GET /api/v0/datasets/{id}/images/statuses and its POST twin.</summary>
[Collection(IrisServerCollection.Name)]
public sealed class StatusesTests(ServerFixture server)
{
    private IrisHttp Http => server.Http;

    private sealed record Setup(string DatasetId, string P1, string Id1, string P2, string Id2, string Bad, string BadId);

    /// <summary>One dataset with two completed images and one error, shared by the tests of this class.</summary>
    private Task<Setup> SetupAsync() => server.OnceAsync("statuses-setup", async () =>
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var p1 = server.CorpusUri("go-image/video-001.gif");
        var p2 = server.CorpusUri("x-image/video-001.lossy.webp");
        var bad = ServerFixture.FileUri(server.TextAsJpg);
        var ids = await Http.AddAndWaitAsync(datasetId, p1, p2, bad);
        return new Setup(datasetId, p1, ids[p1], p2, ids[p2], bad, ids[bad]);
    });

    private static JsonNode NotFound(string path) => new JsonObject
    {
        ["path"] = path, ["status"] = "not_found", ["coactiveImageId"] = null, ["errorCode"] = null,
        ["errorReason"] = null, ["latestEvent"] = null,
    };

    private Task<ApiResponse> GetStatuses(string datasetId, params string[] paths) =>
        Http.GetAsync($"/api/v0/datasets/{datasetId}/images/statuses?" + J.Repeat("paths", paths));

    private Task<ApiResponse> PostStatuses(string datasetId, params string[] paths) =>
        Http.PostAsync($"/api/v0/datasets/{datasetId}/images/statuses", new JsonObject { ["paths"] = J.Strings(paths) });

    [Fact]
    public async Task Completed_entry_has_every_field()
    {
        var s = await SetupAsync();
        var data = Expect.Ok(await GetStatuses(s.DatasetId, s.P1))["data"]!.AsArray();
        var entry = Assert.Single(data)!.AsObject();
        Expect.CompletedStatus(entry);
        Assert.Equal(s.P1, IrisHttp.Str(entry["path"]));
        Assert.Equal(s.Id1, IrisHttp.Str(entry["coactiveImageId"]));
    }

    [Fact]
    public async Task Error_entry_has_code_reason_and_error_event()
    {
        var s = await SetupAsync();
        var entry = Assert.Single(Expect.Ok(await GetStatuses(s.DatasetId, s.Bad))["data"]!.AsArray())!.AsObject();
        Expect.ErrorStatus(entry, "unsupported_format");
        Assert.Equal(s.BadId, IrisHttp.Str(entry["coactiveImageId"]));
        Assert.Equal(s.Bad, IrisHttp.Str(entry["path"]));
    }

    [Fact]
    public async Task Never_added_path_is_not_found()
    {
        var s = await SetupAsync();
        var path = server.CorpusUri("imaging/flowers.png"); // real file, but never added to this dataset
        var data = Expect.Ok(await GetStatuses(s.DatasetId, path))["data"]!.AsArray();
        Expect.JsonEqual(NotFound(path), Assert.Single(data), "not_found entry");
    }

    [Fact]
    public async Task Order_is_as_asked_and_duplicates_are_dropped()
    {
        var s = await SetupAsync();
        const string never = "s3://nowhere/never.jpg";
        var data = Expect.Ok(await GetStatuses(s.DatasetId, s.P2, s.P1, s.P2, never))["data"]!.AsArray();
        Assert.Equal([s.P2, s.P1, never], data.Select(d => IrisHttp.Str(d!["path"])).ToArray());
        Assert.Equal(s.Id2, IrisHttp.Str(data[0]!["coactiveImageId"]));
        Assert.Equal(s.Id1, IrisHttp.Str(data[1]!["coactiveImageId"]));
        Expect.JsonEqual(NotFound(never), data[2], "not_found entry");
    }

    [Fact]
    public async Task Post_twin_answers_the_same()
    {
        var s = await SetupAsync();
        string[] paths = [s.P2, s.Bad, s.P1, s.P2, "never.jpg"];
        var get = Expect.Ok(await GetStatuses(s.DatasetId, paths));
        var post = Expect.Ok(await PostStatuses(s.DatasetId, paths));
        Expect.JsonEqual(get, post, "POST vs GET");
        Assert.Equal(4, post["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task Paths_with_reserved_characters_round_trip_through_the_query()
    {
        var s = await SetupAsync();
        string[] odd = ["file:///tmp/a b&c=d.jpg", "s3://bucket/ü/ñ #1?.png", "upload://x/%41.jpg"];
        var data = Expect.Ok(await GetStatuses(s.DatasetId, odd))["data"]!.AsArray();
        Assert.Equal(odd, data.Select(d => IrisHttp.Str(d!["path"])).ToArray());
        Assert.All(data, d => Assert.Equal("not_found", IrisHttp.Str(d!["status"])));
    }

    [Fact]
    public async Task Unknown_dataset_is_404()
    {
        var id = Guid.NewGuid().ToString();
        Expect.Error(await GetStatuses(id, "a.jpg"), 404, "Dataset not found");
        Expect.Error(await PostStatuses(id, "a.jpg"), 404, "Dataset not found");
    }

    [Fact]
    public async Task Malformed_dataset_id_is_422()
    {
        Expect.Validation(await GetStatuses("not-a-uuid", "a.jpg"), "uuid_parsing", "path", "dataset_id");
        Expect.Validation(await PostStatuses("12345", "a.jpg"), "uuid_parsing", "path", "dataset_id");
    }

    [Fact]
    public async Task Missing_paths_is_422()
    {
        var s = await SetupAsync();
        Expect.Missing(await Http.GetAsync($"/api/v0/datasets/{s.DatasetId}/images/statuses"), "query", "paths");
        Expect.Missing(await Http.PostAsync($"/api/v0/datasets/{s.DatasetId}/images/statuses", new JsonObject()), "body", "paths");
    }

    [Fact]
    public async Task Thousand_paths_answer_thousand_entries()
    {
        var s = await SetupAsync();
        var paths = Enumerable.Range(0, 1000).Select(i => $"n{i}.jpg").ToArray();
        var get = Expect.Ok(await GetStatuses(s.DatasetId, paths))["data"]!.AsArray();
        Assert.Equal(1000, get.Count);
        Assert.Equal(paths, get.Select(d => IrisHttp.Str(d!["path"])).ToArray());
        Assert.All(get, d => Expect.JsonEqual(NotFound(IrisHttp.Str(d!["path"])), d, "not_found entry"));

        var post = Expect.Ok(await PostStatuses(s.DatasetId, paths));
        Assert.Equal(1000, post["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task More_than_1000_paths_is_422_too_long()
    {
        var s = await SetupAsync();
        var paths = Enumerable.Range(0, 1001).Select(i => $"n{i}.jpg").ToArray();
        Expect.Validation(await GetStatuses(s.DatasetId, paths), "too_long", "query", "paths");
        Expect.Validation(await PostStatuses(s.DatasetId, paths), "too_long", "body", "paths");
    }

    [Fact]
    public async Task Freshly_added_image_has_a_known_status_at_once()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var path = server.CorpusUri("imaging/branches.png");
        var added = await Http.AddPathsAsync(datasetId, path);
        var entry = Assert.Single(Expect.Ok(await GetStatuses(datasetId, path))["data"]!.AsArray())!.AsObject();
        Expect.HasFields(entry, Expect.StatusFields);
        Assert.Contains(IrisHttp.Str(entry["status"]), new[] { "pending", "processing_started", "completed" });
        Assert.Equal(IrisHttp.AssetId(added, 0), IrisHttp.Str(entry["coactiveImageId"]));
        if (entry["latestEvent"] is not null)
        {
            Assert.Contains(IrisHttp.Str(entry["latestEvent"]!["eventType"]),
                new[] { "received", "file_downloaded", "kind_determined", "metadata_stored", "stored", "completed" });
            Expect.Timestamp(entry["latestEvent"]!["timestampDt"]);
        }
        Expect.CompletedStatus((await Http.WaitForTerminalAsync(datasetId, path))[path]);
    }
}
