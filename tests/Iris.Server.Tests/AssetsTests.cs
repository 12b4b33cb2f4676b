using System.Text.Json;
using System.Text.Json.Nodes;

namespace Iris.Server.Tests;

/// <summary>
/// Adding images through the v1 ingest jobs (<c>/api/v1/ingestion/images</c>, <c>/buckets</c>, <c>/files</c>, <c>/metadata</c>)
/// and what ingestion makes of them: one image per path, however spelled; the last of repeated entries wins; re-adding
/// keeps the id; an errored image is queued again; metadata validation; the limits.
/// </summary>
[Collection(IrisServerCollection.Name)]
public sealed class AssetsTests(ServerFixture server)
{
    private static readonly string[] ImageExtensions =
        [".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp", ".avif", ".heic", ".heif"];

    private const string ImagesRoute = "/api/v1/ingestion/images";

    private IrisHttp Http => server.Http;

    private Task<ApiResponse> PostImages(string datasetId, params JsonObject[] images) =>
        Http.PostAsync(ImagesRoute, IrisHttp.ImagesJob(datasetId, images));

    /// <summary>POST /api/v1/ingestion/buckets of a prefix; asserts 202 and returns the job.</summary>
    private async Task<JsonNode> PostBucket(string datasetId, string path)
    {
        var r = await Http.PostAsync("/api/v1/ingestion/buckets", new JsonObject { ["dataset_id"] = datasetId, ["path"] = path });
        Expect.Status(r, 202);
        return r.Json;
    }

    /// <summary>The source paths of every asset of a job, page by page.</summary>
    private async Task<List<string>> JobPathsAsync(string jobId)
    {
        var paths = new List<string>();
        for (var offset = 0; ; offset += 1000)
        {
            var page = Expect.Ok(await Http.GetAsync($"/api/v1/ingestion/jobs/{jobId}/status?offset={offset}&limit=1000"))["data"]!["assets"]!["data"]!.AsArray();
            paths.AddRange(page.Select(a => IrisHttp.Str(a!["source_path"])));
            if (page.Count < 1000) return paths;
        }
    }

    [Fact]
    public async Task Images_job_answers_one_asset_per_distinct_path_and_the_last_repeated_entry_wins()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var a = server.CorpusUri("go-image/video-001.q50.420.jpeg");
        var b = server.CorpusUri("go-image/video-001.q50.444.jpeg");
        var first = new JsonObject { ["scene"] = "s0" };
        var meta = new JsonObject { ["scene"] = "s1", ["n"] = 1 };
        var body = Expect.Ok(await PostImages(datasetId, J.Image(a, metadata: first), J.Image(b), J.Image(a, metadata: meta)));

        var jobId = Expect.Uuid(body["id"], "id");
        Assert.Equal(datasetId, IrisHttp.Str(body["dataset_id"]));
        Assert.Equal(2, body["total_assets"]!.GetValue<int>());
        var assets = IrisHttp.Assets(body);
        Assert.Equal([a, b], assets.Select(i => IrisHttp.Str(i!["asset"]!["source_path"])).ToArray());
        foreach (var asset in assets)
        {
            Assert.Equal("image", IrisHttp.Str(asset!["asset"]!["asset_type"]));
            Expect.Uuid(asset["asset_id"], "asset_id");
            Expect.Null(asset, "error");
        }
        Expect.JsonEqual(meta, assets[0]!["asset"]!["metadata"], "metadata of the last entry of a");
        Expect.Null(assets[1]!["asset"], "metadata");
        Assert.NotEqual(IrisHttp.AssetId(body, 0), IrisHttp.AssetId(body, 1));
        Assert.NotEqual(jobId, Expect.Uuid(assets[0]!["asset_id"]));

