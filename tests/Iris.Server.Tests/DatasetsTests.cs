using System.Text.Json.Nodes;

namespace Iris.Server.Tests;

/// <summary>POST/GET /api/v1/datasets, GET/DELETE /api/v1/datasets/{id}.</summary>
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
        Assert.Equal(server.ClientId, IrisHttp.Str(d["createdUserId"]));
        Assert.Equal(server.ClientId, IrisHttp.Str(d["updatedUserId"]));
        var created = Expect.Timestamp(d["createdDt"], "createdDt");
        Assert.True(created > before && created < DateTimeOffset.UtcNow.AddMinutes(1), $"createdDt {created} is not now");
        Expect.Timestamp(d["updatedDt"], "updatedDt");
        Assert.Equal(name, IrisHttp.Str(d["name"]));
        Expect.Uuid(d["datasetId"], "datasetId");
        Assert.Equal("Ready", IrisHttp.Str(d["status"]));
        Assert.Equal(0, d["imageCount"]!.GetValue<int>());
        Assert.Equal(0, d["videoCount"]!.GetValue<int>());
        Assert.Equal("Winter is coming", IrisHttp.Str(d["description"]));
        Assert.True(d["isDeletable"]!.GetValue<bool>());
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
        var got = await Http.GetDatasetAsync(IrisHttp.Str(created["datasetId"]));
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
        Expect.Error(await Http.PostAsync("/api/v1/datasets", new JsonObject { ["name"] = name }), 409);
    }

    [Fact]
    public async Task Same_name_in_another_org_is_fine()
    {
        var name = Names.Unique("shared");
        var mine = await Http.CreateDatasetAsync(name);
        using var other = server.ClientFor(await server.OtherOrgAsync());
        var theirs = await other.CreateDatasetAsync(name);
        Assert.Equal(name, IrisHttp.Str(theirs["name"]));
        Assert.NotEqual(IrisHttp.Str(mine["datasetId"]), IrisHttp.Str(theirs["datasetId"]));
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
        AssertPage(all, currentPage: 1, limit: 10, offset: 0, lastPage: 1, total: 5,
            next: null, first: "/api/v1/datasets?offset=0&limit=10", last: "/api/v1/datasets?offset=0&limit=10");
        Assert.Equal(names, NamesOf(all));
        foreach (var d in all["data"]!.AsArray()) Expect.HasFields(d, Expect.DatasetFields);

        var p1 = Expect.Ok(await http.GetAsync("/api/v1/datasets?offset=0&limit=2"));
        AssertPage(p1, 1, 2, 0, 3, 5, "/api/v1/datasets?offset=2&limit=2", "/api/v1/datasets?offset=0&limit=2",
            "/api/v1/datasets?offset=4&limit=2");
        Assert.Equal(names[..2], NamesOf(p1));

        var p2 = Expect.Ok(await http.GetAsync("/api/v1/datasets?offset=2&limit=2"));
        AssertPage(p2, 2, 2, 2, 3, 5, "/api/v1/datasets?offset=4&limit=2", "/api/v1/datasets?offset=0&limit=2",
            "/api/v1/datasets?offset=4&limit=2");
        Assert.Equal(names[2..4], NamesOf(p2));

        var p3 = Expect.Ok(await http.GetAsync("/api/v1/datasets?offset=4&limit=2"));
        AssertPage(p3, 3, 2, 4, 3, 5, null, "/api/v1/datasets?offset=0&limit=2", "/api/v1/datasets?offset=4&limit=2");
        Assert.Equal(names[4..], NamesOf(p3));

        var odd = Expect.Ok(await http.GetAsync("/api/v1/datasets?offset=3&limit=2"));
        AssertPage(odd, 2, 2, 3, 3, 5, null, "/api/v1/datasets?offset=0&limit=2", "/api/v1/datasets?offset=4&limit=2");
        Assert.Equal(names[3..], NamesOf(odd));

        var beyond = Expect.Ok(await http.GetAsync("/api/v1/datasets?offset=10&limit=2"));
        AssertPage(beyond, 6, 2, 10, 3, 5, null, "/api/v1/datasets?offset=0&limit=2", "/api/v1/datasets?offset=4&limit=2");
        Assert.Empty(NamesOf(beyond));

        var five = Expect.Ok(await http.GetAsync("/api/v1/datasets?limit=5"));
        AssertPage(five, 1, 5, 0, 1, 5, null, "/api/v1/datasets?offset=0&limit=5", "/api/v1/datasets?offset=0&limit=5");
        Assert.Equal(names, NamesOf(five));

        var thousand = Expect.Ok(await http.GetAsync("/api/v1/datasets?offset=0&limit=1000"));
        AssertPage(thousand, 1, 1000, 0, 1, 5, null, "/api/v1/datasets?offset=0&limit=1000", "/api/v1/datasets?offset=0&limit=1000");
    }

    [Fact]
    public async Task List_of_an_empty_org()
    {
        using var http = server.ClientFor(await server.CreateClientAsync(Names.Unique("empty")));
        var r = Expect.Ok(await http.GetAsync("/api/v1/datasets"));
        AssertPage(r, 1, 10, 0, 1, 0, null, "/api/v1/datasets?offset=0&limit=10", "/api/v1/datasets?offset=0&limit=10");
        Assert.Empty(r["data"]!.AsArray());
    }

    [Fact]
    public async Task List_total_counts_the_org_datasets()
    {
        var created = await Http.CreateDatasetAsync();
        var first = Expect.Ok(await Http.GetAsync("/api/v1/datasets?offset=0&limit=1"));
        var total = first["meta"]!["page"]!["total"]!.GetValue<int>();
        Assert.True(total >= 1);
        var last = Expect.Ok(await Http.GetAsync($"/api/v1/datasets?offset={total - 1}&limit=1"));
        Assert.Equal(total, last["meta"]!["page"]!["currentPage"]!.GetValue<int>());
        Assert.Equal(total, last["meta"]!["page"]!["lastPage"]!.GetValue<int>());
        Expect.Null(last["meta"]!["links"], "next");
        // Oldest first: the one just created is the last one.
        Assert.Equal(IrisHttp.Str(created["datasetId"]), IrisHttp.Str(Assert.Single(last["data"]!.AsArray())!["datasetId"]));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("offset=-1", "offset")]
    [InlineData("offset=x&limit=2", "offset")]
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
        Expect.Validation(await Http.PostAsync($"/api/v1/datasets/{id}/assets",
            new JsonObject { ["images"] = new JsonArray(J.Image("a.jpg")) }), "uuid_parsing", "path", "dataset_id");
    }

    [Fact]
    public async Task Image_count_counts_completed_images_only()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        await Http.AddAndWaitAsync(datasetId,
            server.CorpusUri("imaging/orientation_1.jpg"), server.CorpusUri("imaging/orientation_2.jpg"),
            ServerFixture.FileUri(server.ZeroByteJpg), "ftp://x/y.jpg");
        var d = await Http.GetDatasetAsync(datasetId);
        Assert.Equal(2, d["imageCount"]!.GetValue<int>());
        Assert.Equal(0, d["videoCount"]!.GetValue<int>());
        var listed = Expect.Ok(await Http.GetAsync("/api/v1/datasets?offset=0&limit=1000"))["data"]!.AsArray()
            .Single(x => IrisHttp.Str(x!["datasetId"]) == datasetId);
        Assert.Equal(2, listed!["imageCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task Delete_answers_the_dataset_and_removes_it_and_its_images()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var path = server.CorpusUri("imaging/orientation_3.jpg");
        var ids = await Http.AddAndWaitAsync(datasetId, path);
        var before = await Http.GetDatasetAsync(datasetId);

        var deleted = Expect.Ok(await Http.DeleteAsync($"/api/v1/datasets/{datasetId}"));
        Expect.JsonEqual(before, deleted, "DELETE answer vs GET before");

        Expect.Error(await Http.GetAsync($"/api/v1/datasets/{datasetId}"), 404, "Dataset not found");
        Expect.Error(await Http.GetAsync($"/api/v0/images/{ids[path]}/metadata"), 404, "Image not found");
        Expect.Error(await Http.GetAsync("/api/v0/images/metadata?coactive_image_ids=" + ids[path]), 404, "Image not found");
        Expect.Error(await Http.GetAsync($"/api/v0/datasets/{datasetId}/images/statuses?paths=x"), 404, "Dataset not found");
        Expect.Error(await Http.DeleteAsync($"/api/v1/datasets/{datasetId}"), 404, "Dataset not found");
        Expect.Error(await Http.PostAsync($"/api/v1/datasets/{datasetId}/assets",
            new JsonObject { ["images"] = new JsonArray(J.Image(path)) }), 404, "Dataset not found");

        var all = Expect.Ok(await Http.GetAsync("/api/v1/datasets?offset=0&limit=1000"))["data"]!.AsArray();
        Assert.DoesNotContain(all, d => IrisHttp.Str(d!["datasetId"]) == datasetId);
    }

    private static List<string> NamesOf(JsonNode page) =>
        page["data"]!.AsArray().Select(d => IrisHttp.Str(d!["name"])).ToList();

    private static void AssertPage(JsonNode r, int currentPage, int limit, int offset, int lastPage, int total,
        string? next, string first, string last)
    {
        var page = r["meta"]?["page"];
        var links = r["meta"]?["links"];
        Expect.HasFields(page, ["currentPage", "limit", "offset", "lastPage", "total"]);
        Expect.HasFields(links, ["next", "first", "last"]);
        var expected = new JsonObject
        {
            ["page"] = new JsonObject
            {
                ["currentPage"] = currentPage, ["limit"] = limit, ["offset"] = offset, ["lastPage"] = lastPage, ["total"] = total,
            },
            ["links"] = new JsonObject { ["next"] = next, ["first"] = first, ["last"] = last },
        };
        Expect.JsonEqual(expected, r["meta"], "meta");
        Assert.True(r["data"] is JsonArray, r.ToJsonString());
    }
}
