using System.Text.Json.Nodes;
using NetVips;

namespace Iris.Server.Tests;

/// <summary>GET /api/v1/images/{asset_id}/duplicates: exact copies by SHA-256 first, then near copies by perceptual hash; v1 paging.</summary>
[Collection(IrisServerCollection.Name)]
public sealed class DuplicatesTests(ServerFixture server)
{
    private IrisHttp Http => server.Http;

    private sealed record Set(string DatasetId, string Original, string Copy, string Resized, string Other, string Broken,
        Dictionary<string, string> Ids);

    /// <summary>
    /// One dataset: a corpus JPEG by path, the same bytes uploaded, a copy resized to 60% and re-encoded (made here
    /// with libvips), a different picture, and a file that ends in error.
    /// </summary>
    private Task<Set> SetAsync() => server.OnceAsync("duplicates-set", async () =>
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var original = server.CorpusUri("imaging/branches.jpg");
        var other = server.CorpusUri("imaging/flowers.png");
        var broken = ServerFixture.FileUri(server.TextAsJpg);
        await Http.AddPathsAsync(datasetId, original, other, broken);

        var bytes = File.ReadAllBytes(server.Corpus("imaging/branches.jpg"));
        byte[] resized;
        using (var image = Image.NewFromBuffer(bytes))
        using (var smaller = image.Resize(0.6))
            resized = smaller.JpegsaveBuffer(q: 75);
        var copy = $"upload://{Expect.Sha256(bytes)}/branches-copy.jpg";
        var resizedPath = $"upload://{Expect.Sha256(resized)}/branches-resized.jpg";
        Expect.Ok(await UploadsTests.UploadAsync(Http, datasetId, UploadsTests.Part.File(bytes, "branches-copy.jpg", "image/jpeg")));
        Expect.Ok(await UploadsTests.UploadAsync(Http, datasetId, UploadsTests.Part.File(resized, "branches-resized.jpg", "image/jpeg")));

        var paths = new[] { original, copy, resizedPath, other, broken };
        var statuses = await Http.WaitForTerminalAsync(datasetId, paths);
        foreach (var path in paths.Where(p => p != broken)) Expect.CompletedStatus(statuses[path]);
        Expect.ErrorStatus(statuses[broken], "unsupported_format");
        return new Set(datasetId, original, copy, resizedPath, other, broken,
            paths.ToDictionary(p => p, p => IrisHttp.Str(statuses[p]["coactiveImageId"])));
    });

    private static JsonArray Data(JsonNode body, string imageId)
    {
        Expect.HasFields(body, ["asset_id", "data", "meta"]);
        Assert.Equal(imageId, IrisHttp.Str(body["asset_id"]));
        var data = body["data"]!.AsArray();
        foreach (var entry in data) Expect.HasFields(entry, ["asset_id", "source_path", "distance", "exact"]);
        return data;
    }

    private static (int CurrentPage, int? LastPage, int Limit, int Offset, long? Total) Page(JsonNode body)
    {
        var page = body["meta"]!["page"]!;
        Expect.HasFields(page, ["current_page", "last_page", "limit", "offset", "total"]);
        return (page["current_page"]!.GetValue<int>(), page["last_page"]?.GetValue<int>(), page["limit"]!.GetValue<int>(),
            page["offset"]!.GetValue<int>(), page["total"]?.GetValue<long>());
    }

    [Fact]
    public async Task Exact_copy_comes_first_then_the_resized_copy_and_nothing_else()
    {
        var set = await SetAsync();
        var body = Expect.Ok(await Http.GetAsync($"/api/v1/images/{set.Ids[set.Original]}/duplicates"));
        var data = Data(body, set.Ids[set.Original]);

        Assert.Equal(2, data.Count);
        Assert.Equal((1, 1, 100, 0, 2L), Page(body));
        Assert.Equal((set.Ids[set.Copy], set.Copy, 0, true),
            (IrisHttp.Str(data[0]!["asset_id"]), IrisHttp.Str(data[0]!["source_path"]), data[0]!["distance"]!.GetValue<int>(), data[0]!["exact"]!.GetValue<bool>()));
        Assert.Equal((set.Ids[set.Resized], set.Resized, false),
            (IrisHttp.Str(data[1]!["asset_id"]), IrisHttp.Str(data[1]!["source_path"]), data[1]!["exact"]!.GetValue<bool>()));
        Assert.InRange(data[1]!["distance"]!.GetValue<int>(), 0, 8);
    }

    [Fact]
    public async Task The_distance_and_limit_narrow_the_answer()
    {
        var set = await SetAsync();
        var resizedDistance = Data(Expect.Ok(await Http.GetAsync($"/api/v1/images/{set.Ids[set.Resized]}/duplicates")), set.Ids[set.Resized])
            .Single(d => IrisHttp.Str(d!["source_path"]) == set.Original)!["distance"]!.GetValue<int>();

        // From the resized copy, the original and the uploaded copy are both near and equally so.
        var tight = Data(Expect.Ok(await Http.GetAsync($"/api/v1/images/{set.Ids[set.Resized]}/duplicates?max_distance={resizedDistance}")), set.Ids[set.Resized]);
        Assert.Equal(new[] { set.Copy, set.Original }.Order(StringComparer.Ordinal), tight.Select(d => IrisHttp.Str(d!["source_path"])).Order(StringComparer.Ordinal));
        Assert.All(tight, d => Assert.False(d!["exact"]!.GetValue<bool>()));

        var one = Data(Expect.Ok(await Http.GetAsync($"/api/v1/images/{set.Ids[set.Original]}/duplicates?max_distance=64&limit=1")), set.Ids[set.Original]);
        Assert.Equal(set.Copy, IrisHttp.Str(Assert.Single(one)!["source_path"]));

        // With every distance allowed the different picture shows up too, last.
        var all = Data(Expect.Ok(await Http.GetAsync($"/api/v1/images/{set.Ids[set.Original]}/duplicates?max_distance=64")), set.Ids[set.Original]);
        Assert.Equal(set.Other, IrisHttp.Str(all[^1]!["source_path"]));
        Assert.True(all[^1]!["distance"]!.GetValue<int>() > 16);
        Assert.DoesNotContain(all, d => IrisHttp.Str(d!["source_path"]) == set.Broken);
    }

    [Fact]
    public async Task Offset_and_limit_page_through_the_duplicates_and_the_total_is_known_on_the_last_page()
    {
        var set = await SetAsync();
        var route = $"/api/v1/images/{set.Ids[set.Original]}/duplicates?max_distance=64";
        var all = Data(Expect.Ok(await Http.GetAsync(route)), set.Ids[set.Original]).Select(d => IrisHttp.Str(d!["source_path"])).ToList();
        Assert.Equal(3, all.Count);

        var first = Expect.Ok(await Http.GetAsync(route + "&limit=2"));
        Assert.Equal(all[..2], Data(first, set.Ids[set.Original]).Select(d => IrisHttp.Str(d!["source_path"])));
        Assert.Equal((1, (int?)null, 2, 0, (long?)null), Page(first)); // more follow: the total is not known yet
        var second = Expect.Ok(await Http.GetAsync(route + "&limit=2&offset=2"));
        Assert.Equal(all[2..], Data(second, set.Ids[set.Original]).Select(d => IrisHttp.Str(d!["source_path"])));
        Assert.Equal((2, 2, 2, 2, 3L), Page(second));
        var past = Expect.Ok(await Http.GetAsync(route + "&offset=10000"));
        Assert.Empty(Data(past, set.Ids[set.Original]));
        Assert.Equal(3L, Page(past).Total);
        // The old camelCase parameter is not read: the default distance of 8 leaves the different picture out.
        Assert.Equal(2, Data(Expect.Ok(await Http.GetAsync($"/api/v1/images/{set.Ids[set.Original]}/duplicates?maxDistance=64")), set.Ids[set.Original]).Count);
    }

    [Theory]
    [InlineData("max_distance=65", "max_distance", "less_than_equal")]
    [InlineData("max_distance=-1", "max_distance", "greater_than_equal")]
    [InlineData("max_distance=near", "max_distance", "int_parsing")]
    [InlineData("limit=0", "limit", "greater_than_equal")]
    [InlineData("limit=1001", "limit", "less_than_equal")]
    [InlineData("offset=-1", "offset", "greater_than_equal")]
    [InlineData("offset=10001", "offset", "less_than_equal")]
    [InlineData("offset=x", "offset", "int_parsing")]
    public async Task Bad_query_values_are_422(string query, string name, string type)
    {
        var set = await SetAsync();
        Expect.Validation(await Http.GetAsync($"/api/v1/images/{set.Ids[set.Original]}/duplicates?{query}"), type, "query", name);
    }

    [Fact]
    public async Task Unknown_foreign_errored_and_malformed_ids()
    {
        var set = await SetAsync();
        Expect.Error(await Http.GetAsync($"/api/v1/images/{Guid.NewGuid()}/duplicates"), 404, "Image not found");
        using var other = server.ClientFor(await server.OtherOrgAsync());
        Expect.Error(await other.GetAsync($"/api/v1/images/{set.Ids[set.Original]}/duplicates"), 404, "Image not found");
        Expect.Error(await Http.GetAsync($"/api/v1/images/{set.Ids[set.Broken]}/duplicates"), 404,
            "The image's ingestion ended in error; only completed images are compared for duplicates.");
        Expect.Validation(await Http.GetAsync("/api/v1/images/12345/duplicates"), "uuid_parsing", "path", "asset_id");
    }
}
