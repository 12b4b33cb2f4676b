using System.Text.Json;
using System.Text.Json.Nodes;

namespace Iris.Server.Tests;

/// <summary>POST /api/v1/datasets/{id}/assets, PUT /api/v1/datasets/{id}/assets-metadata, and what ingestion makes of them.</summary>
[Collection(IrisServerCollection.Name)]
public sealed class AssetsTests(ServerFixture server)
{
    private static readonly string[] ImageExtensions =
        [".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp", ".avif", ".heic", ".heif"];

    private IrisHttp Http => server.Http;

    private Task<ApiResponse> PostAssets(string datasetId, JsonNode body) =>
        Http.PostAsync($"/api/v1/datasets/{datasetId}/assets", body);

    private static JsonObject Images(params JsonObject[] images) =>
        new() { ["images"] = new JsonArray(images.Select(i => (JsonNode?)i).ToArray()) };

    [Fact]
    public async Task Add_answers_one_pending_entry_per_distinct_path()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var a = server.CorpusUri("go-image/video-001.q50.420.jpeg");
        var b = server.CorpusUri("go-image/video-001.q50.444.jpeg");
        var meta = new JsonObject { ["scene"] = "s1", ["n"] = 1 };
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        var body = Expect.Ok(await PostAssets(datasetId, Images(J.Image(a, "id-a", meta), J.Image(b), J.Image(a, "id-a", meta))));

        var groupId = Expect.Uuid(body["requestGroupId"], "requestGroupId");
        var images = body["images"]!.AsArray();
        Assert.Equal([a, b], images.Select(i => IrisHttp.Str(i!["path"])).ToArray());
        foreach (var image in images)
        {
            Expect.Asset(image, server.ClientId);
            Assert.Equal("pending", IrisHttp.Str(image!["status"]));
            Expect.Null(image, "technicalMetadata");
            Assert.Equal(datasetId, IrisHttp.Str(image["datasetId"]));
            Expect.Uuid(image["requestId"], "requestId");
            Assert.True(Expect.Timestamp(image["requestDt"], "requestDt") > before);
        }
        Assert.Equal("id-a", IrisHttp.Str(images[0]!["id"]));
        Expect.JsonEqual(meta, images[0]!["metadata"], "metadata");
        Expect.Null(images[1], "id");
        Expect.Null(images[1], "metadata");
        Assert.NotEqual(IrisHttp.Str(images[0]!["coactiveImageId"]), IrisHttp.Str(images[1]!["coactiveImageId"]));
        Assert.NotEqual(groupId, Expect.Uuid(images[0]!["coactiveImageId"]));

