using Iris.Testing;
using System.Text.Json.Nodes;

namespace Iris.Server.Tests;

/// <summary>Coactive's v1 datasets: POST/GET /api/v1/datasets, GET/PATCH/DELETE /api/v1/datasets/{id}.</summary>
[Collection(IrisServerCollection.Name)]
public sealed class DatasetsTests(ServerFixture server)
{
    private IrisHttp Http => server.Http;

    [Fact]
    public async Task Create_answers_a_DatasetResponse()
    {
        var name = Names.Unique("GameOfThrones");
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        var d = await Http.CreateDatasetAsync(name, "Winter is coming");
        Expect.HasFields(d, Expect.DatasetFields);
        Assert.Equal(server.ClientId, IrisHttp.Str(d["created_by"]));
        Assert.Equal(server.ClientId, IrisHttp.Str(d["updated_by"]));
        var created = Expect.Timestamp(d["created_dt"], "created_dt");
        Assert.True(created > before && created < DateTimeOffset.UtcNow.AddMinutes(1), $"created_dt {created} is not now");
        Expect.Timestamp(d["updated_dt"], "updated_dt");
        Assert.Equal(name, IrisHttp.Str(d["name"]));
        Expect.Uuid(d["id"], "id");
        Assert.Equal("active", IrisHttp.Str(d["status"]));
        Assert.Equal(0, d["image_count"]!.GetValue<int>());
        Assert.Equal("Winter is coming", IrisHttp.Str(d["description"]));
        Expect.Null(d, "deleted_dt");
        // The fixed answers for what Iris has no use for, as the README says.
        Expect.JsonEqual(new JsonArray("image"), d["allowed_asset_types"], "allowed_asset_types");
        Assert.Equal("intelligent", IrisHttp.Str(d["keyframe_sampling_method"]));
        Assert.False(d["store_original"]!.GetValue<bool>());
        Assert.True(d["store_preview"]!.GetValue<bool>());
        var encoder = Assert.Single(d["encoders"]!.AsArray())!;
        Assert.Equal("multimodal", IrisHttp.Str(encoder["name"]));
        Expect.Uuid(encoder["id"], "encoder id");
        Expect.JsonEqual(d["encoders"], d["embeddings"], "embeddings");
        CoactiveDocument.AssertResponse("POST", "/api/v1/datasets", 200, d.ToJsonString());
    }

    [Fact]
    public async Task Create_keeps_the_encoder_and_the_settings_it_was_given()
    {
        var embeddingId = Guid.NewGuid().ToString();
        var body = new JsonObject
        {
            ["name"] = Names.Unique("settings"),
            ["encoder_name"] = "resnet-50",
            ["allowed_asset_types"] = new JsonArray("image", "video"),
            ["keyframe_sampling_method"] = "uniform",
            ["keyframe_uniform_fps_sampling_rate"] = 1.5,
            ["store_original"] = true,
            ["metadata_fields_to_index"] = new JsonArray("camera"),
            ["metadata_fields_to_embed"] = new JsonArray("caption"),
            ["dataset_config"] = new JsonObject
            {
                ["embedding_id"] = new JsonObject { ["visual"] = embeddingId },
                ["encoder_name"] = new JsonObject { ["visual"] = "resnet-50" },
            },
        };
        var d = Expect.Ok(await Http.PostAsync("/api/v1/datasets", body));
        CoactiveDocument.AssertResponse("POST", "/api/v1/datasets", 200, d.ToJsonString());
        Assert.Equal("resnet-50", IrisHttp.Str(Assert.Single(d["encoders"]!.AsArray())!["name"]));
        Expect.JsonEqual(new JsonArray("camera"), d["metadata_fields_to_index"]);
        Expect.JsonEqual(new JsonArray("caption"), d["metadata_fields_to_embed"]);
        Expect.JsonEqual(body["dataset_config"], d["dataset_config"], "dataset_config");
        Expect.JsonEqual(d, await Http.GetDatasetAsync(IrisHttp.Str(d["id"])), "GET after create");
    }

