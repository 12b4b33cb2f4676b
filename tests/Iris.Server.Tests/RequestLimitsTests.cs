using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Iris.Testing;

namespace Iris.Server.Tests;

/// <summary>Every size a request can inflate has a limit with a clear answer: 422 at the value's place, or 413.</summary>
[Collection(IrisServerCollection.Name)]
public sealed class RequestLimitsTests(ServerFixture server)
{
    private static string[] Loc(JsonNode entry) => [.. entry["loc"]!.AsArray().Select(l => l!.ToString())];

    private static JsonNode SingleEntry(ApiResponse response, string type)
    {
        var entry = Assert.Single(Expect.ValidationEntries(response))!;
        Assert.Equal(type, IrisHttp.Str(entry["type"]));
        return entry;
    }

    [Fact]
    public async Task Overlong_paths_ids_and_metadata_are_422_at_their_place_and_nothing_is_added()
    {
        var datasetId = await server.Http.CreateDatasetIdAsync();
        var good = server.CorpusUri("imaging/branches.jpg");
        var cases = new (JsonObject Image, string[] Loc)[]
        {
            (J.Image("file:///" + new string('p', 4097)), ["body", "images", "0", "source_path"]),
            (J.Image(good, null, new JsonObject { [new string('k', 257)] = "v" }), ["body", "images", "0", "metadata", new string('k', 257)]),
            (J.Image(good, null, new JsonObject { ["note"] = new string('v', 16 * 1024 + 1) }), ["body", "images", "0", "metadata", "note"]),
        };
        foreach (var (image, loc) in cases)
        {
            var response = await server.Http.PostAsync("/api/v1/ingestion/images", IrisHttp.ImagesJob(datasetId, image));
            Assert.Equal(loc, Loc(SingleEntry(response, "string_too_long")));
        }

        var tooManyKeys = new JsonObject();
        for (var i = 0; i <= 256; i++) tooManyKeys[$"k{i}"] = i;
        var keys = await server.Http.PostAsync("/api/v1/ingestion/images", IrisHttp.ImagesJob(datasetId, J.Image(good, null, tooManyKeys)));
        Assert.Equal(["body", "images", "0", "metadata"], Loc(SingleEntry(keys, "too_long")));

        // A user id comes only in a manifest; an overlong one is named by its row.
        var manifest = Path.Combine(server.FilesDir, $"long-id-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(manifest, $"path,id\n{good},{new string('i', 1025)}\n");
        var id = SingleEntry(await server.Http.PostAsync("/api/v1/ingestion/files",
            new JsonObject { ["dataset_id"] = datasetId, ["source_path"] = ServerFixture.FileUri(manifest) }), "string_too_long");
        Assert.Equal(["body", "source_path"], Loc(id));
        Assert.Contains("Row 1 (line 2): id:", IrisHttp.Str(id["msg"]));

        Assert.Equal(0, (await server.Http.GetDatasetAsync(datasetId))["image_count"]!.GetValue<long>());
    }

    [Fact]
    public async Task More_than_1000_images_ids_or_paths_per_request_are_422()
    {
        var datasetId = await server.Http.CreateDatasetIdAsync();
        var images = Enumerable.Range(0, 1001).Select(i => J.Image($"file:///nowhere/{i}.jpg")).ToArray();
        var add = await server.Http.PostAsync("/api/v1/ingestion/images", IrisHttp.ImagesJob(datasetId, images));
        Assert.Equal(["body", "images"], Loc(SingleEntry(add, "too_long")));

        var ids = J.Strings(Enumerable.Range(0, 1001).Select(_ => Guid.NewGuid().ToString()));
        var batch = await server.Http.PostAsync("/api/v0/images/metadata", new JsonObject { ["coactiveImageIds"] = ids });
        Assert.Equal("too_long", IrisHttp.Str(Assert.Single(Expect.ValidationEntries(batch))!["type"]));

        var paths = J.Strings(Enumerable.Range(0, 1001).Select(i => $"file:///nowhere/{i}.jpg"));
        var statuses = await server.Http.PostAsync($"/api/v0/datasets/{datasetId}/images/statuses", new JsonObject { ["paths"] = paths });
        Assert.Equal("too_long", IrisHttp.Str(Assert.Single(Expect.ValidationEntries(statuses))!["type"]));
    }

    [Fact]
    public async Task An_overlong_path_in_a_statuses_request_is_422()
    {
        var datasetId = await server.Http.CreateDatasetIdAsync();
        var overlong = "file:///" + new string('p', 4097);
        var post = await server.Http.PostAsync($"/api/v0/datasets/{datasetId}/images/statuses",
            new JsonObject { ["paths"] = J.Strings(["file:///short.jpg", overlong]) });
        Assert.Equal(["body", "paths", "1"], Loc(SingleEntry(post, "string_too_long")));

        var get = await server.Http.GetAsync($"/api/v0/datasets/{datasetId}/images/statuses?paths={Uri.EscapeDataString(overlong)}");
        Assert.Equal(["query", "paths", "0"], Loc(SingleEntry(get, "string_too_long")));
    }

    [Fact]
    public async Task An_upload_over_the_limit_is_413_and_stores_nothing()
    {
        await using var small = await IrisTestServer.StartAsync(extraArgs: ["--max-upload-bytes", "100000"]);
        using var http = new IrisHttp(small.BaseUri, "Bearer " + small.Credential.AccessToken);
        var datasetId = await http.CreateDatasetIdAsync();

        var form = new MultipartFormDataContent();
        var bytes = new ByteArrayContent(new byte[200_000]);
        bytes.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(bytes, "file", "big.jpg");
        var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/v1/datasets/{datasetId}/uploads") { Content = form });
        Expect.Error(response, 413);
        Assert.Equal(0, (await http.GetDatasetAsync(datasetId))["image_count"]!.GetValue<long>());
        Assert.DoesNotContain(Directory.EnumerateFiles(small.DataDir, "*", SearchOption.AllDirectories),
            f => f.Contains("upload", StringComparison.OrdinalIgnoreCase));
    }
}
