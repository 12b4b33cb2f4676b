using System.Text.Json.Nodes;

namespace Iris.Server.Tests;

/// <summary>Another organization's datasets and images answer exactly as unknown ones do.</summary>
[Collection(IrisServerCollection.Name)]
public sealed class IsolationTests(ServerFixture server)
{
    private sealed record Mine(string DatasetId, string Path, string ImageId, JsonNode Dataset, JsonNode Image);

    /// <summary>A dataset of the first organization with one completed image (with metadata).</summary>
    private Task<Mine> MineAsync() => server.OnceAsync("isolation-mine", async () =>
    {
        var http = server.Http;
        var datasetId = await http.CreateDatasetIdAsync();
        var path = server.CorpusUri("imaging/branches.jpg");
        var added = await http.AddImagesAsync(datasetId, J.Image(path, "mine", new JsonObject { ["owner"] = "first" }));
        var imageId = IrisHttp.Str(added["images"]![0]!["coactiveImageId"]);
        Expect.CompletedStatus((await http.WaitForTerminalAsync(datasetId, path))[path]);
        return new Mine(datasetId, path, imageId, await http.GetDatasetAsync(datasetId), await http.GetImageAsync(imageId));
    });

    private async Task<IrisHttp> OtherAsync() => server.ClientFor(await server.OtherOrgAsync());

    /// <summary>The first organization's data is as it was.</summary>
    private async Task AssertMineUnchanged(Mine mine)
    {
        Expect.JsonEqual(mine.Dataset, await server.Http.GetDatasetAsync(mine.DatasetId), "first org's dataset");
        Expect.JsonEqual(mine.Image, await server.Http.GetImageAsync(mine.ImageId), "first org's image");
        var statuses = Expect.Ok(await server.Http.PostAsync($"/api/v0/datasets/{mine.DatasetId}/images/statuses",
            new JsonObject { ["paths"] = J.Strings([mine.Path, "ftp://x/intruder.jpg", "upload://intruder"]) }))["data"]!.AsArray();
        Assert.Equal("completed", IrisHttp.Str(statuses[0]!["status"]));
        Assert.Equal("not_found", IrisHttp.Str(statuses[1]!["status"]));
        Assert.Equal("not_found", IrisHttp.Str(statuses[2]!["status"]));
    }

    /// <summary>Same status and same body as the same request about a random id.</summary>
    private static void SameAsUnknown(ApiResponse foreign, ApiResponse unknown, int code, string detail)
    {
        Expect.Error(foreign, code, detail);
        Expect.Error(unknown, code, detail);
        Assert.Equal(unknown.Text, foreign.Text);
    }

    [Fact]
    public async Task Foreign_dataset_reads_like_an_unknown_one()
    {
        var mine = await MineAsync();
        using var other = await OtherAsync();
        var unknown = Guid.NewGuid().ToString();
        SameAsUnknown(await other.GetAsync($"/api/v1/datasets/{mine.DatasetId}"),
            await other.GetAsync($"/api/v1/datasets/{unknown}"), 404, "Dataset not found");
        SameAsUnknown(
            await other.GetAsync($"/api/v0/datasets/{mine.DatasetId}/images/statuses?paths={Uri.EscapeDataString(mine.Path)}"),
            await other.GetAsync($"/api/v0/datasets/{unknown}/images/statuses?paths={Uri.EscapeDataString(mine.Path)}"),
            404, "Dataset not found");
        SameAsUnknown(
            await other.PostAsync($"/api/v0/datasets/{mine.DatasetId}/images/statuses", new JsonObject { ["paths"] = J.Strings([mine.Path]) }),
            await other.PostAsync($"/api/v0/datasets/{unknown}/images/statuses", new JsonObject { ["paths"] = J.Strings([mine.Path]) }),
            404, "Dataset not found");
    }

    [Fact]
    public async Task Foreign_image_reads_like_an_unknown_one()
    {
        var mine = await MineAsync();
        using var other = await OtherAsync();
        var unknown = Guid.NewGuid().ToString();
        SameAsUnknown(await other.GetAsync($"/api/v0/images/{mine.ImageId}/metadata"),
            await other.GetAsync($"/api/v0/images/{unknown}/metadata"), 404, "Image not found");
        SameAsUnknown(await other.GetAsync($"/api/v0/images/metadata?coactive_image_ids={mine.ImageId}"),
            await other.GetAsync($"/api/v0/images/metadata?coactive_image_ids={unknown}"), 404, "Image not found");
        SameAsUnknown(
            await other.PostAsync("/api/v0/images/metadata", new JsonObject { ["coactiveImageIds"] = J.Strings([mine.ImageId]) }),
            await other.PostAsync("/api/v0/images/metadata", new JsonObject { ["coactiveImageIds"] = J.Strings([unknown]) }),
            404, "Image not found");
    }

    [Fact]
    public async Task Batch_of_mixed_ids_returns_only_own_images()
    {
        var mine = await MineAsync();
        using var other = await OtherAsync();
        var theirDataset = await other.CreateDatasetIdAsync();
        var path = server.CorpusUri("imaging/orientation_1.jpg");
        var theirImage = (await other.AddAndWaitAsync(theirDataset, path))[path];
        var data = Expect.Ok(await other.GetAsync("/api/v0/images/metadata?" +
                                                  J.Repeat("coactive_image_ids", [mine.ImageId, theirImage])))["data"]!.AsArray();
        Assert.Equal(theirImage, IrisHttp.Str(Assert.Single(data)!["coactiveImageId"]));
        // And the other way round.
        var mineData = Expect.Ok(await server.Http.PostAsync("/api/v0/images/metadata",
            new JsonObject { ["coactiveImageIds"] = J.Strings([theirImage, mine.ImageId]) }))["data"]!.AsArray();
        Assert.Equal(mine.ImageId, IrisHttp.Str(Assert.Single(mineData)!["coactiveImageId"]));
    }