    [Theory]
    [InlineData("encoder_name", "\"clip\"", "enum")]
    [InlineData("encoder_name", "null", "missing")]
    [InlineData("allowed_asset_types", "[\"audio\"]", "enum")]
    [InlineData("keyframe_sampling_method", "\"every\"", "enum")]
    [InlineData("keyframe_uniform_fps_sampling_rate", "9", "value_error")]
    [InlineData("store_original", "\"yes\"", "bool_type")]
    [InlineData("metadata_fields_to_index", "\"camera\"", "list_type")]
    [InlineData("dataset_config", "{\"encoder_name\": {}}", "missing")]
    [InlineData("description", "5", "string_type")]
    public async Task Bad_create_fields_are_422_at_their_loc(string field, string json, string type)
    {
        var body = new JsonObject { ["name"] = Names.Unique("bad"), ["encoder_name"] = "multimodal" };
        body[field] = JsonNode.Parse(json);
        var r = await Http.PostAsync("/api/v1/datasets", body);
        var entries = Expect.ValidationEntries(r);
        Assert.Contains(entries, e => IrisHttp.Str(e!["loc"]![1]) == field && IrisHttp.Str(e["type"]) == type);
        CoactiveDocument.AssertResponse("POST", "/api/v1/datasets", 422, r.Text);
    }

    [Fact]
    public async Task Patch_renames_describes_and_deactivates()
    {
        var d = await Http.CreateDatasetAsync();
        var id = IrisHttp.Str(d["id"]);
        var name = Names.Unique("renamed");
        var r = await Http.SendJsonAsync(HttpMethod.Patch, $"/api/v1/datasets/{id}",
            new JsonObject { ["name"] = name, ["description"] = null, ["status"] = "inactive" }.ToJsonString());
        var patched = Expect.Ok(r);
        CoactiveDocument.AssertResponse("PATCH", "/api/v1/datasets/{dataset_id}", 200, r.Text);
        Assert.Equal(name, IrisHttp.Str(patched["name"]));
        Expect.Null(patched, "description");
        Assert.Equal("inactive", IrisHttp.Str(patched["status"]));
        Assert.True(Expect.Timestamp(patched["updated_dt"]) >= Expect.Timestamp(d["updated_dt"]));
        Expect.JsonEqual(patched, await Http.GetDatasetAsync(id), "GET after PATCH");

        // Only what is sent changes.
        var again = Expect.Ok(await Http.SendJsonAsync(HttpMethod.Patch, $"/api/v1/datasets/{id}", "{\"status\": \"active\"}"));
        Assert.Equal(name, IrisHttp.Str(again["name"]));
        Assert.Equal("active", IrisHttp.Str(again["status"]));
    }

    [Fact]
    public async Task Patch_to_a_taken_name_is_409_and_bad_values_are_422()
    {
        var taken = await Http.CreateDatasetAsync();
        var d = await Http.CreateDatasetAsync();
        var url = $"/api/v1/datasets/{IrisHttp.Str(d["id"])}";
        Expect.Error(await Http.SendJsonAsync(HttpMethod.Patch, url, new JsonObject { ["name"] = IrisHttp.Str(taken["name"]) }.ToJsonString()), 409);
        foreach (var (body, field) in new[] { ("{\"name\": \"no spaces\"}", "name"), ("{\"status\": \"deleted\"}", "status"), ("{\"name\": 1}", "name") })
        {
            var r = await Http.SendJsonAsync(HttpMethod.Patch, url, body);
            Expect.Validation(r, null, "body", field);
            CoactiveDocument.AssertResponse("PATCH", "/api/v1/datasets/{dataset_id}", 422, r.Text);
        }
        Expect.Validation(await Http.SendJsonAsync(HttpMethod.Patch, url, "[]"), "dict_type", "body");
        Expect.Error(await Http.SendJsonAsync(HttpMethod.Patch, $"/api/v1/datasets/{Guid.NewGuid()}", "{}"), 404, "Dataset not found");
        Expect.Validation(await Http.SendJsonAsync(HttpMethod.Patch, "/api/v1/datasets/nope", "{}"), "uuid_parsing", "path", "dataset_id");
    }

