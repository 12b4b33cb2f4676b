using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Iris.Testing;

namespace Iris.Server.Tests;

/// <summary>POST /api/v0/delete/assets (Coactive's delete-assets): images deleted by id or path, at once.</summary>
[Collection(IrisServerCollection.Name)]
public sealed class DeleteAssetsTests(ServerFixture server)
{
    private const string Route = "/api/v0/delete/assets";

    private IrisHttp Http => server.Http;

    private static JsonObject Asset(string identifier, string assetType = "image") =>
        new() { ["asset_type"] = assetType, ["identifier"] = identifier };

    private static JsonObject Request(string datasetId, params string[] identifiers) => new()
    {
        ["dataset_id"] = datasetId,
        ["assets"] = new JsonArray(identifiers.Select(i => (JsonNode?)Asset(i)).ToArray()),
    };

    /// <summary>Posts the deletion, asserts 202 and a DeleteAssetsResponse echoing every asset asked; returns the body.</summary>
    private static async Task<JsonNode> DeleteAsync(IrisHttp http, string datasetId, params string[] identifiers)
    {
        var r = await http.PostAsync(Route, Request(datasetId, identifiers));
        Expect.Status(r, 202);
        CoactiveDocument.AssertResponse("POST", Route, 202, r.Text);
        var body = r.Json;
        Expect.HasFields(body, ["org_id", "dataset_id", "assets"]);
        Expect.Uuid(body["org_id"], "org_id");
        Assert.Equal(datasetId, IrisHttp.Str(body["dataset_id"]));
        var assets = body["assets"]!.AsArray();
        Assert.Equal(identifiers, assets.Select(a => IrisHttp.Str(a!["identifier"])).ToArray());
        Assert.All(assets, a => Assert.Equal("image", IrisHttp.Str(a!["asset_type"])));
        var jobIds = assets.Select(a => Expect.Uuid(a!["delete_job_id"], "delete_job_id")).Distinct().ToList();
        Assert.True(jobIds.Count == 1, $"One deletion per request, not {jobIds.Count}: {r}");
        return body;
    }

    /// <summary>The path of a stored blob in the server's data folder.</summary>
    private string UploadFile(string sha) => Path.Combine(server.DataDir, "blobs", "uploads", "sha256", sha[..2], sha);

    private string PreviewFile(string imageId)
    {
        var id = Guid.Parse(imageId).ToString("N");
        return Path.Combine(server.DataDir, "blobs", "previews", id[^2..], id);
    }

    /// <summary>A corpus JPEG with a comment segment of its own after SOI: bytes no other test uploads, still a valid JPEG.</summary>
    private byte[] UniqueJpeg()
    {
        var jpeg = File.ReadAllBytes(server.Corpus("go-image/video-001.jpeg"));
        var text = Encoding.ASCII.GetBytes("delete-assets " + Guid.NewGuid().ToString("N"));
        var length = text.Length + 2;
        return [.. jpeg[..2], 0xFF, 0xFE, (byte)(length >> 8), (byte)length, .. text, .. jpeg[2..]];
    }

    [Fact]
    public async Task Delete_by_id_and_by_path_answers_202_and_the_images_are_gone()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var (a, b, c) = (server.CorpusUri("imaging/orientation_4.jpg"), server.CorpusUri("imaging/orientation_5.jpg"),
            server.CorpusUri("imaging/orientation_7.jpg"));
        var ids = await Http.AddAndWaitAsync(datasetId, a, b, c);
        Assert.Equal(3, (await Http.GetDatasetAsync(datasetId))["image_count"]!.GetValue<int>());
        Assert.True(File.Exists(PreviewFile(ids[a])), "no preview to delete");
        // b in another spelling of the same file: ".." and "." are resolved as when it was added.
        var dotted = ServerFixture.FileUri(server.CorpusRoot + "/imaging/../imaging/./orientation_5.jpg");

        var first = await DeleteAsync(Http, datasetId, ids[a], dotted);

