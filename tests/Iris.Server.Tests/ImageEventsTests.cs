using System.Text.Json.Nodes;

namespace Iris.Server.Tests;

/// <summary>GET /api/v1/images/{asset_id}/events: an image's ingestion history, oldest first, snake_case with v1 paging.</summary>
[Collection(IrisServerCollection.Name)]
public sealed class ImageEventsTests(ServerFixture server)
{
    private IrisHttp Http => server.Http;

    private sealed record Added(string DatasetId, string ImageId);

    private Task<Added> ImageAsync() => server.OnceAsync("events-image", async () =>
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var path = server.CorpusUri("imaging/branches.jpg");
        var ids = await Http.AddAndWaitAsync(datasetId, path);
        return new Added(datasetId, ids[path]);
    });

    private static List<string> Types(JsonNode body) => body["data"]!.AsArray().Select(e => IrisHttp.Str(e!["event_type"])).ToList();

    [Fact]
    public async Task A_completed_image_lists_its_events_from_received_to_completed()
    {
        var image = await ImageAsync();
        var body = Expect.Ok(await Http.GetAsync($"/api/v1/images/{image.ImageId}/events"));
        Expect.HasFields(body, ["asset_id", "data", "meta"]);
        Assert.Equal(image.ImageId, IrisHttp.Str(body["asset_id"]));
        var events = body["data"]!.AsArray();
        foreach (var e in events)
        {
            Expect.HasFields(e, ["event_type", "event_entity", "timestamp_dt", "detail"]);
            Assert.Equal("image", IrisHttp.Str(e!["event_entity"]));
            Assert.EndsWith("Z", IrisHttp.Str(e["timestamp_dt"]));
        }
        var types = Types(body);
        Assert.Equal("received", types[0]);
        Assert.Equal("completed", types[^1]);
        var times = events.Select(e => DateTimeOffset.Parse(IrisHttp.Str(e!["timestamp_dt"]), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.Order(), times);

        var page = body["meta"]!["page"]!;
        Assert.Equal((1, 1, 100, 0, (long)types.Count),
            (page["current_page"]!.GetValue<int>(), page["last_page"]!.GetValue<int>(), page["limit"]!.GetValue<int>(),
                page["offset"]!.GetValue<int>(), page["total"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Offset_and_limit_cut_a_page_and_the_total_counts_every_event()
    {
        var image = await ImageAsync();
        var all = Types(Expect.Ok(await Http.GetAsync($"/api/v1/images/{image.ImageId}/events")));
        Assert.True(all.Count >= 3, $"only {all.Count} events");

        var second = Expect.Ok(await Http.GetAsync($"/api/v1/images/{image.ImageId}/events?offset=1&limit=2"));
        Assert.Equal(all.Skip(1).Take(2), Types(second));
        var page = second["meta"]!["page"]!;
        Assert.Equal((1, (all.Count + 1) / 2, 2, 1, (long)all.Count),
            (page["current_page"]!.GetValue<int>(), page["last_page"]!.GetValue<int>(), page["limit"]!.GetValue<int>(),
                page["offset"]!.GetValue<int>(), page["total"]!.GetValue<long>()));

        var past = Expect.Ok(await Http.GetAsync($"/api/v1/images/{image.ImageId}/events?offset={all.Count}"));
        Assert.Empty(Types(past));
        Assert.Equal(all.Count, past["meta"]!["page"]!["total"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("offset=-1", "offset", "greater_than_equal")]
    [InlineData("offset=first", "offset", "int_parsing")]
    [InlineData("limit=0", "limit", "greater_than_equal")]
    [InlineData("limit=1001", "limit", "less_than_equal")]
    public async Task Bad_query_values_are_422(string query, string name, string type)
    {
        var image = await ImageAsync();
        Expect.Validation(await Http.GetAsync($"/api/v1/images/{image.ImageId}/events?{query}"), type, "query", name);
    }

    [Fact]
    public async Task Unknown_foreign_and_malformed_ids()
    {
        var image = await ImageAsync();
        Expect.Error(await Http.GetAsync($"/api/v1/images/{Guid.NewGuid()}/events"), 404, "Image not found");
        using var other = server.ClientFor(await server.OtherOrgAsync());
        Expect.Error(await other.GetAsync($"/api/v1/images/{image.ImageId}/events"), 404, "Image not found");
        Expect.Validation(await Http.GetAsync("/api/v1/images/12345/events"), "uuid_parsing", "path", "asset_id");
    }
}