    [Fact]
    public async Task List_filters_by_ids_status_names_and_times()
    {
        using var http = server.ClientFor(await server.CreateClientAsync(Names.Unique("filters")));
        var a = await http.CreateDatasetAsync("alpha_" + Guid.NewGuid().ToString("N")[..8]);
        var b = await http.CreateDatasetAsync("beta_" + Guid.NewGuid().ToString("N")[..8]);
        Expect.Ok(await http.SendJsonAsync(HttpMethod.Patch, $"/api/v1/datasets/{IrisHttp.Str(b["id"])}", "{\"status\": \"inactive\"}"));

        async Task<List<string>> Names_(string query)
        {
            var r = await http.GetAsync("/api/v1/datasets?" + query);
            CoactiveDocument.AssertResponse("GET", "/api/v1/datasets", 200, r.Text);
            return NamesOf(Expect.Ok(r));
        }
        Assert.Equal([IrisHttp.Str(a["name"])], await Names_($"dataset_ids={IrisHttp.Str(a["id"])}"));
        Assert.Equal([IrisHttp.Str(b["name"])], await Names_("status=inactive"));
        Assert.Equal(2, (await Names_("status=inactive&status=active")).Count);
        Assert.Equal([IrisHttp.Str(a["name"])], await Names_("name_pattern=ALPHA"));
        Assert.Empty(await Names_("allowed_asset_types=video"));
        Assert.Equal(2, (await Names_("allowed_asset_types=image")).Count);
        Assert.Empty(await Names_("celebrity_detection_enabled=true"));
        Assert.Empty(await Names_("store_original=true"));
        Assert.Equal(2, (await Names_("created_after=2000-01-01T00:00:00Z&last_updated_before=2999-01-01T00:00:00Z")).Count);
        Assert.Empty(await Names_("created_before=2000-01-01T00:00:00Z"));
        foreach (var (query, field) in new[] { ("status=gone", "status"), ("dataset_ids=x", "dataset_ids"), ("created_after=yesterday", "created_after"), ("store_preview=maybe", "store_preview") })
        {
            var r = await http.GetAsync("/api/v1/datasets?" + query);
            Assert.Contains(Expect.ValidationEntries(r), e => IrisHttp.Str(e!["loc"]![1]) == field);
            CoactiveDocument.AssertResponse("GET", "/api/v1/datasets", 422, r.Text);
        }
    }

    [Fact]
    public async Task Create_without_description()
    {
        var d = await Http.CreateDatasetAsync(description: null);
        Expect.HasFields(d, Expect.DatasetFields);
        Assert.True(d["description"] is null || d["description"]!.GetValue<string>() == "",
            $"description without one given: {d.ToJsonString()}");
    }

    [Fact]
    public async Task Get_answers_what_create_answered()
    {
        var created = await Http.CreateDatasetAsync();
        var got = await Http.GetDatasetAsync(IrisHttp.Str(created["id"]));
        Expect.JsonEqual(created, got, "GET vs POST answer");
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("dash-name")]
    [InlineData("dot.name")]
    [InlineData("ünïcode")]
    [InlineData("LONG")]
    public async Task Bad_name_is_422(string name)
    {
        if (name == "LONG") name = new string('a', 129);
        var r = await Http.PostAsync("/api/v1/datasets", new JsonObject { ["name"] = name });
        Expect.Validation(r, null, "body", "name");
    }

    [Fact]
    public async Task Name_of_128_characters_is_fine()
    {
        var name = ("n128_" + Guid.NewGuid().ToString("N")).PadRight(128, 'x');
        var d = await Http.CreateDatasetAsync(name);
        Assert.Equal(name, IrisHttp.Str(d["name"]));
    }

    [Fact]
    public async Task Missing_name_is_422()
    {
        Expect.Missing(await Http.PostAsync("/api/v1/datasets", new JsonObject { ["description"] = "x" }), "body", "name");
    }

    [Fact]
    public async Task Duplicate_name_in_the_same_org_is_409()
    {
        var name = Names.Unique("dup");
        await Http.CreateDatasetAsync(name);
        Expect.Error(await Http.PostAsync("/api/v1/datasets", new JsonObject { ["name"] = name, ["encoder_name"] = "multimodal" }), 409);
    }

