using System.Text.Json.Nodes;
using Iris.Testing;
using Iris.Tests.Servers;
using NetVips;

namespace Iris.Server.Tests;

/// <summary>
/// POST /api/v1/search/image-to-image against the real server: edited copies of a photo rank above other pictures,
/// answers are Coactive's SearchResponse, only the caller's organization and the named dataset are searched, and every
/// bad request is a 404 or a 422 with the contract's bodies.
/// </summary>
[Collection(IrisServerCollection.Name)]
public sealed class SearchTests(ServerFixture server)
{
    private const string Route = "/api/v1/search/image-to-image";
    private IrisHttp Http => server.Http;

    /// <summary>A dataset: a photo, five edited copies of it (uploaded), other pictures, and a file that ends in error.</summary>
    private sealed record Set(string DatasetId, string Original, string[] Copies, string[] Others, string Broken, Dictionary<string, string> Ids);

    private Task<Set> SetAsync() => server.OnceAsync("search-set", async () =>
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var original = server.CorpusUri("imaging/branches.jpg");
        string[] others =
        [
            server.CorpusUri("imaging/flowers.png"), server.CorpusUri("go-image/video-001.jpeg"),
            server.CorpusUri("x-image/blue-purple-pink.png"), server.CorpusUri("pngsuite/basn2c08.png"),
            server.CorpusUri("exif-fragments/f2-exif.jpg"), server.CorpusUri("pngsuite/basn0g08.png"),
        ];
        var broken = ServerFixture.FileUri(server.TextAsJpg);
        await Http.AddImagesAsync(datasetId,
            [J.Image(original, metadata: new JsonObject { ["kind"] = "original" }), .. others.Select(o => J.Image(o, metadata: new JsonObject { ["kind"] = "other" })), J.Image(broken)]);

        var copies = new List<string>();
        foreach (var (name, bytes) in EditedCopies(server.Corpus("imaging/branches.jpg")))
        {
            var body = Expect.Ok(await UploadsTests.UploadAsync(Http, datasetId, UploadsTests.Part.File(bytes, name, "image/jpeg"),
                UploadsTests.Part.Field("metadata", """{"kind": "copy"}""")));
            copies.Add(IrisHttp.SourcePath(body));
        }
        var all = new[] { original, broken }.Concat(others).Concat(copies).ToArray();
        var statuses = await Http.WaitForTerminalAsync(datasetId, all);
        foreach (var path in all.Where(p => p != broken)) Expect.CompletedStatus(statuses[path]);
        return new Set(datasetId, original, [.. copies], others, broken, all.ToDictionary(p => p, p => IrisHttp.Str(statuses[p]["coactiveImageId"])));
    });

    /// <summary>Crop, quarter turn, grey, blur and downscale of a photo, made here with libvips.</summary>
    internal static IEnumerable<(string Name, byte[] Bytes)> EditedCopies(string file)
    {
        using var image = Image.NewFromFile(file);
        using (var crop = image.Crop(image.Width / 5, image.Height / 5, image.Width * 3 / 5, image.Height * 3 / 5)) yield return ("crop.jpg", crop.JpegsaveBuffer(q: 85));
        using (var turned = image.Rot90()) yield return ("turned.jpg", turned.JpegsaveBuffer(q: 85));
        using (var grey = image.Colourspace(Enums.Interpretation.Bw)) yield return ("grey.jpg", grey.JpegsaveBuffer(q: 85));
        using (var blurred = image.Gaussblur(3)) yield return ("blurred.jpg", blurred.JpegsaveBuffer(q: 85));
        using (var small = image.Resize(0.25)) yield return ("small.jpg", small.JpegsaveBuffer(q: 85));
    }

    private static JsonObject Query(string datasetId, string imageId, int? limit = null, int? offset = null)
    {
        var body = new JsonObject { ["dataset_id"] = datasetId, ["coactive_image_id"] = imageId };
        if (limit is { } l) body["limit"] = l;
        if (offset is { } o) body["offset"] = o;
        return body;
    }

    /// <summary>The answer's hits as (path, score), checked against Coactive's document and for order.</summary>
    private static List<(string Id, string Path, double Score, JsonNode Hit)> Hits(ApiResponse r)
    {
        var body = Expect.Ok(r);
        CoactiveDocument.AssertResponse("POST", Route, 200, r.Text);
        var hits = body["data"]!.AsArray().Select(h => (IrisHttp.Str(h!["coactive_image_id"]), IrisHttp.Str(h["path"]), h["score"]!.GetValue<double>(), h)).ToList();
        foreach (var (_, _, score, _) in hits) Assert.InRange(score, -1.0, 1.0);
        for (var i = 1; i < hits.Count; i++) Assert.True(hits[i - 1].Item3 >= hits[i].Item3, $"Not best first: {r.Text}");
        return hits;
    }

    [Fact]
    public async Task Edited_copies_of_a_photo_rank_above_every_other_picture()
    {
        var set = await SetAsync();
        var hits = Hits(await Http.PostAsync(Route, Query(set.DatasetId, set.Ids[set.Original])));

        Assert.DoesNotContain(hits, h => h.Id == set.Ids[set.Original]); // the query image itself is left out
        Assert.DoesNotContain(hits, h => h.Path == set.Broken);          // an image in error has no embedding
        Assert.Equal(set.Copies.Length + set.Others.Length, hits.Count);
        Assert.Equal(set.Copies.Order(), hits.Take(set.Copies.Length).Select(h => h.Path).Order());
        var first = hits[0].Hit;
        Expect.HasFields(first, ["created_user_id", "created_dt", "updated_user_id", "updated_dt", "coactive_image_id", "path", "metadata", "score"]);
        Assert.Equal("copy", IrisHttp.Str(first["metadata"]!["kind"]));
    }

    [Fact]
    public async Task Offset_and_limit_page_through_the_same_ranking()
    {
        var set = await SetAsync();
        var all = Hits(await Http.PostAsync(Route, Query(set.DatasetId, set.Ids[set.Original])));
        var page = Hits(await Http.PostAsync(Route, Query(set.DatasetId, set.Ids[set.Original], limit: 3, offset: 2)));
        Assert.Equal(all.Skip(2).Take(3).Select(h => h.Id), page.Select(h => h.Id));
        Assert.Empty(Hits(await Http.PostAsync(Route, Query(set.DatasetId, set.Ids[set.Original], limit: 5, offset: 500))));
    }

    [Fact]
    public async Task Metadata_filters_keep_the_images_whose_metadata_matches()
    {
        var set = await SetAsync();
        var only = Query(set.DatasetId, set.Ids[set.Original]);
        only["metadata_filters"] = new JsonObject { ["filters"] = new JsonArray(new JsonObject { ["key"] = "kind", ["operator"] = "==", ["value"] = "other" }) };
        var others = Hits(await Http.PostAsync(Route, only));
        Assert.Equal(set.Others.Order(), others.Select(h => h.Path).Order());

        var not = Query(set.DatasetId, set.Ids[set.Original]);
        not["metadata_filters"] = new JsonObject { ["filters"] = new JsonArray(new JsonObject { ["key"] = "kind", ["operator"] = "!=", ["value"] = "other" }) };
        Assert.Equal(set.Copies.Order(), Hits(await Http.PostAsync(Route, not)).Select(h => h.Path).Order());
    }

    [Fact]
    public async Task A_file_sent_with_the_search_finds_the_photo_and_its_copies_first()
    {
        var set = await SetAsync();
        var bytes = await File.ReadAllBytesAsync(server.Corpus("imaging/branches.jpg"));
        var r = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, Route)
        {
            Content = UploadsTests.Form(UploadsTests.Part.Field("dataset_id", set.DatasetId), UploadsTests.Part.Field("limit", "6"),
                UploadsTests.Part.File(bytes, "query.jpg", "image/jpeg")),
        });
        var hits = Hits(r);
        Assert.Equal(6, hits.Count);
        Assert.Equal(set.Original, hits[0].Path);
        Assert.True(hits[0].Score > 0.99, $"The same file should score about 1: {r.Text}");
        Assert.Equal(set.Copies.Order(), hits.Skip(1).Select(h => h.Path).Order());
    }

    [Fact]
    public async Task Only_the_named_dataset_is_searched_and_a_query_image_may_come_from_another()
    {
        var set = await SetAsync();
        var second = await Http.CreateDatasetIdAsync();
        var ids = await Http.AddAndWaitAsync(second, server.CorpusUri("imaging/branches.png"), server.CorpusUri("imaging/flowers.png"));

        var fromSecond = Hits(await Http.PostAsync(Route, Query(second, set.Ids[set.Original])));
        Assert.Equal(ids.Values.Order(), fromSecond.Select(h => h.Id).Order());
        var fromFirst = Hits(await Http.PostAsync(Route, Query(set.DatasetId, ids[server.CorpusUri("imaging/branches.png")])));
        Assert.All(fromFirst, h => Assert.Contains(h.Path, set.Ids.Keys));
        Assert.Equal(set.Original, fromFirst[0].Path); // the same picture as a PNG, in the other dataset
    }

    [Fact]
    public async Task Another_organization_finds_neither_the_dataset_nor_the_image()
    {
        var set = await SetAsync();
        using var other = server.ClientFor(await server.OtherOrgAsync());
        var r = await other.PostAsync(Route, Query(set.DatasetId, set.Ids[set.Original]));
        Expect.Error(r, 404, "Dataset not found");
        CoactiveDocument.AssertResponse("POST", Route, 404, r.Text);

        var theirs = IrisHttp.Str(Expect.Ok(await other.PostAsync("/api/v1/datasets",
            new JsonObject { ["name"] = Names.Unique("theirs"), ["encoder_name"] = "multimodal" }))["id"]);
        Expect.Error(await other.PostAsync(Route, Query(theirs, set.Ids[set.Original])), 404, "Image not found");
    }

    [Fact]
    public async Task Unknown_ids_are_404()
    {
        var set = await SetAsync();
        Expect.Error(await Http.PostAsync(Route, Query(Guid.NewGuid().ToString(), set.Ids[set.Original])), 404, "Dataset not found");
        Expect.Error(await Http.PostAsync(Route, Query(set.DatasetId, Guid.NewGuid().ToString())), 404, "Image not found");
    }

    [Fact]
    public async Task A_query_image_without_an_embedding_is_a_422_saying_why()
    {
        var set = await SetAsync();
        var r = await Http.PostAsync(Route, Query(set.DatasetId, set.Ids[set.Broken]));
        var entry = Expect.Validation(r, "value_error", "body", "coactive_image_id");
        Assert.Contains("error", IrisHttp.Str(entry["msg"]));
        CoactiveDocument.AssertResponse("POST", Route, 422, r.Text);
    }

    [Fact]
    public async Task A_public_url_to_a_private_address_is_refused()
    {
        var set = await SetAsync();
        foreach (var url in new[] { "http://127.0.0.1:9/photo.jpg", "http://169.254.169.254/latest/meta-data/", "http://[::1]/x.jpg", "http://10.0.0.1/x.jpg" })
        {
            var r = await Http.PostAsync(Route, new JsonObject { ["dataset_id"] = set.DatasetId, ["public_url"] = url });
            var entry = Expect.Validation(r, "permission_denied", "body", "public_url");
            Assert.Contains("--allow-private-network", IrisHttp.Str(entry["msg"]));
            CoactiveDocument.AssertResponse("POST", Route, 422, r.Text);
        }
        foreach (var url in new[] { "file:///etc/passwd", "s3://bucket/key.jpg", "ftp://example.com/x.jpg" })
        {
            var r = await Http.PostAsync(Route, new JsonObject { ["dataset_id"] = set.DatasetId, ["public_url"] = url });
            Expect.Validation(r, "unsupported_uri_scheme", "body", "public_url");
        }
    }

    public static TheoryData<string, object[]> BadRequests => new()
    {
        { """{"dataset_id": "DS"}""", ["body", "coactive_image_id"] },
        { """{"dataset_id": "DS", "coactive_image_id": "IMG", "public_url": "https://example.com/a.jpg"}""", ["body"] },
        { """{"coactive_image_id": "IMG"}""", ["body", "dataset_id"] },
        { """{"dataset_id": "not-a-uuid", "coactive_image_id": "IMG"}""", ["body", "dataset_id"] },
        { """{"dataset_id": "DS", "coactive_image_id": "nope"}""", ["body", "coactive_image_id"] },
        { """{"dataset_id": "DS", "coactive_image_id": "IMG", "limit": 0}""", ["body", "limit"] },
        { """{"dataset_id": "DS", "coactive_image_id": "IMG", "limit": 1001}""", ["body", "limit"] },
        { """{"dataset_id": "DS", "coactive_image_id": "IMG", "offset": -1}""", ["body", "offset"] },
        { """{"dataset_id": "DS", "coactive_image_id": "IMG", "offset": 9999, "limit": 100}""", ["body", "offset"] },
        { """{"dataset_id": "DS", "coactive_image_id": "IMG", "limit": "ten"}""", ["body", "limit"] },
        { """{"dataset_id": "DS", "upload_id": "u-1"}""", ["body", "upload_id"] },
        { """{"dataset_id": "DS", "coactive_image_id": "IMG", "asset_type": "audio"}""", ["body", "asset_type"] },
        { """{"dataset_id": "DS", "coactive_image_id": "IMG", "metadata_filters": {}}""", ["body", "metadata_filters", "filters"] },
        { """{"dataset_id": "DS", "coactive_image_id": "IMG", "metadata_filters": {"filters": [{"key": "a", "operator": "<", "value": "b"}]}}""", ["body", "metadata_filters", "filters", 0, "operator"] },
        { """{"dataset_id": "DS", "coactive_image_id": "IMG", "metadata_filters": {"filters": [{"key": "a", "operator": "!=", "value": true}]}}""", ["body", "metadata_filters", "filters", 0, "value"] },
        { """{"dataset_id": "DS", "coactive_image_id": "IMG", "metadata_filters": {"filters": [{"operator": "==", "value": "b"}]}}""", ["body", "metadata_filters", "filters", 0, "key"] },
        { """[1, 2]""", ["body"] },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_requests_are_a_422_at_their_loc(string body, object[] loc)
    {
        var set = await SetAsync();
        body = body.Replace("\"DS\"", $"\"{set.DatasetId}\"").Replace("\"IMG\"", $"\"{set.Ids[set.Original]}\"");
        var r = await Http.SendBytesAsync(HttpMethod.Post, Route, System.Text.Encoding.UTF8.GetBytes(body), "application/json");
        Expect.Validation(r, null, loc);
        CoactiveDocument.AssertResponse("POST", Route, 422, r.Text);
    }

    [Fact]
    public async Task A_malformed_body_is_a_422_and_a_search_for_videos_finds_none()
    {
        var set = await SetAsync();
        var r = await Http.SendBytesAsync(HttpMethod.Post, Route, "{\"dataset_id\": "u8.ToArray(), "application/json");
        Expect.Status(r, 422);
        CoactiveDocument.AssertResponse("POST", Route, 422, r.Text);
        var videos = Query(set.DatasetId, set.Ids[set.Original]);
        videos["asset_type"] = "video";
        Assert.Empty(Hits(await Http.PostAsync(Route, videos)));
    }

    [Fact]
    public async Task A_dataset_without_embeddings_is_searchable_after_an_embeddings_job()
    {
        var created = Expect.Ok(await Http.PostAsync("/api/v1/datasets", new JsonObject { ["name"] = Names.Unique("plain"), ["encoder_name"] = "none" }));
        var datasetId = IrisHttp.Str(created["id"]);
        Assert.Equal("none", IrisHttp.Str(created["encoders"]![0]!["name"]));
        var ids = await Http.AddAndWaitAsync(datasetId, server.CorpusUri("imaging/branches.jpg"), server.CorpusUri("imaging/branches.png"),
            server.CorpusUri("imaging/flowers.png"));
        var query = Query(datasetId, ids[server.CorpusUri("imaging/branches.jpg")]);
        var refused = await Http.PostAsync(Route, query);
        Assert.Contains("embeddings job", IrisHttp.Str(Expect.Validation(refused, "value_error", "body", "dataset_id")["msg"]));

        var started = await Http.PostAsync($"/api/v1/datasets/{datasetId}/embeddings", new JsonObject { ["encoder_name"] = "resnet-50" });
        Expect.Status(started, 202);
        CoactiveDocument.AssertResponse("GET", "/api/v1/ingestion/jobs/{ingest_job_id}", 200, started.Text);
        Assert.Equal("unspecified", IrisHttp.Str(started.Json["job_type"]));
        Assert.Equal(3, started.Json["total_assets"]!.GetValue<int>());
        var jobId = IrisHttp.Str(started.Json["id"]);
        JsonNode job;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            await Task.Delay(200);
            job = Expect.Ok(await Http.GetAsync($"/api/v1/ingestion/jobs/{jobId}"));
        } while (IrisHttp.Str(job["status"]) != "completed" && clock.Elapsed < TimeSpan.FromSeconds(60));
        Assert.Equal(("completed", 3, 0), (IrisHttp.Str(job["status"]), job["processed_assets"]!.GetValue<int>(), job["errored_assets"]!.GetValue<int>()));
        Assert.Equal("resnet-50", IrisHttp.Str(Expect.Ok(await Http.GetAsync($"/api/v1/datasets/{datasetId}"))["encoders"]![0]!["name"]));

        var hits = Hits(await Http.PostAsync(Route, query));
        Assert.Equal([server.CorpusUri("imaging/branches.png"), server.CorpusUri("imaging/flowers.png")], hits.Select(h => h.Path));

        // Nothing is left to do: a second job completes at once.
        var again = await Http.PostAsync($"/api/v1/datasets/{datasetId}/embeddings", new JsonObject());
        Expect.Status(again, 202);
        Assert.Equal(("completed", 0), (IrisHttp.Str(again.Json["status"]), again.Json["total_assets"]!.GetValue<int>()));
        Expect.Validation(await Http.PostAsync($"/api/v1/datasets/{datasetId}/embeddings", new JsonObject { ["encoder_name"] = "none" }),
            "enum", "body", "encoder_name");
        Expect.Error(await Http.PostAsync($"/api/v1/datasets/{Guid.NewGuid()}/embeddings", new JsonObject()), 404, "Dataset not found");
    }

    [Fact]
    public async Task A_deleted_image_is_never_answered()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var paths = new[] { server.CorpusUri("imaging/branches.jpg"), server.CorpusUri("imaging/branches.png"), server.CorpusUri("imaging/flowers.png") };
        var ids = await Http.AddAndWaitAsync(datasetId, paths);
        var query = Query(datasetId, ids[paths[0]]);
        Assert.Equal(2, Hits(await Http.PostAsync(Route, query)).Count); // this node's index now holds the dataset

        Expect.Status(await Http.PostAsync("/api/v0/delete/assets", new JsonObject
        {
            ["dataset_id"] = datasetId,
            ["assets"] = new JsonArray(new JsonObject { ["asset_type"] = "image", ["identifier"] = ids[paths[1]] }),
        }), 202);
        Assert.Equal([paths[2]], Hits(await Http.PostAsync(Route, query)).Select(h => h.Path));
    }
}