        var statuses = await Http.WaitForTerminalAsync(datasetId, a, b);
        Expect.CompletedStatus(statuses[a]);
        Expect.CompletedStatus(statuses[b]);
        Assert.Equal(IrisHttp.AssetId(body, 0), IrisHttp.Str(statuses[a]["coactiveImageId"]));
        var image = await Http.GetImageAsync(IrisHttp.AssetId(body, 0));
        Expect.Asset(image, server.ClientId);
        Expect.JsonEqual(meta, image["metadata"], "stored metadata");
        Assert.Equal(datasetId, IrisHttp.Str(image["datasetId"]));
    }

    [Fact]
    public async Task A_file_has_one_image_whichever_way_its_path_is_spelled()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var plain = server.CorpusUri("go-image/video-001.q50.411.jpeg");
        // the curl walk-through's spelling: through a sibling folder and back, a "." and an escaped dot segment
        var dotted = ServerFixture.FileUri(server.CorpusRoot + "/../corpus/./go-image/%2E%2E/go-image/video-001.q50.411.jpeg");
        var first = await Http.AddPathsAsync(datasetId, dotted);
        Assert.Equal(plain, IrisHttp.SourcePath(first)); // stored as one spelling
        var imageId = IrisHttp.AssetId(first);
        var second = await Http.AddPathsAsync(datasetId, plain);
        Assert.Equal(imageId, IrisHttp.AssetId(second));
        var both = await Http.AddPathsAsync(datasetId, plain, dotted);
        Assert.Single(IrisHttp.Assets(both)); // both spellings in one job: one asset
        Assert.Equal(imageId, IrisHttp.AssetId(both));

        // looked up under either spelling, each answered as asked
        var statuses = await Http.WaitForTerminalAsync(datasetId, dotted, plain);
        Assert.Equal(imageId, IrisHttp.Str(statuses[dotted]["coactiveImageId"]));
        Assert.Equal(imageId, IrisHttp.Str(statuses[plain]["coactiveImageId"]));
        Assert.Equal(dotted, IrisHttp.Str(statuses[dotted]["path"]));
        Expect.CompletedStatus(statuses[dotted]);
        var posted = Expect.Ok(await Http.PostAsync($"/api/v0/datasets/{datasetId}/images/statuses",
            new JsonObject { ["paths"] = new JsonArray(dotted, plain) }))["data"]!.AsArray();
        Assert.Equal([dotted, plain], posted.Select(s => IrisHttp.Str(s!["path"])).ToArray());
        Assert.All(posted, s => Assert.Equal(imageId, IrisHttp.Str(s!["coactiveImageId"])));

        // a metadata job by source_path finds it too
        var updated = await Http.PostAsync("/api/v1/ingestion/metadata", new JsonObject
        {
            ["dataset_id"] = datasetId, ["update_type"] = "overwrite",
            ["update_assets"] = new JsonArray(new JsonObject
                { ["source_path"] = dotted, ["asset_type"] = "image", ["metadata"] = new JsonObject { ["k"] = "v" } }),
        });
        Expect.Status(updated, 202);
        Assert.Equal(imageId, IrisHttp.Str(Assert.Single(updated.Json["details"]!["accepted"]!.AsArray())!["asset_id"]));
        Assert.Equal("v", IrisHttp.Str((await Http.GetImageAsync(imageId))["metadata"]!["k"]));
    }

    [Fact]
    public async Task Re_adding_a_path_keeps_the_image_and_replaces_metadata_only_when_given()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var path = server.CorpusUri("go-image/video-001.q50.422.jpeg");
        var first = await Http.AddImagesAsync(datasetId, J.Image(path, metadata: new JsonObject { ["v"] = "one" }));
        var imageId = IrisHttp.AssetId(first);
        await Http.WaitForTerminalAsync(datasetId, path);

        var second = await Http.AddImagesAsync(datasetId, J.Image(path, metadata: new JsonObject { ["v"] = "two", ["x"] = 2 }));
        var again = Assert.Single(IrisHttp.Assets(second))!;
        Assert.Equal(imageId, IrisHttp.Str(again["asset_id"]));
        Expect.JsonEqual(new JsonObject { ["v"] = "two", ["x"] = 2 }, again["asset"]!["metadata"], "metadata in the answer");
        Assert.NotEqual(IrisHttp.Str(first["id"]), IrisHttp.Str(second["id"]));
        await Http.WaitForTerminalAsync(datasetId, path);
        Expect.JsonEqual(new JsonObject { ["v"] = "two", ["x"] = 2 }, (await Http.GetImageAsync(imageId))["metadata"], "metadata");

        var third = await Http.AddPathsAsync(datasetId, path);
        Assert.Equal(imageId, IrisHttp.AssetId(third));
        await Http.WaitForTerminalAsync(datasetId, path);
        var asset = await Http.GetImageAsync(imageId);
        Expect.JsonEqual(new JsonObject { ["v"] = "two", ["x"] = 2 }, asset["metadata"], "metadata kept when none is given");
        Assert.Equal("completed", IrisHttp.Str(asset["status"]));

        var statuses = Expect.Ok(await Http.GetAsync($"/api/v0/datasets/{datasetId}/images/statuses?paths={Uri.EscapeDataString(path)}"));
        Assert.Equal(imageId, IrisHttp.Str(Assert.Single(statuses["data"]!.AsArray())!["coactiveImageId"]));
        Assert.Equal(1, (await Http.GetDatasetAsync(datasetId))["image_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_errored_image_is_queued_again_when_added_again()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var file = Path.Combine(server.FilesDir, $"late-{Guid.NewGuid():N}.jpg");
        var path = ServerFixture.FileUri(file);
        var imageId = (await Http.AddAndWaitAsync(datasetId, path))[path];
        Expect.ErrorStatus((await Http.WaitForTerminalAsync(datasetId, path))[path], "file_not_found");

        File.Copy(server.Corpus("imaging/orientation_3.jpg"), file);
        var again = await Http.AddPathsAsync(datasetId, path);
        Assert.Equal(imageId, IrisHttp.AssetId(again));
        Expect.Null(Assert.Single(IrisHttp.Assets(again)), "error"); // pending again
        Expect.CompletedStatus((await Http.WaitForTerminalAsync(datasetId, path))[path]);
        Expect.CompletedFrom(await Http.GetImageAsync(imageId), server.Corpus("imaging/orientation_3.jpg"));
    }

    [Fact]
    public async Task Same_path_in_two_datasets_is_two_images()
    {
        var d1 = await Http.CreateDatasetIdAsync();
        var d2 = await Http.CreateDatasetIdAsync();
        var path = server.CorpusUri("imaging/orientation_4.jpg");
        var i1 = (await Http.AddAndWaitAsync(d1, path))[path];
        var i2 = (await Http.AddAndWaitAsync(d2, path))[path];
        Assert.NotEqual(i1, i2);
        Assert.Equal(d1, IrisHttp.Str((await Http.GetImageAsync(i1))["datasetId"]));
        Assert.Equal(d2, IrisHttp.Str((await Http.GetImageAsync(i2))["datasetId"]));
    }

    [Fact]
    public async Task Metadata_values_round_trip()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var path = server.CorpusUri("go-image/video-005.gray.jpeg");
        var meta = new JsonObject
        {
            ["s"] = "text with ünïcödé", ["i"] = 42, ["neg"] = -7, ["f"] = 1.5, ["yes"] = true, ["no"] = false,
            ["when"] = "2026-11-28T15:11:45.456777Z",
        };
        var added = await Http.AddImagesAsync(datasetId, J.Image(path, metadata: meta));
        Expect.JsonEqual(meta, IrisHttp.Assets(added)[0]!["asset"]!["metadata"], "metadata in the answer");
        var id = IrisHttp.AssetId(added);
        Expect.CompletedStatus((await Http.WaitForTerminalAsync(datasetId, path))[path]);
        var asset = await Http.GetImageAsync(id);
        Expect.JsonEqual(meta, asset["metadata"], "metadata stored");
        Expect.Null(asset, "id");
        Assert.Equal(JsonValueKind.Number, asset["metadata"]!["i"]!.GetValueKind());
        Assert.Equal(JsonValueKind.True, asset["metadata"]!["yes"]!.GetValueKind());
        Assert.Equal(JsonValueKind.String, asset["metadata"]!["when"]!.GetValueKind());
    }

    [Fact]
    public async Task User_ids_come_from_a_manifest_and_re_adding_keeps_them()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var path = server.CorpusUri("go-image/video-001.q50.440.jpeg");
        var imageId = (await Http.AddWithIdsAsync(server.FilesDir, datasetId, J.Image(path, "my-id", new JsonObject { ["k"] = 1 })))[path];
        Expect.CompletedStatus((await Http.WaitForTerminalAsync(datasetId, path))[path]);
        Assert.Equal("my-id", IrisHttp.Str((await Http.GetImageAsync(imageId))["id"]));

        var again = await Http.AddPathsAsync(datasetId, path); // no id given: the one it has stays
        Assert.Equal(imageId, IrisHttp.AssetId(again));
        var asset = await Http.GetImageAsync(imageId);
        Assert.Equal("my-id", IrisHttp.Str(asset["id"]));
        Expect.JsonEqual(new JsonObject { ["k"] = 1 }, asset["metadata"], "metadata");
    }

    [Fact]
    public async Task Nested_object_in_metadata_is_422_and_records_nothing()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var good = server.CorpusUri("go-image/video-001.rgb.jpeg");
        var r = await PostImages(datasetId, J.Image(good), J.Image("never-recorded.jpg",
            metadata: new JsonObject { ["fine"] = "x", ["deep"] = new JsonObject { ["a"] = 1 } }));
        Expect.Validation(r, null, "body", "images", 1, "metadata", "deep");
        Assert.DoesNotContain(Expect.ValidationEntries(r), e => e!["loc"]!.ToJsonString().Contains("\"fine\""));

        var statuses = Expect.Ok(await Http.PostAsync($"/api/v0/datasets/{datasetId}/images/statuses",
            new JsonObject { ["paths"] = J.Strings([good, "never-recorded.jpg"]) }))["data"]!.AsArray();
        Assert.All(statuses, s => Assert.Equal("not_found", IrisHttp.Str(s!["status"])));
    }

    [Fact]
    public async Task Nested_object_at_index_zero()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var r = await PostImages(datasetId, J.Image("x.jpg", metadata: new JsonObject { ["k"] = new JsonObject() }));
        Expect.Validation(r, null, "body", "images", 0, "metadata", "k");
    }

    [Fact]
    public async Task Metadata_job_values_are_checked_like_ingested_ones()
    {
        var r = await Http.PostAsync("/api/v1/ingestion/metadata", new JsonObject
        {
            ["dataset_id"] = Guid.NewGuid().ToString(),
            ["update_assets"] = new JsonArray(new JsonObject { ["asset_id"] = Guid.NewGuid().ToString(), ["asset_type"] = "image", ["metadata"] = new JsonObject() }),
        });
        Expect.Error(r, 404, "Dataset not found");

        var datasetId = await Http.CreateDatasetIdAsync();
        var nested = await Http.PostAsync("/api/v1/ingestion/metadata", new JsonObject
        {
            ["dataset_id"] = datasetId,
            ["update_assets"] = new JsonArray(new JsonObject
            {
                ["asset_id"] = Guid.NewGuid().ToString(), ["asset_type"] = "image", ["metadata"] = new JsonObject { ["k"] = new JsonObject { ["z"] = 1 } },
            }),
        });
        Expect.Validation(nested, null, "body", "update_assets", 0, "metadata", "k");
    }

    [Fact]
    public async Task Missing_or_empty_path_is_422_at_its_index()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var ok = J.Image(server.CorpusUri("imaging/orientation_5.jpg"));
        var missing = await PostImages(datasetId, ok, new JsonObject { ["metadata"] = new JsonObject { ["no"] = "path" } });
        Expect.Missing(missing, "body", "images", 1, "source_path");

        var empty = await PostImages(datasetId, J.Image(server.CorpusUri("imaging/orientation_5.jpg")),
            J.Image(server.CorpusUri("imaging/orientation_6.jpg")), J.Image(""));
        Expect.Validation(empty, null, "body", "images", 2, "source_path");

        var both = await PostImages(datasetId, new JsonObject(), J.Image(""));
        Expect.Validation(both, "missing", "body", "images", 0, "source_path");
        Expect.Validation(both, null, "body", "images", 1, "source_path");
    }

    [Fact]
    public async Task More_than_1000_images_is_422_too_long()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var images = Enumerable.Range(0, 1001).Select(i => J.Image($"ftp://x/{i}.jpg")).ToArray();
        Expect.Validation(await PostImages(datasetId, images), "too_long", "body", "images");
        var statuses = Expect.Ok(await Http.GetAsync($"/api/v0/datasets/{datasetId}/images/statuses?paths=ftp%3A%2F%2Fx%2F0.jpg"));
        Assert.Equal("not_found", IrisHttp.Str(statuses["data"]![0]!["status"]));
    }

    [Fact]
    public async Task Body_without_dataset_or_images_is_422()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var r = await Http.PostAsync(ImagesRoute, new JsonObject { ["dataset_id"] = datasetId, ["somethingElse"] = 1 });
        Expect.Missing(r, "body", "images");
        var empty = await Http.PostAsync(ImagesRoute, new JsonObject());
        Assert.All(Expect.ValidationEntries(empty), e => Assert.Equal("body", e!["loc"]![0]!.GetValue<string>()));
        Expect.Missing(empty, "body", "dataset_id");
    }

    [Fact]
    public async Task Malformed_json_is_422_json_invalid()
    {
        var r = await Http.SendJsonAsync(HttpMethod.Post, ImagesRoute, "{\"images\": [{\"source_path\": \"a.jpg\"}");
        Expect.Validation(r, "json_invalid", "body");
    }

    [Fact]
    public async Task Unknown_extra_fields_are_ignored()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var path = server.CorpusUri("imaging/orientation_7.jpg");
        var body = new JsonObject
        {
            ["dataset_id"] = datasetId,
            ["images"] = new JsonArray(new JsonObject { ["source_path"] = path, ["colour"] = "blue", ["extra"] = new JsonObject { ["n"] = 1 } }),
            ["priority"] = "high",
            ["tags"] = new JsonArray(1, 2),
        };
        var added = Expect.Ok(await Http.PostAsync(ImagesRoute, body));
        var image = Assert.Single(IrisHttp.Assets(added))!;
        Assert.Equal(path, IrisHttp.Str(image["asset"]!["source_path"]));
        Assert.False(image["asset"]!.AsObject().ContainsKey("colour"));
        Expect.CompletedStatus((await Http.WaitForTerminalAsync(datasetId, path))[path]);
    }

    [Fact]
    public async Task Unknown_dataset_is_404()
    {
        var r = await PostImages(Guid.NewGuid().ToString(), J.Image(server.CorpusUri("imaging/orientation_8.jpg")));
        Expect.Error(r, 404, "Dataset not found");
    }

    [Fact]
    public async Task Every_failure_kind_has_its_code_and_does_not_disturb_good_images()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var depth = server.CorpusRoot.Split('/', StringSplitOptions.RemoveEmptyEntries).Length;
        // Dot segments are removed before the path is stored: the escape is filed as what it names, and still refused.
        var escape = ServerFixture.FileUri(server.CorpusRoot + string.Concat(Enumerable.Repeat("/..", depth)) + "/etc/hostname");
        string Stored(string path) => path == escape ? "file:///etc/hostname" : path;
        var good1 = server.CorpusUri("go-image/video-001.q50.410.jpeg");
        var good2 = server.CorpusUri("x-image/video-001.png");
        var cases = new (string Path, string? Code)[]
        {
            (good1, null),
            ("file:///etc/passwd", "permission_denied"),
            (escape, "permission_denied"),
            (ServerFixture.FileUri(server.SymlinkEscape), "permission_denied"),
            (ServerFixture.FileUri(Path.Combine(server.FilesDir, $"missing-{Guid.NewGuid():N}.jpg")), "file_not_found"),
            (server.CorpusUri($"go-image/missing-{Guid.NewGuid():N}.jpeg"), "file_not_found"),
            (ServerFixture.FileUri(server.TextAsJpg), "unsupported_format"),
            (ServerFixture.FileUri(server.ZeroByteJpg), "unsupported_format"),
            ("ftp://x/y.jpg", "unsupported_uri_scheme"),
            ("not-a-uri.jpg", "unsupported_uri_scheme"),
            (good2, null),
        };
        var added = await Http.AddPathsAsync(datasetId, cases.Select(c => c.Path).ToArray());
        Assert.Equal(cases.Select(c => Stored(c.Path)).ToArray(), IrisHttp.Assets(added).Select(i => IrisHttp.Str(i!["asset"]!["source_path"])).ToArray());
        Assert.All(IrisHttp.Assets(added), i => Expect.Null(i, "error"));

        var statuses = await Http.WaitForTerminalAsync(datasetId, cases.Select(c => c.Path));
        foreach (var (path, code) in cases)
        {
            if (code is null) Expect.CompletedStatus(statuses[path]);
            else Expect.ErrorStatus(statuses[path], code);
        }

        // The metadata route agrees with the statuses route.
        foreach (var (path, imageId) in IrisHttp.Ids(added))
        {
            var asset = await Http.GetImageAsync(imageId);
            var expected = cases.Single(c => Stored(c.Path) == path).Code is null ? "completed" : "error";
            Assert.Equal(expected, IrisHttp.Str(asset["status"]));
        }
        Expect.CompletedFrom(await Http.GetImageAsync(IrisHttp.AssetId(added, 0)),
            server.Corpus("go-image/video-001.q50.410.jpeg"));
        Expect.CompletedFrom(await Http.GetImageAsync(IrisHttp.AssetId(added, cases.Length - 1)),
            server.Corpus("x-image/video-001.png"));
        Assert.Equal(2, (await Http.GetDatasetAsync(datasetId))["image_count"]!.GetValue<int>());

        // The job's details show each failure's reason once the images are done.
        var job = Expect.Ok(await Http.GetAsync($"/api/v1/ingestion/jobs/{IrisHttp.Str(added["id"])}"));
        Assert.Equal(cases.Count(c => c.Code is not null), job["errored_assets"]!.GetValue<int>());
        Assert.Equal(cases.Count(c => c.Code is not null), IrisHttp.Assets(job).Count(a => a!["error"] is JsonValue));
    }

    [Fact]
    public async Task Exif_tagged_files_match_exiftool()
    {
        var folder = server.Corpus("exif-tagged");
        var expected = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "expected.json")))!.AsArray();
        var datasetId = await Http.CreateDatasetIdAsync();
        var paths = expected.Select(e => ServerFixture.FileUri(Path.Combine(folder, IrisHttp.Str(e!["name"])))).ToArray();
        var ids = await Http.AddAndWaitAsync(datasetId, paths);

        foreach (var e in expected)
        {
            var name = IrisHttp.Str(e!["name"]);
            var asset = await Http.GetImageAsync(ids[ServerFixture.FileUri(Path.Combine(folder, name))]);
            var tm = Expect.CompletedFrom(asset, Path.Combine(folder, name));
            var format = IrisHttp.Str(e["FileType"]) switch
            {
                "JPEG" => "jpeg",
                "PNG" => "png",
                "TIFF" => "tiff",
                "WEBP" or "Extended WEBP" => "webp",
                var other => other.ToLowerInvariant(),
            };
            var why = $"{name}: {tm.ToJsonString()}";
            Assert.True(IrisHttp.Str(tm["format"]) == format, why);
            Assert.True(tm["width"]!.GetValue<int>() == e["ImageWidth"]!.GetValue<int>(), "width of " + why);
            Assert.True(tm["height"]!.GetValue<int>() == e["ImageHeight"]!.GetValue<int>(), "height of " + why);
            Assert.True(tm["sizeBytes"]!.GetValue<long>() == e["FileSize"]!.GetValue<long>(), "sizeBytes of " + why);
            Assert.True(IrisHttp.Str(tm["sha256"]) == IrisHttp.Str(e["sha256"]), "sha256 of " + why);
            var exif = tm["exif"]!.AsObject();
            foreach (var tag in new[] { "Make", "Model", "DateTimeOriginal", "Artist" })
                Assert.True(exif[tag] is JsonValue v && v.GetValueKind() == JsonValueKind.String
                            && v.GetValue<string>().Trim() == IrisHttp.Str(e[tag]).Trim(),
                    $"exif {tag} of {name}: expected {e[tag]!.ToJsonString()}, got {exif[tag]?.ToJsonString() ?? "nothing"}");
        }
    }

    [Fact]
    public async Task Every_decodable_corpus_file_completes_and_broken_fragments_fail()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var good = new List<string>();
        foreach (var folder in new[] { "go-image", "x-image", "imaging", "exif-tagged", "pngsuite" })
            good.AddRange(Directory.GetFiles(server.Corpus(folder))
                .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())));
        string[] fragmentsWithImage = ["f2-exif.jpg", "f4-exif.jpg", "f6-exif.jpg", "f8-exif.jpg", "has-lens-info.jpg"];
        var fragments = Directory.GetFiles(server.Corpus("exif-fragments"), "*.jpg");
        good.AddRange(fragments.Where(f => fragmentsWithImage.Contains(Path.GetFileName(f))));
        var broken = fragments.Where(f => !fragmentsWithImage.Contains(Path.GetFileName(f))).ToList();
        Assert.True(good.Count > 150 && broken.Count > 20, $"corpus: {good.Count} good, {broken.Count} broken");

        var all = good.Concat(broken).ToList();
        var added = await Http.AddPathsAsync(datasetId, all.Select(ServerFixture.FileUri).ToArray());
        var ids = IrisHttp.Ids(added);
        var statuses = await Http.WaitForTerminalAsync(datasetId, all.Select(ServerFixture.FileUri));

        var failures = new List<string>();
        foreach (var file in good)
        {
            var entry = statuses[ServerFixture.FileUri(file)];
            if (IrisHttp.Str(entry["status"]) != "completed")
            {
                failures.Add($"{file}: {entry.ToJsonString()}");
                continue;
            }
            var asset = await Http.GetImageAsync(ids[ServerFixture.FileUri(file)]);
            try
            {
                var tm = Expect.CompletedFrom(asset, file);
                if (ImageHeaders.Dimensions(file) is (int w, int h))
                    Assert.True(tm["width"]!.GetValue<int>() == w && tm["height"]!.GetValue<int>() == h,
                        $"dimensions, expected {w}x{h}: {tm.ToJsonString()}");
            }
            catch (Exception e) when (e is Xunit.Sdk.XunitException)
            {
                failures.Add($"{file}: {e.Message}");
            }
        }
        foreach (var file in broken)
        {
            var entry = statuses[ServerFixture.FileUri(file)];
            var ok = IrisHttp.Str(entry["status"]) == "error"
                     && entry["errorCode"] is JsonValue
                     && entry["errorReason"] is JsonValue r && r.GetValue<string>().Trim().Length >= 10;
            if (!ok) failures.Add($"{file} should end in error with a reason: {entry.ToJsonString()}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} corpus files misbehaved:\n" + string.Join("\n", failures));
        Assert.Equal(good.Count, (await Http.GetDatasetAsync(datasetId))["image_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Bucket_job_adds_every_image_file_below_a_folder_recursively()
    {
        var root = Path.Combine(server.FilesDir, "tree-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(root, "sub", "deeper"));
        File.Copy(server.Corpus("imaging/orientation_1.jpg"), Path.Combine(root, "a.jpg"));
        File.Copy(server.Corpus("go-image/video-001.png"), Path.Combine(root, "sub", "deeper", "b.PNG"));
        File.Copy(server.Corpus("go-image/video-001.gif"), Path.Combine(root, "sub", "c.Gif"));
        File.Copy(server.Corpus("x-image/video-001.lossy.webp"), Path.Combine(root, "sub", "d.webp"));
        File.Copy(server.Corpus("x-image/video-001.tiff"), Path.Combine(root, "sub", "deeper", "e.tif"));
        await File.WriteAllTextAsync(Path.Combine(root, "notes.txt"), "not an image");
        await File.WriteAllTextAsync(Path.Combine(root, "sub", "x.sng"), "not an image");
        File.Copy(server.Corpus("imaging/orientation_2.jpg"), Path.Combine(root, "sub", "no-extension"));

        var datasetId = await Http.CreateDatasetIdAsync();
        var added = await PostBucket(datasetId, ServerFixture.FileUri(root) + "/");
        Expect.Uuid(added["id"], "id");
        var expected = new[] { "a.jpg", "sub/deeper/b.PNG", "sub/c.Gif", "sub/d.webp", "sub/deeper/e.tif" }
            .Select(r => ServerFixture.FileUri(Path.Combine(root, r))).Order().ToArray();
        Assert.Equal(expected.Length, added["total_assets"]!.GetValue<int>());

        var statuses = await Http.WaitForTerminalAsync(datasetId, expected);
        Assert.All(expected, p => Expect.CompletedStatus(statuses[p]));
        var listed = await JobPathsAsync(IrisHttp.Str(added["id"]));
        Assert.Equal(expected, listed.Order().ToArray());
    }

    [Fact]
    public async Task Bucket_job_of_a_corpus_folder()
    {
        var folder = server.Corpus("imaging");
        var datasetId = await Http.CreateDatasetIdAsync();
        var added = await PostBucket(datasetId, ServerFixture.FileUri(folder) + "/");
        var expected = Directory.GetFiles(folder).Select(ServerFixture.FileUri).Order().ToArray();
        Assert.Equal(expected, (await JobPathsAsync(IrisHttp.Str(added["id"]))).Order().ToArray());
        var statuses = await Http.WaitForTerminalAsync(datasetId, expected);
        Assert.All(expected, p => Expect.CompletedStatus(statuses[p]));
        Assert.Equal(expected.Length, (await Http.GetDatasetAsync(datasetId))["image_count"]!.GetValue<int>());
    }
}