    [Fact]
    public async Task Same_name_in_another_org_is_fine()
    {
        var name = Names.Unique("shared");
        var mine = await Http.CreateDatasetAsync(name);
        using var other = server.ClientFor(await server.OtherOrgAsync());
        var theirs = await other.CreateDatasetAsync(name);
        Assert.Equal(name, IrisHttp.Str(theirs["name"]));
        Assert.NotEqual(IrisHttp.Str(mine["id"]), IrisHttp.Str(theirs["id"]));
    }

    [Fact]
    public async Task List_pages_through_an_org_oldest_first()
    {
        using var http = server.ClientFor(await server.CreateClientAsync(Names.Unique("paging")));
        var names = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var d = await http.CreateDatasetAsync(Names.Unique($"p{i}"));
            names.Add(IrisHttp.Str(d["name"]));
        }

        var all = Expect.Ok(await http.GetAsync("/api/v1/datasets"));
        AssertPage(all, currentPage: 1, limit: 100, offset: 0, lastPage: 1, total: 5);
        Assert.Equal(names, NamesOf(all));
        foreach (var d in all["data"]!.AsArray()) Expect.HasFields(d, Expect.DatasetFields);

        AssertPage(Expect.Ok(await http.GetAsync("/api/v1/datasets?skip=0&limit=2")), 1, 2, 0, 3, 5);
        Assert.Equal(names[..2], NamesOf(Expect.Ok(await http.GetAsync("/api/v1/datasets?skip=0&limit=2"))));
        var p2 = Expect.Ok(await http.GetAsync("/api/v1/datasets?skip=2&limit=2"));
        AssertPage(p2, 2, 2, 2, 3, 5);
        Assert.Equal(names[2..4], NamesOf(p2));
        var p3 = Expect.Ok(await http.GetAsync("/api/v1/datasets?skip=4&limit=2"));
        AssertPage(p3, 3, 2, 4, 3, 5);
        Assert.Equal(names[4..], NamesOf(p3));
        var odd = Expect.Ok(await http.GetAsync("/api/v1/datasets?skip=3&limit=2"));
        AssertPage(odd, 2, 2, 3, 3, 5);
        Assert.Equal(names[3..], NamesOf(odd));
        var beyond = Expect.Ok(await http.GetAsync("/api/v1/datasets?skip=10&limit=2"));
        AssertPage(beyond, 6, 2, 10, 3, 5);
        Assert.Empty(NamesOf(beyond));
        AssertPage(Expect.Ok(await http.GetAsync("/api/v1/datasets?skip=0&limit=1000")), 1, 1000, 0, 1, 5);
    }

    [Fact]
    public async Task List_of_an_empty_org()
    {
        using var http = server.ClientFor(await server.CreateClientAsync(Names.Unique("empty")));
        var r = Expect.Ok(await http.GetAsync("/api/v1/datasets"));
        AssertPage(r, 1, 100, 0, 1, 0);
        Assert.Empty(r["data"]!.AsArray());
    }

    [Fact]
    public async Task List_total_counts_the_org_datasets()
    {
        var created = await Http.CreateDatasetAsync();
        var first = Expect.Ok(await Http.GetAsync("/api/v1/datasets?skip=0&limit=1"));
        var total = first["meta"]!["page"]!["total"]!.GetValue<int>();
        Assert.True(total >= 1);
        var last = Expect.Ok(await Http.GetAsync($"/api/v1/datasets?skip={total - 1}&limit=1"));
        Assert.Equal(total, last["meta"]!["page"]!["current_page"]!.GetValue<int>());
        Assert.Equal(total, last["meta"]!["page"]!["last_page"]!.GetValue<int>());
        // Oldest first: the one just created is the last one.
        Assert.Equal(IrisHttp.Str(created["id"]), IrisHttp.Str(Assert.Single(last["data"]!.AsArray())!["id"]));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("skip=-1", "skip")]
    [InlineData("skip=x&limit=2", "skip")]
    public async Task Bad_paging_is_422(string query, string parameter)
    {
        Expect.Validation(await Http.GetAsync("/api/v1/datasets?" + query), null, "query", parameter);
    }

    [Fact]
    public async Task Unknown_dataset_is_404()
    {
        var id = Guid.NewGuid();
        Expect.Error(await Http.GetAsync($"/api/v1/datasets/{id}"), 404, "Dataset not found");
        Expect.Error(await Http.DeleteAsync($"/api/v1/datasets/{id}"), 404, "Dataset not found");
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("42")]
    public async Task Malformed_dataset_id_is_422(string id)
    {
        Expect.Validation(await Http.GetAsync($"/api/v1/datasets/{id}"), "uuid_parsing", "path", "dataset_id");
        Expect.Validation(await Http.DeleteAsync($"/api/v1/datasets/{id}"), "uuid_parsing", "path", "dataset_id");
        Expect.Validation(await UploadsTests.UploadAsync(Http, id, UploadsTests.Part.File([1, 2, 3], "a.jpg")), "uuid_parsing", "path", "dataset_id");
    }

    [Fact]
    public async Task Image_count_counts_completed_images_only()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        await Http.AddAndWaitAsync(datasetId,
            server.CorpusUri("imaging/orientation_1.jpg"), server.CorpusUri("imaging/orientation_2.jpg"),
            ServerFixture.FileUri(server.ZeroByteJpg), "ftp://x/y.jpg");
        var d = await Http.GetDatasetAsync(datasetId);
        Assert.Equal(2, d["image_count"]!.GetValue<int>());
        var listed = Expect.Ok(await Http.GetAsync("/api/v1/datasets?skip=0&limit=1000"))["data"]!.AsArray()
            .Single(x => IrisHttp.Str(x!["id"]) == datasetId);
        Assert.Equal(2, listed!["image_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Delete_answers_the_dataset_and_removes_it_and_its_images()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var path = server.CorpusUri("imaging/orientation_3.jpg");
        var ids = await Http.AddAndWaitAsync(datasetId, path);
        var before = await Http.GetDatasetAsync(datasetId);

        var r = await Http.DeleteAsync($"/api/v1/datasets/{datasetId}");
        CoactiveDocument.AssertResponse("DELETE", "/api/v1/datasets/{dataset_id}", 200, r.Text);
        var deleted = Expect.Ok(r).AsObject();
        Assert.Equal("deleted", IrisHttp.Str(deleted["status"]));
        Expect.Timestamp(deleted["deleted_dt"], "deleted_dt");
        Assert.Equal(server.ClientId, IrisHttp.Str(deleted["deleted_by"]));
        foreach (var field in new[] { "status", "deleted_dt", "deleted_by" })
        {
            deleted.Remove(field);
            before.AsObject().Remove(field);
        }
        Expect.JsonEqual(before, deleted, "DELETE answer vs GET before");

        Expect.Error(await Http.GetAsync($"/api/v1/datasets/{datasetId}"), 404, "Dataset not found");
        Expect.Error(await Http.GetAsync($"/api/v0/images/{ids[path]}/metadata"), 404, "Image not found");
        Expect.Error(await Http.GetAsync("/api/v0/images/metadata?coactive_image_ids=" + ids[path]), 404, "Image not found");
        Expect.Error(await Http.GetAsync($"/api/v0/datasets/{datasetId}/images/statuses?paths=x"), 404, "Dataset not found");
        Expect.Error(await Http.DeleteAsync($"/api/v1/datasets/{datasetId}"), 404, "Dataset not found");
        Expect.Error(await Http.PostAsync("/api/v1/ingestion/images", IrisHttp.ImagesJob(datasetId, J.Image(path))), 404, "Dataset not found");

        var all = Expect.Ok(await Http.GetAsync("/api/v1/datasets?skip=0&limit=1000"))["data"]!.AsArray();
        Assert.DoesNotContain(all, d => IrisHttp.Str(d!["id"]) == datasetId);
    }

    private static List<string> NamesOf(JsonNode page) =>
        page["data"]!.AsArray().Select(d => IrisHttp.Str(d!["name"])).ToList();

    private static void AssertPage(JsonNode r, int currentPage, int limit, int offset, int lastPage, int total)
    {
        var expected = new JsonObject
        {
            ["page"] = new JsonObject
            {
                ["current_page"] = currentPage, ["last_page"] = lastPage, ["limit"] = limit, ["offset"] = offset, ["total"] = total,
            },
        };
        Expect.JsonEqual(expected, r["meta"], "meta");
        Assert.True(r["data"] is JsonArray, r.ToJsonString());
    }
}