/// <summary>A <c>public_url</c> query image, fetched from a loopback web server by a server allowed to.</summary>
public sealed class SearchByUrlTests(RemoteServerFixture remote) : IClassFixture<RemoteServerFixture>
{
    [Fact]
    public async Task A_public_url_is_fetched_and_its_copies_come_first()
    {
        var server = remote.Server;
        var datasetId = await server.Http.CreateDatasetIdAsync();
        var paths = new[] { server.CorpusUri("imaging/branches.png"), server.CorpusUri("imaging/flowers.png"), server.CorpusUri("go-image/video-001.jpeg") };
        await server.Http.AddAndWaitAsync(datasetId, paths);
        var bytes = await File.ReadAllBytesAsync(server.Corpus("imaging/branches.jpg"));
        var url = remote.Web.Map(LoopbackHttpServer.UniquePath("query.jpg"), x => x.SendAsync(200, bytes, "image/jpeg"));

        var r = await server.Http.PostAsync("/api/v1/search/image-to-image", new JsonObject { ["dataset_id"] = datasetId, ["public_url"] = url });
        var body = Expect.Ok(r);
        CoactiveDocument.AssertResponse("POST", "/api/v1/search/image-to-image", 200, r.Text);
        Assert.Equal(paths[0], IrisHttp.Str(body["data"]![0]!["path"]));
        Assert.Equal(3, body["data"]!.AsArray().Count);

        var missing = remote.Web.Map(LoopbackHttpServer.UniquePath("gone.jpg"), x => x.SendAsync(404, "no"u8.ToArray(), "text/plain"));
        var notFound = await server.Http.PostAsync("/api/v1/search/image-to-image", new JsonObject { ["dataset_id"] = datasetId, ["public_url"] = missing });
        Expect.Validation(notFound, null, "body", "public_url");
        CoactiveDocument.AssertResponse("POST", "/api/v1/search/image-to-image", 422, notFound.Text);
    }
}
