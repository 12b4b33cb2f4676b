using System.Text.Json.Nodes;

namespace Iris.Server.Tests;

/// <summary>GET /api/v0/images/{id}/metadata, GET /api/v0/images/metadata and its POST twin.</summary>
[Collection(IrisServerCollection.Name)]
public sealed class ImagesMetadataTests(ServerFixture server)
{
    private IrisHttp Http => server.Http;

    private sealed record Pair(string DatasetId, string PathA, string IdA, string PathB, string IdB);

    /// <summary>Two completed images in one dataset, shared by the tests of this class.</summary>
    private Task<Pair> PairAsync() => server.OnceAsync("images-metadata-pair", async () =>
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var a = server.CorpusUri("go-image/video-001.png");
        var b = server.CorpusUri("imaging/branches.jpg");
        var ids = await Http.AddAndWaitAsync(datasetId, a, b);
        return new Pair(datasetId, a, ids[a], b, ids[b]);
    });

    [Fact]
    public async Task Completed_jpeg_has_every_field()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var path = server.CorpusUri("go-image/video-001.jpeg");
        var metadata = new JsonObject { ["camera"] = "none", ["rank"] = 7, ["ok"] = true };
        var imageId = (await Http.AddWithIdsAsync(server.FilesDir, datasetId, J.Image(path, "user-id-1", metadata)))[path];
        var statuses = await Http.WaitForTerminalAsync(datasetId, path);
        Expect.CompletedStatus(statuses[path]);

        var asset = await Http.GetImageAsync(imageId);
        Expect.Asset(asset, server.ClientId);
        Assert.Equal(server.ClientId, IrisHttp.Str(asset["updatedUserId"]));
        Assert.Equal(imageId, IrisHttp.Str(asset["coactiveImageId"]));
        Assert.Equal(path, IrisHttp.Str(asset["path"]));
        Assert.Equal("user-id-1", IrisHttp.Str(asset["id"]));
        Expect.JsonEqual(metadata, asset["metadata"], "metadata");
        Assert.Equal(datasetId, IrisHttp.Str(asset["datasetId"]));
        Assert.Equal("completed", IrisHttp.Str(asset["status"]));
        Assert.True(Expect.Timestamp(asset["updatedDt"]) >= Expect.Timestamp(asset["createdDt"]), asset.ToJsonString());

        var tm = Expect.CompletedFrom(asset, server.Corpus("go-image/video-001.jpeg"));
        Assert.Equal("jpeg", IrisHttp.Str(tm["format"]));
        Assert.Equal("image/jpeg", IrisHttp.Str(tm["mimeType"]));
        Assert.Equal(150, tm["width"]!.GetValue<int>());
        Assert.Equal(103, tm["height"]!.GetValue<int>());
        Expect.Null(tm, "orientation"); // this file has no EXIF
        Assert.IsType<JsonObject>(tm["exif"]);
    }

    [Fact]
    public async Task Image_without_id_or_metadata_has_nulls()
    {
        var pair = await PairAsync();
        var asset = await Http.GetImageAsync(pair.IdA);
        Expect.Asset(asset, server.ClientId);
        Expect.Null(asset, "id");
        Expect.Null(asset, "metadata");
        Assert.Equal(pair.PathA, IrisHttp.Str(asset["path"]));
        var tm = Expect.CompletedFrom(asset, server.Corpus("go-image/video-001.png"));
        Assert.Equal(150, tm["width"]!.GetValue<int>());
        Assert.Equal(103, tm["height"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    [InlineData(4, 4)]
    [InlineData(5, 5)]
    [InlineData(6, 6)]
    [InlineData(7, 7)]
    [InlineData(8, 8)]
    public async Task Orientation_is_the_exif_orientation(int file, int? orientation)
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var relative = $"imaging/orientation_{file}.jpg";
        var ids = await Http.AddAndWaitAsync(datasetId, server.CorpusUri(relative));
        var asset = await Http.GetImageAsync(ids.Values.Single());
        var tm = Expect.CompletedFrom(asset, server.Corpus(relative));
        if (orientation is null) Expect.Null(tm, "orientation");
        else Assert.Equal(orientation, tm["orientation"]?.GetValue<int>());
        // Stored dimensions, before any rotation, equal the header's.
        var (w, h) = ImageHeaders.Dimensions(server.Corpus(relative))!.Value;
        Assert.Equal(w, tm["width"]!.GetValue<int>());
        Assert.Equal(h, tm["height"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("123")]
    [InlineData("a6894d72-612d-4c20-b4d0-8f3f21c2bb1")]
    public async Task Malformed_id_is_422(string id)
    {
        var r = await Http.GetAsync($"/api/v0/images/{id}/metadata");
        Expect.Validation(r, "uuid_parsing", "path", "coactive_image_id");
    }

    [Fact]
    public async Task Unknown_id_is_404()
    {
        var r = await Http.GetAsync($"/api/v0/images/{Guid.NewGuid()}/metadata");
        Expect.Error(r, 404, "Image not found");
    }

    [Fact]
    public async Task Batch_keeps_order_and_drops_duplicates_and_unknown()
    {
        var p = await PairAsync();
        var unknown = Guid.NewGuid().ToString();
        var r = await Http.GetAsync("/api/v0/images/metadata?" +
                                    J.Repeat("coactive_image_ids", [p.IdB, p.IdA, p.IdB, unknown, p.IdA]));
        var data = Expect.Ok(r)["data"]!.AsArray();
        Assert.Equal([p.IdB, p.IdA], data.Select(d => IrisHttp.Str(d!["coactiveImageId"])).ToArray());
        foreach (var d in data) Expect.Asset(d, server.ClientId);
        Expect.JsonEqual(await Http.GetImageAsync(p.IdB), data[0], "batch entry vs single GET");
        Expect.JsonEqual(await Http.GetImageAsync(p.IdA), data[1], "batch entry vs single GET");
    }

    [Fact]
    public async Task Post_twin_answers_the_same()
    {
        var p = await PairAsync();
        string[] ask = [p.IdB, p.IdA, p.IdB, Guid.NewGuid().ToString(), p.IdA];
        var get = Expect.Ok(await Http.GetAsync("/api/v0/images/metadata?" + J.Repeat("coactive_image_ids", ask)));
        var post = Expect.Ok(await Http.PostAsync("/api/v0/images/metadata",
            new JsonObject { ["coactiveImageIds"] = J.Strings(ask) }));
        Expect.JsonEqual(get, post, "POST vs GET");
        Assert.Equal(2, post["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task Batch_of_only_unknown_ids_is_404()
    {
        var ids = Names.RandomUuids(3);
        Expect.Error(await Http.GetAsync("/api/v0/images/metadata?" + J.Repeat("coactive_image_ids", ids)), 404, "Image not found");
        Expect.Error(await Http.PostAsync("/api/v0/images/metadata", new JsonObject { ["coactiveImageIds"] = J.Strings(ids) }),
            404, "Image not found");
    }

    [Fact]
    public async Task Batch_without_ids_is_422_missing()
    {
        Expect.Missing(await Http.GetAsync("/api/v0/images/metadata"), "query", "coactive_image_ids");
        Expect.Missing(await Http.PostAsync("/api/v0/images/metadata", new JsonObject()), "body", "coactiveImageIds");
    }

    [Fact]
    public async Task Batch_with_a_malformed_id_is_422_at_its_index()
    {
        var p = await PairAsync();
        string[] ids = [p.IdA, p.IdB, "nope", Guid.NewGuid().ToString()];
        var get = await Http.GetAsync("/api/v0/images/metadata?" + J.Repeat("coactive_image_ids", ids));
        Expect.Validation(get, "uuid_parsing", "query", "coactive_image_ids", 2);
        Assert.Single(Expect.ValidationEntries(get));

        var post = await Http.PostAsync("/api/v0/images/metadata", new JsonObject { ["coactiveImageIds"] = J.Strings(ids) });
        Expect.Validation(post, "uuid_parsing", "body", "coactiveImageIds", 2);
        Assert.Single(Expect.ValidationEntries(post));
    }

    [Fact]
    public async Task Batch_reports_every_malformed_id()
    {
        string[] ids = ["x", Guid.NewGuid().ToString(), "y"];
        var r = await Http.GetAsync("/api/v0/images/metadata?" + J.Repeat("coactive_image_ids", ids));
        Expect.Validation(r, "uuid_parsing", "query", "coactive_image_ids", 0);
        Expect.Validation(r, "uuid_parsing", "query", "coactive_image_ids", 2);
        Assert.Equal(2, Expect.ValidationEntries(r).Count);
    }

    [Fact]
    public async Task Thousand_ids_in_the_query_string_are_accepted()
    {
        var ids = Names.RandomUuids(1000);
        var get = await Http.GetAsync("/api/v0/images/metadata?" + J.Repeat("coactive_image_ids", ids));
        Expect.Error(get, 404, "Image not found");
        var post = await Http.PostAsync("/api/v0/images/metadata", new JsonObject { ["coactiveImageIds"] = J.Strings(ids) });
        Expect.Error(post, 404, "Image not found");
    }

    [Fact]
    public async Task Thousand_ids_find_the_known_one()
    {
        var p = await PairAsync();
        var ids = Names.RandomUuids(999).Append(p.IdA).ToArray();
        var data = Expect.Ok(await Http.GetAsync("/api/v0/images/metadata?" + J.Repeat("coactive_image_ids", ids)))["data"]!.AsArray();
        Assert.Equal(p.IdA, IrisHttp.Str(Assert.Single(data)!["coactiveImageId"]));
    }

    [Fact]
    public async Task More_than_1000_ids_is_422_too_long()
    {
        var ids = Names.RandomUuids(1001);
        Expect.Validation(await Http.GetAsync("/api/v0/images/metadata?" + J.Repeat("coactive_image_ids", ids)),
            "too_long", "query", "coactive_image_ids");
        Expect.Validation(await Http.PostAsync("/api/v0/images/metadata", new JsonObject { ["coactiveImageIds"] = J.Strings(ids) }),
            "too_long", "body", "coactiveImageIds");
    }

    [Fact]
    public async Task Post_twin_with_malformed_json_is_422_json_invalid()
    {
        var r = await Http.SendJsonAsync(HttpMethod.Post, "/api/v0/images/metadata", "{\"coactiveImageIds\": [");
        Expect.Validation(r, "json_invalid", "body");
    }
}
