using System.Security.Cryptography;
using System.Text.Json;

namespace Iris.Client.Tests;

[Collection(ClientCollection.Name)]
public sealed class ImageApiTests(ClientFixture fixture)
{
    [Fact]
    public async Task GetMetadataForImage_returns_the_completed_image()
    {
        var seeded = await fixture.SeededAsync();
        using var client = fixture.NewClient();
        var api = new ImageApi(client);

        var image = await api.GetMetadataForImageAsync(seeded.ImageIds[0]);

        Assert.Equal(seeded.ImageIds[0], image.CoactiveImageId);
        Assert.Equal(seeded.Paths[0], image.Path);
        Assert.Equal(seeded.DatasetId, image.DatasetId);
        Assert.Equal(ImageStatus.Completed, image.Status);
        Assert.Null(image.Id); // an ingest job's images have no user id (an upload may give one)
        Assert.Equal(1, image.Metadata!["season"].GetInt32());
        Assert.Equal("GoT", image.Metadata["show"].GetString());
        Assert.Equal(fixture.Server.Credential.ClientId, image.CreatedUserId);
        var bytes = await File.ReadAllBytesAsync(ClientFixture.Corpus(seeded.Files[0]));
        var technical = image.TechnicalMetadata!;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), technical.Sha256);
        Assert.Equal(bytes.LongLength, technical.SizeBytes);
        Assert.Equal("jpeg", technical.Format);
        Assert.Equal("image/jpeg", technical.MimeType);
        Assert.Equal(6, technical.Orientation);
        Assert.True(technical.Width > 0 && technical.Height > 0);
        Assert.True(image.UpdatedDt >= image.CreatedDt);

        // The string form (as in the seed) and the blocking form give the same answer.
        var byString = await api.GetMetadataForImageAsync(seeded.ImageIds[0].ToString());
        var blocking = api.GetMetadataForImage(seeded.ImageIds[0]);
        Assert.Equal(Json(image), Json(byString));
        Assert.Equal(Json(image), Json(blocking));
    }

    [Fact]
    public async Task GetMetadataForImages_keeps_the_order_asked_and_each_image_once()
    {
        var seeded = await fixture.SeededAsync();
        using var client = fixture.NewClient();
        var api = new ImageApi(client);
        Guid[] asked = [seeded.ImageIds[2], seeded.ImageIds[0], seeded.ImageIds[2], Guid.NewGuid()];

        var answer = await api.GetMetadataForImagesAsync(asked);

        Assert.Equal([seeded.ImageIds[2], seeded.ImageIds[0]], answer.Data.Select(a => a.CoactiveImageId));
        var blocking = api.GetMetadataForImages(asked.Select(g => g.ToString()));
        Assert.Equal(JsonSerializer.Serialize(answer, IrisJsonContext.Default.MetadataForImagesResponse),
            JsonSerializer.Serialize(blocking, IrisJsonContext.Default.MetadataForImagesResponse));
    }

    [Fact]
    public async Task A_batch_too_long_for_a_url_goes_through_the_POST_twin()
    {
        var seeded = await fixture.SeededAsync();
        var methods = new List<HttpMethod>();
        using var http = new HttpClient(new RecordingHandler(methods) { InnerHandler = new HttpClientHandler() });
        using var client = new ApiClient(http, fixture.Configuration);
        var api = new ImageApi(client);

        // 999 unknown ids and one known one: ~56 KB of query string.
        var ids = Enumerable.Range(0, 999).Select(_ => Guid.NewGuid()).Append(seeded.ImageIds[1]).ToList();
        var answer = await api.GetMetadataForImagesAsync(ids);
        Assert.Equal(seeded.ImageIds[1], Assert.Single(answer.Data).CoactiveImageId);

        var paths = Enumerable.Range(0, 300).Select(i => $"s3://bucket/never/added/{i}.jpg").Append(seeded.Paths[2]).ToList();
        var statuses = await api.GetStatusesForImagesAsync(seeded.DatasetId, paths);
        Assert.Equal(paths, statuses.Data.Select(s => s.Path));
        Assert.Equal(ImageStatus.Completed, statuses.Data[^1].Status);
        Assert.All(statuses.Data.SkipLast(1), s => Assert.Equal(ImageStatus.NotFound, s.Status));

        // A short list stays a GET.
        await api.GetMetadataForImagesAsync([seeded.ImageIds[0]]);
        Assert.Equal([HttpMethod.Post, HttpMethod.Post, HttpMethod.Get], methods);
    }

    [Fact]
    public async Task GetStatusesForImages_reports_completed_and_not_found_paths()
    {
        var seeded = await fixture.SeededAsync();
        using var client = fixture.NewClient();
        var api = new ImageApi(client);
        string[] paths = [seeded.Paths[1], "s3://never/added.jpg", seeded.Paths[1]];

        var answer = await api.GetStatusesForImagesAsync(seeded.DatasetId, paths);

        Assert.Equal(2, answer.Data.Count);
        var done = answer.Data[0];
        Assert.Equal(seeded.Paths[1], done.Path);
        Assert.Equal(ImageStatus.Completed, done.Status);
        Assert.Equal(seeded.ImageIds[1], done.CoactiveImageId);
        Assert.Null(done.ErrorCode);
        Assert.Equal("completed", done.LatestEvent!.EventType);
        var missing = answer.Data[1];
        Assert.Equal(ImageStatus.NotFound, missing.Status);
        Assert.Null(missing.CoactiveImageId);

        var blocking = api.GetStatusesForImages(seeded.DatasetId.ToString(), paths);
        Assert.Equal(JsonSerializer.Serialize(answer, IrisJsonContext.Default.StatusesForImagesResponse),
            JsonSerializer.Serialize(blocking, IrisJsonContext.Default.StatusesForImagesResponse));
    }

    [Fact]
    public async Task The_enumerating_forms_batch_any_number_of_ids_and_paths()
    {
        var seeded = await fixture.SeededAsync();
        using var client = fixture.NewClient();
        var api = new ImageApi(client);

        // 2500 ids in three requests; the known ones are in the last chunk, the first two chunks find nothing (404s are skipped).
        var ids = Enumerable.Range(0, 2500).Select(_ => Guid.NewGuid()).Concat(seeded.ImageIds).ToList();
        var found = new List<Guid>();
        await foreach (var asset in api.EnumerateMetadataForImagesAsync(ids)) found.Add(asset.CoactiveImageId);
        Assert.Equal(seeded.ImageIds, found);

        var paths = Enumerable.Range(0, 1500).Select(i => $"https://example.invalid/{i}.jpg").Concat(seeded.Paths).ToList();
        var statuses = new List<ImageStatusResponse>();
        await foreach (var s in api.EnumerateStatusesForImagesAsync(seeded.DatasetId, paths)) statuses.Add(s);
        Assert.Equal(paths, statuses.Select(s => s.Path));
        Assert.Equal(1500, statuses.Count(s => s.Status == ImageStatus.NotFound));
        Assert.Equal(3, statuses.Count(s => s.Status == ImageStatus.Completed));
    }

    [Fact]
    public async Task GetImageEvents_lists_the_ingestion_history()
    {
        var seeded = await fixture.SeededAsync();
        using var client = fixture.NewClient();
        var events = await new ImageApi(client).GetImageEventsAsync(seeded.ImageIds[0]);

        Assert.Equal(seeded.ImageIds[0], events.AssetId);
        Assert.Equal("received", events.Data[0].EventType);
        Assert.Equal("completed", events.Data[^1].EventType);
        Assert.All(events.Data, e => Assert.Equal("image", e.EventEntity));
        Assert.True(events.Data.Zip(events.Data.Skip(1)).All(p => p.First.TimestampDt <= p.Second.TimestampDt));
        Assert.Equal(events.Data.Count, events.Meta.Page.Total);

        // A page: offset and limit go out snake_case, the meta says where the page is.
        var page = await new ImageApi(client).GetImageEventsAsync(seeded.ImageIds[0], offset: 1, limit: 1);
        Assert.Equal(events.Data[1], Assert.Single(page.Data));
        Assert.Equal(new PageDetails(2, events.Data.Count, 1, 1, events.Data.Count), page.Meta.Page);

        var error = await Assert.ThrowsAsync<ApiException>(() => new ImageApi(client).GetImageEventsAsync(Guid.NewGuid()));
        Assert.Equal(404, error.StatusCode);
        Assert.Equal("Image not found", error.Detail);
    }

    [Fact]
    public async Task Errors_carry_status_body_and_parsed_detail()
    {
        var seeded = await fixture.SeededAsync();
        using var client = fixture.NewClient();
        var api = new ImageApi(client);

        // 404: a sentence.
        var notFound = await Assert.ThrowsAsync<ApiException>(() => api.GetMetadataForImageAsync(Guid.NewGuid()));
        Assert.Equal(404, notFound.StatusCode);
        Assert.Equal("Image not found", notFound.Detail);
        Assert.Empty(notFound.ValidationErrors);
        Assert.Equal("""{"detail":"Image not found"}""", JsonSerializer.Serialize(JsonDocument.Parse(notFound.Body).RootElement));
        Assert.Contains("Image not found", notFound.Message);

        var noneFound = await Assert.ThrowsAsync<ApiException>(() => api.GetMetadataForImagesAsync([Guid.NewGuid()]));
        Assert.Equal(404, noneFound.StatusCode);
        var noDataset = await Assert.ThrowsAsync<ApiException>(() => api.GetStatusesForImagesAsync(Guid.NewGuid(), ["s3://b/k.jpg"]));
        Assert.Equal("Dataset not found", noDataset.Detail);

        // 422: the list of validation errors, with loc, msg and type.
        var badId = await Assert.ThrowsAsync<ApiException>(() => api.GetMetadataForImageAsync("not-a-uuid"));
        Assert.Equal(422, badId.StatusCode);
        var entry = Assert.Single(badId.ValidationErrors);
        Assert.Equal(["path", "coactive_image_id"], entry.Loc);
        Assert.Equal("uuid_parsing", entry.Type);
        Assert.False(string.IsNullOrWhiteSpace(entry.Msg));
        Assert.Equal("path.coactive_image_id", entry.Where());

        var badList = await Assert.ThrowsAsync<ApiException>(() => api.GetMetadataForImagesAsync(["a6894d72-612d-4c20-b4d0-8f3f21c2bb10", "nope"]));
        Assert.Equal(["query", "coactive_image_ids", 1], Assert.Single(badList.ValidationErrors).Loc);
        Assert.Contains("query.coactive_image_ids[1]", badList.Message);

        var empty = await Assert.ThrowsAsync<ApiException>(() => api.GetStatusesForImagesAsync(seeded.DatasetId, []));
        Assert.Equal("missing", Assert.Single(empty.ValidationErrors).Type);

        // Too many for one call: the POST twin answers 422 with a body loc.
        var tooMany = await Assert.ThrowsAsync<ApiException>(() => api.GetMetadataForImagesAsync(Enumerable.Range(0, 1001).Select(_ => Guid.NewGuid())));
        Assert.Equal(422, tooMany.StatusCode);
        Assert.Equal(["body", "coactiveImageIds"], Assert.Single(tooMany.ValidationErrors).Loc);

        var badDataset = await Assert.ThrowsAsync<ApiException>(() => api.GetStatusesForImagesAsync("42", ["s3://b/k.jpg"]));
        Assert.Equal(["path", "dataset_id"], Assert.Single(badDataset.ValidationErrors).Loc);

        // The blocking form throws the same exception.
        Assert.Equal(404, Assert.Throws<ApiException>(() => api.GetMetadataForImage(Guid.NewGuid())).StatusCode);
    }

    [Fact]
    public async Task Bad_or_missing_credentials_answer_401_and_403()
    {
        var seeded = await fixture.SeededAsync();
        using var wrongSecret = fixture.NewClient(fixture.Server.Credential.ClientId + ":wrong");
        var unauthorized = await Assert.ThrowsAsync<ApiException>(() => new ImageApi(wrongSecret).GetMetadataForImageAsync(seeded.ImageIds[0]));
        Assert.Equal(401, unauthorized.StatusCode);
        Assert.Equal("Invalid authentication credentials", unauthorized.Detail);
        Assert.Contains("Bearer", unauthorized.Headers!.WwwAuthenticate.ToString());

        using var anonymous = new ApiClient(new Configuration { Host = fixture.Server.Host });
        var forbidden = await Assert.ThrowsAsync<ApiException>(() => new ImageApi(anonymous).GetStatusesForImagesAsync(seeded.DatasetId, ["x"]));
        Assert.Equal(403, forbidden.StatusCode);
        Assert.Equal("Not authenticated", forbidden.Detail);

        // Another organization's image answers as if it did not exist.
        var other = await fixture.Server.CreateClientAsync("client-tests-other");
        using var otherClient = fixture.NewClient(other.AccessToken);
        var hidden = await Assert.ThrowsAsync<ApiException>(() => new ImageApi(otherClient).GetMetadataForImageAsync(seeded.ImageIds[0]));
        Assert.Equal(404, hidden.StatusCode);
    }

    [Fact]
    public async Task Preview_returns_a_small_image_once_the_route_exists()
    {
        var seeded = await fixture.SeededAsync();
        using var client = fixture.NewClient();
        var api = new ImageApi(client);
        if (!await RouteExistsAsync("/api/v1/images/{asset_id}/preview"))
        {
            // The route is not on this server yet: the client reports the server's 404 as an ApiException.
            var missing = await Assert.ThrowsAsync<ApiException>(() => api.GetPreviewAsync(seeded.ImageIds[0]));
            Assert.Equal(404, missing.StatusCode);
            return;
        }

        using (var preview = await api.OpenPreviewAsync(seeded.ImageIds[0]))
        {
            Assert.StartsWith("image/", preview.MediaType);
        }
        var bytes = await api.GetPreviewAsync(seeded.ImageIds[0]);
        Assert.True(bytes.Length > 100, $"preview of {bytes.Length} bytes");
        Assert.True(IsImage(bytes), "preview is not a JPEG, PNG or WebP file");

        var unknown = await Assert.ThrowsAsync<ApiException>(() => api.GetPreviewAsync(Guid.NewGuid()));
        Assert.Equal(404, unknown.StatusCode);
    }

    [Fact]
    public async Task Duplicates_finds_the_same_bytes_under_another_path_once_the_route_exists()
    {
        using var client = fixture.NewClient();
        var images = new ImageApi(client);
        var datasets = new DatasetApi(client);
        var dataset = await datasets.CreateDatasetAsync(ClientFixture.UniqueName("dupes"));
        string[] paths = ["upload://tests/first.jpg", "upload://tests/second.jpg"];
        await using (var first = File.OpenRead(ClientFixture.Corpus("imaging/branches.jpg")))
        await using (var second = File.OpenRead(ClientFixture.Corpus("imaging/branches.jpg")))
        {
            await datasets.UploadFilesAsync(dataset.Id,
                [new UploadFile(first, "first.jpg") { Path = paths[0] }, new UploadFile(second, "second.jpg") { Path = paths[1] }]);
        }
        var statuses = await ClientFixture.WaitTerminalAsync(images, dataset.Id, paths);
        var firstId = statuses[0].CoactiveImageId!.Value;

        if (!await RouteExistsAsync("/api/v1/images/{asset_id}/duplicates"))
        {
            var missing = await Assert.ThrowsAsync<ApiException>(() => images.GetDuplicatesAsync(firstId, 0));
            Assert.Equal(404, missing.StatusCode);
            return;
        }

        var duplicates = await images.GetDuplicatesAsync(firstId, maxDistance: 0);
        Assert.Equal(firstId, duplicates.AssetId);
        var twin = Assert.Single(duplicates.Data, d => d.AssetId == statuses[1].CoactiveImageId);
        Assert.True(twin.Exact);
        Assert.Equal(0, twin.Distance);
        Assert.Equal(paths[1], twin.SourcePath);
        Assert.DoesNotContain(duplicates.Data, d => d.AssetId == firstId);
        Assert.Equal(new PageDetails(1, 1, 100, 0, 1), duplicates.Meta.Page);

        // Past the only duplicate: an empty page, the total still known; a bad value is the server's 422.
        var past = await images.GetDuplicatesAsync(firstId, maxDistance: 0, limit: 1, offset: 1);
        Assert.Empty(past.Data);
        Assert.Equal(1, past.Meta.Page.Total);
        var invalid = await Assert.ThrowsAsync<ApiException>(() => images.GetDuplicatesAsync(firstId, maxDistance: 65));
        Assert.Equal(422, invalid.StatusCode);
    }

    [Fact]
    public async Task The_models_carry_every_field_of_the_wire_json()
    {
        var seeded = await fixture.SeededAsync();
        using var raw = new HttpClient();
        raw.DefaultRequestHeaders.Authorization = new("Bearer", fixture.Server.Credential.AccessToken);
        using var client = fixture.NewClient();
        var api = new ImageApi(client);

        var wire = System.Text.Json.Nodes.JsonNode.Parse(await raw.GetStringAsync($"{fixture.Server.Host}/api/v0/images/{seeded.ImageIds[2]}/metadata"));
        var model = ClientFixture.Json(await api.GetMetadataForImageAsync(seeded.ImageIds[2]), IrisJsonContext.Default.AssetResponse);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(wire, model), $"wire: {wire!.ToJsonString()}\nmodel: {model.ToJsonString()}");

        var path = Uri.EscapeDataString(seeded.Paths[0]);
        wire = System.Text.Json.Nodes.JsonNode.Parse(await raw.GetStringAsync($"{fixture.Server.Host}/api/v0/datasets/{seeded.DatasetId}/images/statuses?paths={path}&paths=s3%3A%2F%2Fb%2Fk"));
        model = ClientFixture.Json(await api.GetStatusesForImagesAsync(seeded.DatasetId, [seeded.Paths[0], "s3://b/k"]), IrisJsonContext.Default.StatusesForImagesResponse);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(wire, model), $"wire: {wire!.ToJsonString()}\nmodel: {model.ToJsonString()}");

        // The v1 shapes, snake_case.
        wire = System.Text.Json.Nodes.JsonNode.Parse(await raw.GetStringAsync($"{fixture.Server.Host}/api/v1/datasets/{seeded.DatasetId}"));
        model = ClientFixture.Json(await new DatasetApi(client).GetDatasetAsync(seeded.DatasetId), IrisV1JsonContext.Default.DatasetResponse);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(wire, model), $"wire: {wire!.ToJsonString()}\nmodel: {model.ToJsonString()}");

        var ingestion = new IngestionApi(client);
        wire = System.Text.Json.Nodes.JsonNode.Parse(await raw.GetStringAsync($"{fixture.Server.Host}/api/v1/ingestion/jobs/{seeded.JobId}"));
        model = ClientFixture.Json(await ingestion.GetJobAsync(seeded.JobId), IrisV1JsonContext.Default.IngestJobResponse);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(wire, model), $"wire: {wire!.ToJsonString()}\nmodel: {model.ToJsonString()}");

        wire = System.Text.Json.Nodes.JsonNode.Parse(await raw.GetStringAsync($"{fixture.Server.Host}/api/v1/ingestion/jobs/{seeded.JobId}/status?limit=2"));
        model = ClientFixture.Json(await ingestion.GetJobStatusAsync(seeded.JobId, limit: 2), IrisV1JsonContext.Default.IngestJobStatusResponse);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(wire, model), $"wire: {wire!.ToJsonString()}\nmodel: {model.ToJsonString()}");

        wire = System.Text.Json.Nodes.JsonNode.Parse(await raw.GetStringAsync($"{fixture.Server.Host}/api/v1/ingestion/datasets/{seeded.DatasetId}/assets/status/summary"));
        model = ClientFixture.Json(await ingestion.GetDatasetAssetsStatusSummaryAsync(seeded.DatasetId), IrisV1JsonContext.Default.PagedAssetsStatusSummaryResponse);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(wire, model), $"wire: {wire!.ToJsonString()}\nmodel: {model.ToJsonString()}");

        wire = System.Text.Json.Nodes.JsonNode.Parse(await raw.GetStringAsync($"{fixture.Server.Host}/api/v1/ingestion/images/{seeded.ImageIds[1]}/status"));
        model = ClientFixture.Json(await ingestion.GetImageStatusAsync(seeded.ImageIds[1]), IrisV1JsonContext.Default.ImageAssetStatusResponse);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(wire, model), $"wire: {wire!.ToJsonString()}\nmodel: {model.ToJsonString()}");

        wire = System.Text.Json.Nodes.JsonNode.Parse(await raw.GetStringAsync($"{fixture.Server.Host}/api/v1/images/{seeded.ImageIds[1]}/events?limit=3"));
        model = ClientFixture.Json(await api.GetImageEventsAsync(seeded.ImageIds[1], limit: 3), IrisV1JsonContext.Default.ImageEventsResponse);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(wire, model), $"wire: {wire!.ToJsonString()}\nmodel: {model.ToJsonString()}");

        wire = System.Text.Json.Nodes.JsonNode.Parse(await raw.GetStringAsync($"{fixture.Server.Host}/api/v1/images/{seeded.ImageIds[1]}/duplicates?max_distance=64"));
        model = ClientFixture.Json(await api.GetDuplicatesAsync(seeded.ImageIds[1], maxDistance: 64), IrisV1JsonContext.Default.DuplicatesResponse);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(wire, model), $"wire: {wire!.ToJsonString()}\nmodel: {model.ToJsonString()}");
    }

    private async Task<bool> RouteExistsAsync(string route)
    {
        using var http = new HttpClient();
        var document = JsonDocument.Parse(await http.GetStringAsync(fixture.Server.Host + "/openapi/v1.json"));
        return document.RootElement.GetProperty("paths").TryGetProperty(route, out _);
    }

    private static bool IsImage(byte[] b) =>
        (b is [0xFF, 0xD8, ..]) || (b is [0x89, (byte)'P', (byte)'N', (byte)'G', ..])
        || (b.Length > 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P');

    private static string Json(AssetResponse a) => JsonSerializer.Serialize(a, IrisJsonContext.Default.AssetResponse);
}

/// <summary>Records the method of every request it passes on.</summary>
public sealed class RecordingHandler(List<HttpMethod> methods) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (methods) methods.Add(request.Method);
        return base.SendAsync(request, cancellationToken);
    }
}
