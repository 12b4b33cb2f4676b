using System.Text.Json.Nodes;

namespace Iris.Server.Tests;

/// <summary>
/// The same path in two organizations makes two separate images. That foreign ids answer like unknown ones on
/// every route is <see cref="IsolationMatrixTests"/>.
/// </summary>
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
        var imageId = (await http.AddWithIdsAsync(server.FilesDir, datasetId, J.Image(path, "mine", new JsonObject { ["owner"] = "first" })))[path];
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

    [Fact]
    public async Task Same_path_in_another_org_is_a_separate_image()
    {
        var mine = await MineAsync();
        using var other = await OtherAsync();
        var theirs = await other.CreateDatasetIdAsync();
        var theirImage = (await other.AddWithIdsAsync(server.FilesDir, theirs, J.Image(mine.Path, "theirs")))[mine.Path];
        Assert.NotEqual(mine.ImageId, theirImage);
        Expect.Null(await other.GetImageAsync(theirImage), "metadata");
        Expect.CompletedStatus((await other.WaitForTerminalAsync(theirs, mine.Path))[mine.Path]);
        var cred = await server.OtherOrgAsync();
        var asset = await other.GetImageAsync(theirImage);
        Assert.Equal(cred.ClientId, IrisHttp.Str(asset["createdUserId"]));
        Assert.Equal("theirs", IrisHttp.Str(asset["id"]));
        Expect.Error(await server.Http.GetAsync($"/api/v0/images/{theirImage}/metadata"), 404, "Image not found");
        await AssertMineUnchanged(mine);
    }
}