        var statuses = await Http.WaitForTerminalAsync(datasetId, a, b);
        Expect.CompletedStatus(statuses[a]);
        Expect.CompletedStatus(statuses[b]);
        Assert.Equal(IrisHttp.Str(images[0]!["coactiveImageId"]), IrisHttp.Str(statuses[a]["coactiveImageId"]));
    }

    [Fact]
    public async Task A_file_has_one_image_whichever_way_its_path_is_spelled()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var plain = server.CorpusUri("go-image/video-001.q50.411.jpeg");
        // the curl walk-through's spelling: through a sibling folder and back, a "." and an escaped dot segment
        var dotted = ServerFixture.FileUri(server.CorpusRoot + "/../corpus/./go-image/%2E%2E/go-image/video-001.q50.411.jpeg");
        var first = await Http.AddPathsAsync(datasetId, dotted);
        var image = first["images"]![0]!;
        Assert.Equal(plain, IrisHttp.Str(image["path"])); // stored as one spelling
        var imageId = IrisHttp.Str(image["coactiveImageId"]);
        var second = await Http.AddPathsAsync(datasetId, plain);
        Assert.Equal(imageId, IrisHttp.Str(second["images"]![0]!["coactiveImageId"]));

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

        // metadata by path finds it too
        var updated = Expect.Ok(await Http.PutAsync($"/api/v1/datasets/{datasetId}/assets-metadata", new JsonObject
        {
            ["images"] = new JsonArray(new JsonObject { ["path"] = dotted, ["metadata"] = new JsonObject { ["k"] = "v" } }),
        }));
        Assert.Equal(imageId, IrisHttp.Str(updated["images"]![0]!["coactiveImageId"]));
    }

    [Fact]
    public async Task Re_adding_a_path_keeps_the_image_and_replaces_metadata_only_when_given()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var path = server.CorpusUri("go-image/video-001.q50.422.jpeg");
        var first = await Http.AddImagesAsync(datasetId, J.Image(path, metadata: new JsonObject { ["v"] = "one" }));
        var imageId = IrisHttp.Str(first["images"]![0]!["coactiveImageId"]);
        await Http.WaitForTerminalAsync(datasetId, path);

        var second = await Http.AddImagesAsync(datasetId, J.Image(path, metadata: new JsonObject { ["v"] = "two", ["x"] = 2 }));
        var again = second["images"]!.AsArray().Single()!;
        Assert.Equal(imageId, IrisHttp.Str(again["coactiveImageId"]));
        Expect.JsonEqual(new JsonObject { ["v"] = "two", ["x"] = 2 }, again["metadata"], "metadata in the answer");
        Assert.NotEqual(IrisHttp.Str(first["requestGroupId"]), IrisHttp.Str(second["requestGroupId"]));
        await Http.WaitForTerminalAsync(datasetId, path);
        Expect.JsonEqual(new JsonObject { ["v"] = "two", ["x"] = 2 }, (await Http.GetImageAsync(imageId))["metadata"], "metadata");

        var third = await Http.AddPathsAsync(datasetId, path);
        Assert.Equal(imageId, IrisHttp.Str(third["images"]![0]!["coactiveImageId"]));
        await Http.WaitForTerminalAsync(datasetId, path);
        var asset = await Http.GetImageAsync(imageId);
        Expect.JsonEqual(new JsonObject { ["v"] = "two", ["x"] = 2 }, asset["metadata"], "metadata kept when none is given");
        Assert.Equal("completed", IrisHttp.Str(asset["status"]));

        var statuses = Expect.Ok(await Http.GetAsync($"/api/v0/datasets/{datasetId}/images/statuses?paths={Uri.EscapeDataString(path)}"));
        Assert.Equal(imageId, IrisHttp.Str(Assert.Single(statuses["data"]!.AsArray())!["coactiveImageId"]));
        Assert.Equal(1, (await Http.GetDatasetAsync(datasetId))["image_count"]!.GetValue<int>());
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
        var added = await Http.AddImagesAsync(datasetId, J.Image(path, "my-id", meta));
        Expect.JsonEqual(meta, added["images"]![0]!["metadata"], "metadata in the answer");
        var id = IrisHttp.Str(added["images"]![0]!["coactiveImageId"]);
        Expect.CompletedStatus((await Http.WaitForTerminalAsync(datasetId, path))[path]);
        var asset = await Http.GetImageAsync(id);
        Expect.JsonEqual(meta, asset["metadata"], "metadata stored");
        Assert.Equal("my-id", IrisHttp.Str(asset["id"]));
        Assert.Equal(JsonValueKind.Number, asset["metadata"]!["i"]!.GetValueKind());
        Assert.Equal(JsonValueKind.True, asset["metadata"]!["yes"]!.GetValueKind());
        Assert.Equal(JsonValueKind.String, asset["metadata"]!["when"]!.GetValueKind());
    }

    [Fact]
    public async Task Nested_object_in_metadata_is_422_and_records_nothing()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var good = server.CorpusUri("go-image/video-001.rgb.jpeg");
        var body = Images(J.Image(good), J.Image("never-recorded.jpg",
            metadata: new JsonObject { ["fine"] = "x", ["deep"] = new JsonObject { ["a"] = 1 } }));
        var r = await PostAssets(datasetId, body);
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
        var r = await PostAssets(datasetId, Images(J.Image("x.jpg", metadata: new JsonObject { ["k"] = new JsonObject() })));
        Expect.Validation(r, null, "body", "images", 0, "metadata", "k");
    }

    [Fact]
    public async Task Missing_or_empty_path_is_422_at_its_index()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var ok = J.Image(server.CorpusUri("imaging/orientation_5.jpg"));
        var missing = await PostAssets(datasetId, Images(ok, new JsonObject { ["id"] = "no path" }));
        Expect.Missing(missing, "body", "images", 1, "path");

        var empty = await PostAssets(datasetId, Images(J.Image(server.CorpusUri("imaging/orientation_5.jpg")),
            J.Image(server.CorpusUri("imaging/orientation_6.jpg")), J.Image("")));
        Expect.Validation(empty, null, "body", "images", 2, "path");

        var both = await PostAssets(datasetId, Images(new JsonObject(), J.Image("")));
        Expect.Validation(both, "missing", "body", "images", 0, "path");
        Expect.Validation(both, null, "body", "images", 1, "path");
    }

    [Fact]
    public async Task More_than_1000_images_is_422_too_long()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var images = Enumerable.Range(0, 1001).Select(i => J.Image($"ftp://x/{i}.jpg")).ToArray();
        Expect.Validation(await PostAssets(datasetId, Images(images)), "too_long", "body", "images");
        var statuses = Expect.Ok(await Http.GetAsync($"/api/v0/datasets/{datasetId}/images/statuses?paths=ftp%3A%2F%2Fx%2F0.jpg"));
        Assert.Equal("not_found", IrisHttp.Str(statuses["data"]![0]!["status"]));
    }

    [Fact]
    public async Task Body_without_images_dataPath_or_csvPath_is_422()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var r = await PostAssets(datasetId, new JsonObject { ["somethingElse"] = 1 });
        Assert.All(Expect.ValidationEntries(r), e => Assert.Equal("body", e!["loc"]![0]!.GetValue<string>()));
        var empty = await PostAssets(datasetId, new JsonObject());
        Assert.All(Expect.ValidationEntries(empty), e => Assert.Equal("body", e!["loc"]![0]!.GetValue<string>()));
    }

    [Fact]
    public async Task Malformed_json_is_422_json_invalid()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var r = await Http.SendJsonAsync(HttpMethod.Post, $"/api/v1/datasets/{datasetId}/assets", "{\"images\": [{\"path\": \"a.jpg\"}");
        Expect.Validation(r, "json_invalid", "body");
    }

    [Fact]
    public async Task Unknown_extra_fields_are_ignored()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var path = server.CorpusUri("imaging/orientation_7.jpg");
        var body = new JsonObject
        {
            ["images"] = new JsonArray(new JsonObject { ["path"] = path, ["colour"] = "blue", ["extra"] = new JsonObject { ["n"] = 1 } }),
            ["priority"] = "high",
            ["tags"] = new JsonArray(1, 2),
        };
        var added = Expect.Ok(await PostAssets(datasetId, body));
        var image = Assert.Single(added["images"]!.AsArray());
        Assert.Equal(path, IrisHttp.Str(image!["path"]));
        Assert.False(image.AsObject().ContainsKey("colour"));
        Expect.CompletedStatus((await Http.WaitForTerminalAsync(datasetId, path))[path]);
    }

    [Fact]
    public async Task Unknown_dataset_is_404()
    {
        var r = await PostAssets(Guid.NewGuid().ToString(), Images(J.Image(server.CorpusUri("imaging/orientation_8.jpg"))));
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
        Assert.Equal(cases.Select(c => Stored(c.Path)).ToArray(), added["images"]!.AsArray().Select(i => IrisHttp.Str(i!["path"])).ToArray());
        Assert.All(added["images"]!.AsArray(), i => Assert.Equal("pending", IrisHttp.Str(i!["status"])));

        var statuses = await Http.WaitForTerminalAsync(datasetId, cases.Select(c => c.Path));
        foreach (var (path, code) in cases)
        {
            if (code is null) Expect.CompletedStatus(statuses[path]);
            else Expect.ErrorStatus(statuses[path], code);
        }

        // The metadata route agrees with the statuses route.
        foreach (var image in added["images"]!.AsArray())
        {
            var asset = await Http.GetImageAsync(IrisHttp.Str(image!["coactiveImageId"]));
            var expected = cases.Single(c => Stored(c.Path) == IrisHttp.Str(image["path"])).Code is null ? "completed" : "error";
            Assert.Equal(expected, IrisHttp.Str(asset["status"]));
        }
        Expect.CompletedFrom(await Http.GetImageAsync(IrisHttp.Str(added["images"]![0]!["coactiveImageId"])),
            server.Corpus("go-image/video-001.q50.410.jpeg"));
        Expect.CompletedFrom(await Http.GetImageAsync(IrisHttp.Str(added["images"]!.AsArray()[^1]!["coactiveImageId"])),
            server.Corpus("x-image/video-001.png"));
        Assert.Equal(2, (await Http.GetDatasetAsync(datasetId))["image_count"]!.GetValue<int>());
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
        var ids = added["images"]!.AsArray().ToDictionary(i => IrisHttp.Str(i!["path"]), i => IrisHttp.Str(i!["coactiveImageId"]));
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
    public async Task DataPath_adds_every_image_file_below_a_folder_recursively()
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
        var added = Expect.Ok(await PostAssets(datasetId, new JsonObject { ["dataPath"] = ServerFixture.FileUri(root) + "/" }));
        Expect.Uuid(added["requestGroupId"], "requestGroupId");
        var expected = new[] { "a.jpg", "sub/deeper/b.PNG", "sub/c.Gif", "sub/d.webp", "sub/deeper/e.tif" }
            .Select(r => ServerFixture.FileUri(Path.Combine(root, r))).Order().ToArray();
        var paths = added["images"]!.AsArray().Select(i => IrisHttp.Str(i!["path"])).Order().ToArray();
        Assert.Equal(expected, paths);
        Assert.All(added["images"]!.AsArray(), i => Assert.Equal("pending", IrisHttp.Str(i!["status"])));

        var statuses = await Http.WaitForTerminalAsync(datasetId, expected);
        Assert.All(expected, p => Expect.CompletedStatus(statuses[p]));
    }

    [Fact]
    public async Task DataPath_of_a_corpus_folder()
    {
        var folder = server.Corpus("imaging");
        var datasetId = await Http.CreateDatasetIdAsync();
        var added = Expect.Ok(await PostAssets(datasetId, new JsonObject { ["dataPath"] = ServerFixture.FileUri(folder) + "/" }));
        var expected = Directory.GetFiles(folder).Select(ServerFixture.FileUri).Order().ToArray();
        Assert.Equal(expected, added["images"]!.AsArray().Select(i => IrisHttp.Str(i!["path"])).Order().ToArray());
        var statuses = await Http.WaitForTerminalAsync(datasetId, expected);
        Assert.All(expected, p => Expect.CompletedStatus(statuses[p]));
        Assert.Equal(expected.Length, (await Http.GetDatasetAsync(datasetId))["image_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Put_metadata_by_id_and_by_path()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var a = server.CorpusUri("go-image/video-001.q50.411.jpeg");
        var b = server.CorpusUri("go-image/video-001.q50.440.jpeg");
        var added = await Http.AddImagesAsync(datasetId, J.Image(a, "ida", new JsonObject { ["old"] = 1 }), J.Image(b));
        var idA = IrisHttp.Str(added["images"]![0]!["coactiveImageId"]);
        var idB = IrisHttp.Str(added["images"]![1]!["coactiveImageId"]);
        await Http.WaitForTerminalAsync(datasetId, a, b);
        var beforeA = await Http.GetImageAsync(idA);

        var metaA = new JsonObject { ["label"] = "cat", ["score"] = 0.75 };
        var metaB = new JsonObject { ["label"] = "dog", ["reviewed"] = true };
        var r = Expect.Ok(await Http.PutAsync($"/api/v1/datasets/{datasetId}/assets-metadata", new JsonObject
        {
            ["images"] = new JsonArray(
                new JsonObject { ["coactiveImageId"] = idA, ["metadata"] = metaA.DeepClone() },
                new JsonObject { ["path"] = b, ["metadata"] = metaB.DeepClone() }),
        }));
        var images = r["images"]!.AsArray();
        Assert.Equal([idA, idB], images.Select(i => IrisHttp.Str(i!["coactiveImageId"])).ToArray());
        foreach (var i in images) Expect.Asset(i, server.ClientId);
        Expect.JsonEqual(metaA, images[0]!["metadata"], "metadata of a");
        Expect.JsonEqual(metaB, images[1]!["metadata"], "metadata of b");

        var afterA = await Http.GetImageAsync(idA);
        Expect.JsonEqual(metaA, afterA["metadata"], "stored metadata of a");
        Expect.JsonEqual(images[0], afterA, "PUT answer vs GET");
        Assert.Equal("ida", IrisHttp.Str(afterA["id"]));
        Assert.Equal("completed", IrisHttp.Str(afterA["status"]));
        Expect.JsonEqual(beforeA["technicalMetadata"], afterA["technicalMetadata"], "technicalMetadata");
        Assert.True(Expect.Timestamp(afterA["updatedDt"]) >= Expect.Timestamp(beforeA["updatedDt"]));
        Expect.JsonEqual(metaB, (await Http.GetImageAsync(idB))["metadata"], "stored metadata of b");
    }

    [Fact]
    public async Task Put_metadata_with_an_image_not_in_the_dataset_is_404_and_changes_nothing()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var elsewhere = await Http.CreateDatasetIdAsync();
        var a = server.CorpusUri("go-image/video-001.q50.420.progressive.jpeg");
        var idA = (await Http.AddAndWaitAsync(datasetId, a))[a];
        var idOther = (await Http.AddAndWaitAsync(elsewhere, a))[a];
        var original = await Http.GetImageAsync(idA);

        foreach (var intruder in new JsonObject[]
                 {
                     new() { ["coactiveImageId"] = Guid.NewGuid().ToString(), ["metadata"] = new JsonObject { ["x"] = 1 } },
                     new() { ["coactiveImageId"] = idOther, ["metadata"] = new JsonObject { ["x"] = 1 } },
                     new() { ["path"] = "never-added.jpg", ["metadata"] = new JsonObject { ["x"] = 1 } },
                 })
        {
            var r = await Http.PutAsync($"/api/v1/datasets/{datasetId}/assets-metadata", new JsonObject
            {
                ["images"] = new JsonArray(
                    new JsonObject { ["coactiveImageId"] = idA, ["metadata"] = new JsonObject { ["changed"] = true } },
                    intruder),
            });
            Expect.Error(r, 404, "Image not found");
        }
        Expect.JsonEqual(original, await Http.GetImageAsync(idA), "image after refused PUTs");
        Expect.Null(await Http.GetImageAsync(idOther), "metadata");
    }

    [Fact]
    public async Task Put_metadata_on_unknown_dataset_is_404_and_bad_values_are_422()
    {
        var r = await Http.PutAsync($"/api/v1/datasets/{Guid.NewGuid()}/assets-metadata", new JsonObject
        {
            ["images"] = new JsonArray(new JsonObject { ["coactiveImageId"] = Guid.NewGuid().ToString(), ["metadata"] = new JsonObject() }),
        });
        Expect.Error(r, 404, "Dataset not found");

        var datasetId = await Http.CreateDatasetIdAsync();
        var nested = await Http.PutAsync($"/api/v1/datasets/{datasetId}/assets-metadata", new JsonObject
        {
            ["images"] = new JsonArray(new JsonObject
            {
                ["coactiveImageId"] = Guid.NewGuid().ToString(), ["metadata"] = new JsonObject { ["k"] = new JsonObject { ["z"] = 1 } },
            }),
        });
        Expect.Validation(nested, null, "body", "images", 0, "metadata", "k");

        var badId = await Http.PutAsync($"/api/v1/datasets/{datasetId}/assets-metadata", new JsonObject
        {
            ["images"] = new JsonArray(new JsonObject { ["coactiveImageId"] = "nope", ["metadata"] = new JsonObject() }),
        });
        Expect.Validation(badId, "uuid_parsing", "body", "images", 0, "coactiveImageId");

        Expect.Validation(await Http.SendJsonAsync(HttpMethod.Put, $"/api/v1/datasets/{datasetId}/assets-metadata", "{"),
            "json_invalid", "body");
    }
}