        foreach (var gone in new[] { a, b })
        {
            Expect.Error(await Http.GetAsync($"/api/v0/images/{ids[gone]}/metadata"), 404, "Image not found");
            Expect.Error(await Http.GetAsync($"/api/v1/images/{ids[gone]}/preview"), 404, "Image not found");
            Expect.Error(await Http.GetAsync($"/api/v1/images/{ids[gone]}/events"), 404, "Image not found");
            Assert.False(File.Exists(PreviewFile(ids[gone])), $"the preview of {gone} outlived its image");
        }
        var statuses = await Http.StatusesAsync(datasetId, [a, b, dotted, c]);
        foreach (var gone in new[] { a, b, dotted })
        {
            Assert.Equal("not_found", IrisHttp.Str(statuses[gone]["status"]));
            Expect.Null(statuses[gone], "coactiveImageId");
        }
        Expect.CompletedStatus(statuses[c]);
        Assert.Equal(ids[c], IrisHttp.Str((await Http.GetImageAsync(ids[c]))["coactiveImageId"]));
        Assert.Equal(1, (await Http.GetDatasetAsync(datasetId))["image_count"]!.GetValue<int>());

        // Asked again (and an unknown path): the same answer shape, a new deletion, nothing more deleted.
        var again = await DeleteAsync(Http, datasetId, ids[a], "s3://never/added.jpg");
        Assert.NotEqual(IrisHttp.Str(first["assets"]![0]!["delete_job_id"]), IrisHttp.Str(again["assets"]![0]!["delete_job_id"]));
        Assert.Equal(IrisHttp.Str(first["org_id"]), IrisHttp.Str(again["org_id"]));
        Assert.Equal(1, (await Http.GetDatasetAsync(datasetId))["image_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_upload_blob_stays_while_any_image_of_any_organization_uses_it_and_goes_after_the_last()
    {
        var bytes = UniqueJpeg();
        var sha = Expect.Sha256(bytes);
        var datasetId = await Http.CreateDatasetIdAsync();
        var (p1, p2) = ($"mine/{Guid.NewGuid():N}/one.jpg", $"mine/{Guid.NewGuid():N}/two.jpg");
        var added = Expect.Ok(await UploadsTests.UploadAsync(Http, datasetId,
            UploadsTests.Part.File(bytes, "one.jpg", "image/jpeg"), UploadsTests.Part.Field("path", p1),
            UploadsTests.Part.File(bytes, "two.jpg", "image/jpeg"), UploadsTests.Part.Field("path", p2)));
        var other = await server.OtherOrgAsync();
        using var otherHttp = server.ClientFor(other);
        var otherDataset = await otherHttp.CreateDatasetIdAsync();
        var otherAdded = Expect.Ok(await UploadsTests.UploadAsync(otherHttp, otherDataset, UploadsTests.Part.File(bytes, "theirs.jpg", "image/jpeg")));
        var otherPath = IrisHttp.SourcePath(otherAdded, 0);
        Expect.CompletedStatus((await Http.WaitForTerminalAsync(datasetId, p1, p2))[p2]);
        Expect.CompletedStatus((await otherHttp.WaitForTerminalAsync(otherDataset, otherPath))[otherPath]);
        Assert.True(File.Exists(UploadFile(sha)), "the upload is not stored");

        await DeleteAsync(Http, datasetId, p1);
        Assert.True(File.Exists(UploadFile(sha)), "the upload went while the dataset's second image uses it");
        await DeleteAsync(Http, datasetId, IrisHttp.AssetId(added, 1));
        Assert.True(File.Exists(UploadFile(sha)), "the upload went while another organization's image uses it");

        var answer = await DeleteAsync(otherHttp, otherDataset, otherPath);
        Assert.Equal(other.OrgId, IrisHttp.Str(answer["org_id"]));
        Assert.False(File.Exists(UploadFile(sha)), "the upload outlived the last image that used it");
    }

    [Fact]
    public async Task Another_organizations_image_named_in_the_request_is_left_untouched()
    {
        using var other = server.ClientFor(await server.OtherOrgAsync());
        var theirDataset = await other.CreateDatasetIdAsync();
        var theirPath = server.CorpusUri("imaging/orientation_8.jpg");
        var theirId = (await other.AddAndWaitAsync(theirDataset, theirPath))[theirPath];
        var mine = await Http.CreateDatasetIdAsync();
        var myPath = server.CorpusUri("imaging/orientation_8.jpg"); // the same path in the caller's own dataset: not theirs
        var myId = (await Http.AddAndWaitAsync(mine, myPath))[myPath];

        // Their image id, in the caller's own dataset: answered like any identifier, deleting nothing of theirs.
        await DeleteAsync(Http, mine, theirId);
        Expect.Error(await Http.PostAsync(Route, Request(theirDataset, theirId, theirPath)), 404, "Dataset not found");

        var image = await other.GetImageAsync(theirId);
        Assert.Equal("completed", IrisHttp.Str(image["status"]));
        var preview = await other.GetBytesAsync($"/api/v1/images/{theirId}/preview");
        Assert.Equal(HttpStatusCode.OK, preview.Status);
        Expect.CompletedStatus((await other.StatusesAsync(theirDataset, [theirPath]))[theirPath]);
        Assert.Equal(1, (await other.GetDatasetAsync(theirDataset))["image_count"]!.GetValue<int>());
        Assert.Equal("completed", IrisHttp.Str((await Http.GetImageAsync(myId))["status"]));

        // The caller's own image at that path does go.
        await DeleteAsync(Http, mine, myPath);
        Expect.Error(await Http.GetAsync($"/api/v0/images/{myId}/metadata"), 404, "Image not found");
        Assert.Equal("completed", IrisHttp.Str((await other.GetImageAsync(theirId))["status"]));
    }

    [Fact]
    public async Task An_unknown_dataset_or_another_organizations_is_404()
    {
        Expect.Error(await Http.PostAsync(Route, Request(Guid.NewGuid().ToString(), Guid.NewGuid().ToString())), 404, "Dataset not found");
        using var other = server.ClientFor(await server.OtherOrgAsync());
        var theirs = await other.CreateDatasetIdAsync();
        Expect.Error(await Http.PostAsync(Route, Request(theirs, "s3://b/x.jpg")), 404, "Dataset not found");
    }

    [Fact]
    public async Task A_hundred_assets_are_fine()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var body = await DeleteAsync(Http, datasetId, Names.RandomUuids(100));
        Assert.Equal(100, body["assets"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("""{"assets": [{"asset_type": "image", "identifier": "x"}]}""", "missing", "body,dataset_id")]
    [InlineData("""{"dataset_id": "nope", "assets": [{"asset_type": "image", "identifier": "x"}]}""", "uuid_parsing", "body,dataset_id")]
    [InlineData("""{"dataset_id": 42, "assets": [{"asset_type": "image", "identifier": "x"}]}""", "uuid_type", "body,dataset_id")]
    [InlineData("""{"dataset_id": "{ds}"}""", "missing", "body,assets")]
    [InlineData("""{"dataset_id": "{ds}", "assets": "x"}""", "list_type", "body,assets")]
    [InlineData("""{"dataset_id": "{ds}", "assets": []}""", "too_short", "body,assets")]
    [InlineData("""{"dataset_id": "{ds}", "assets": "MANY"}""", "too_long", "body,assets")]
    [InlineData("""{"dataset_id": "{ds}", "assets": [1]}""", "dict_type", "body,assets,0")]
    [InlineData("""{"dataset_id": "{ds}", "assets": [{"identifier": "x"}]}""", "missing", "body,assets,0,asset_type")]
    [InlineData("""{"dataset_id": "{ds}", "assets": [{"asset_type": "video", "identifier": "x"}]}""", "value_error", "body,assets,0,asset_type")]
    [InlineData("""{"dataset_id": "{ds}", "assets": [{"asset_type": "audio", "identifier": "x"}]}""", "enum", "body,assets,0,asset_type")]
    [InlineData("""{"dataset_id": "{ds}", "assets": [{"asset_type": 1, "identifier": "x"}]}""", "enum", "body,assets,0,asset_type")]
    [InlineData("""{"dataset_id": "{ds}", "assets": [{"asset_type": "image"}]}""", "missing", "body,assets,0,identifier")]
    [InlineData("""{"dataset_id": "{ds}", "assets": [{"asset_type": "image", "identifier": 7}]}""", "string_type", "body,assets,0,identifier")]
    [InlineData("""{"dataset_id": "{ds}", "assets": [{"asset_type": "image", "identifier": ""}]}""", "string_too_short", "body,assets,0,identifier")]
    [InlineData("""{"dataset_id": "{ds}", "assets": [{"asset_type": "image", "identifier": "a\u0001b"}]}""", "value_error", "body,assets,0,identifier")]
    [InlineData("""[{"asset_type": "image", "identifier": "x"}]""", "dict_type", "body")]
    [InlineData("""not json""", "json_invalid", "body")]
    [InlineData("", "missing", "body")]
    public async Task Bad_input_is_422_at_the_bad_value(string body, string type, string loc)
    {
        // An unknown dataset: validation comes first.
        var json = body.Replace("{ds}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("\"MANY\"", new JsonArray(Enumerable.Range(0, 101).Select(i => (JsonNode?)Asset($"s3://b/{i}.jpg")).ToArray()).ToJsonString(),
                StringComparison.Ordinal);
        var r = await Http.SendJsonAsync(HttpMethod.Post, Route, json);
        var parts = loc.Split(',').Select(p => int.TryParse(p, out var i) ? (object)i : p).ToArray();
        var entry = Expect.Validation(r, type, parts);
        Assert.Single(Expect.ValidationEntries(r));
        CoactiveDocument.AssertResponse("POST", Route, 422, r.Text);
        if (body.Contains("video", StringComparison.Ordinal))
            Assert.Contains("images only", IrisHttp.Str(entry["msg"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_bad_value_gets_its_own_entry()
    {
        var r = await Http.PostAsync(Route, new JsonObject
        {
            ["dataset_id"] = "not-a-uuid",
            ["assets"] = new JsonArray(Asset("a", "video"), new JsonObject { ["asset_type"] = "image", ["identifier"] = 5 }, Asset("fine")),
        });
        Assert.Equal(3, Expect.ValidationEntries(r).Count);
        CoactiveDocument.AssertResponse("POST", Route, 422, r.Text);
        Expect.Validation(r, "uuid_parsing", "body", "dataset_id");
        Expect.Validation(r, "value_error", "body", "assets", 0, "asset_type");
        Expect.Validation(r, "string_type", "body", "assets", 1, "identifier");
    }

    [Fact]
    public async Task The_openapi_document_describes_the_route_in_coactives_shapes()
    {
        var document = Expect.Ok(await server.Anonymous.GetAsync("/openapi/v1.json"));
        var operation = document["paths"]![Route]!["post"]!;
        Assert.Equal("delete-assets", IrisHttp.Str(operation["operationId"]));
        foreach (var code in new[] { "202", "404", "413", "422" }) Assert.NotNull(operation["responses"]![code]);
        var schemas = document["components"]!["schemas"]!;
        Assert.NotNull(operation["requestBody"]!["content"]!["application/json"]);
        Expect.HasFields(schemas["DeleteAssetsRequest"]!["properties"], ["dataset_id", "assets"]);
        Expect.HasFields(schemas["DeleteAssetsResponse"]!["properties"], ["org_id", "dataset_id", "assets"]);
        Expect.HasFields(schemas["DeleteAssetsResponseAssetsItems"]!["properties"], ["asset_type", "identifier", "delete_job_id"]);
        Expect.JsonEqual(new JsonArray("image", "video"), schemas["AssetType"]!["enum"], "AssetType");
    }
}