    [Fact]
    public async Task Foreign_datasets_are_not_listed()
    {
        var mine = await MineAsync();
        using var other = await OtherAsync();
        var theirs = await other.CreateDatasetIdAsync();
        var listed = Expect.Ok(await other.GetAsync("/api/v1/datasets?offset=0&limit=1000"));
        var ids = listed["data"]!.AsArray().Select(d => IrisHttp.Str(d!["datasetId"])).ToList();
        Assert.Contains(theirs, ids);
        Assert.DoesNotContain(mine.DatasetId, ids);
        Assert.Equal(ids.Count, listed["meta"]!["page"]!["total"]!.GetValue<int>());
        var myIds = Expect.Ok(await server.Http.GetAsync("/api/v1/datasets?offset=0&limit=1000"))["data"]!.AsArray()
            .Select(d => IrisHttp.Str(d!["datasetId"])).ToList();
        Assert.DoesNotContain(theirs, myIds);
        Assert.Contains(mine.DatasetId, myIds);
    }

    [Fact]
    public async Task Writes_to_a_foreign_dataset_are_404_and_change_nothing()
    {
        var mine = await MineAsync();
        using var other = await OtherAsync();
        var unknown = Guid.NewGuid().ToString();

        JsonObject AddBody() => new() { ["images"] = new JsonArray(J.Image("ftp://x/intruder.jpg"), J.Image(mine.Path, "stolen", new JsonObject { ["owner"] = "second" })) };
        SameAsUnknown(await other.PostAsync($"/api/v1/datasets/{mine.DatasetId}/assets", AddBody()),
            await other.PostAsync($"/api/v1/datasets/{unknown}/assets", AddBody()), 404, "Dataset not found");

        JsonObject PutBody() => new()
        {
            ["images"] = new JsonArray(
                new JsonObject { ["coactiveImageId"] = mine.ImageId, ["metadata"] = new JsonObject { ["owner"] = "second" } },
                new JsonObject { ["path"] = mine.Path, ["metadata"] = new JsonObject { ["owner"] = "second" } }),
        };
        SameAsUnknown(await other.PutAsync($"/api/v1/datasets/{mine.DatasetId}/assets-metadata", PutBody()),
            await other.PutAsync($"/api/v1/datasets/{unknown}/assets-metadata", PutBody()), 404, "Dataset not found");

        HttpRequestMessage Upload(string datasetId) => new(HttpMethod.Post, $"/api/v1/datasets/{datasetId}/uploads")
        {
            Content = UploadsTests.Form(UploadsTests.Part.File(File.ReadAllBytes(server.Corpus("imaging/orientation_2.jpg")), "intruder.jpg", "image/jpeg"),
                UploadsTests.Part.Field("path", "upload://intruder")),
        };
        SameAsUnknown(await other.SendAsync(Upload(mine.DatasetId)), await other.SendAsync(Upload(unknown)), 404, "Dataset not found");

        SameAsUnknown(await other.DeleteAsync($"/api/v1/datasets/{mine.DatasetId}"),
            await other.DeleteAsync($"/api/v1/datasets/{unknown}"), 404, "Dataset not found");

        await AssertMineUnchanged(mine);
    }

    [Fact]
    public async Task Foreign_image_cannot_be_updated_through_an_own_dataset()
    {
        var mine = await MineAsync();
        using var other = await OtherAsync();
        var theirs = await other.CreateDatasetIdAsync();
        var r = await other.PutAsync($"/api/v1/datasets/{theirs}/assets-metadata", new JsonObject
        {
            ["images"] = new JsonArray(new JsonObject { ["coactiveImageId"] = mine.ImageId, ["metadata"] = new JsonObject { ["owner"] = "second" } }),
        });
        Expect.Error(r, 404, "Image not found");
        await AssertMineUnchanged(mine);
    }

    [Fact]
    public async Task Same_path_in_another_org_is_a_separate_image()
    {
        var mine = await MineAsync();
        using var other = await OtherAsync();
        var theirs = await other.CreateDatasetIdAsync();
        var added = await other.AddImagesAsync(theirs, J.Image(mine.Path, "theirs"));
        var theirImage = IrisHttp.Str(added["images"]![0]!["coactiveImageId"]);
        Assert.NotEqual(mine.ImageId, theirImage);
        Expect.Null(added["images"]![0], "metadata");
        Expect.CompletedStatus((await other.WaitForTerminalAsync(theirs, mine.Path))[mine.Path]);
        var cred = await server.OtherOrgAsync();
        var asset = await other.GetImageAsync(theirImage);
        Assert.Equal(cred.ClientId, IrisHttp.Str(asset["createdUserId"]));
        Assert.Equal("theirs", IrisHttp.Str(asset["id"]));
        Expect.Error(await server.Http.GetAsync($"/api/v0/images/{theirImage}/metadata"), 404, "Image not found");
        await AssertMineUnchanged(mine);
    }
}
