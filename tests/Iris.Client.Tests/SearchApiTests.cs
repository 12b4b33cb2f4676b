using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Client.Tests;

/// <summary>
/// SearchApi against the real server: a search by image, by file and with metadata filters ranks the same picture
/// first; a private URL, an unknown id and a dataset without embeddings surface as ApiExceptions with the server's
/// reasons; an embeddings job makes such a dataset searchable.
/// </summary>
[Collection(ClientCollection.Name)]
public sealed class SearchApiTests(ClientFixture fixture)
{
    private const string Original = "imaging/branches.jpg";
    private const string Copy = "imaging/branches.png"; // the same picture as a PNG
    private static readonly string[] Others = ["imaging/flowers.png", "go-image/video-001.jpeg", "x-image/blue-purple-pink.png"];

    private static readonly SemaphoreSlim SetLock = new(1, 1);
    private static SearchSet? _set;

    private sealed record SearchSet(Guid DatasetId, Dictionary<string, Guid> Ids);

    /// <summary>A dataset of the photo, its copy and three other pictures (metadata <c>kind</c>: original, copy, other), made once.</summary>
    private async Task<SearchSet> SetAsync()
    {
        await SetLock.WaitAsync();
        try
        {
            if (_set is not null) return _set;
            using var client = fixture.NewClient();
            var ingestion = new IngestionApi(client);
            var dataset = await new DatasetApi(client).CreateDatasetAsync(ClientFixture.UniqueName("search"));
            var files = new[] { Original, Copy }.Concat(Others).ToArray();
            string Kind(string f) => f == Original ? "original" : f == Copy ? "copy" : "other";
            var job = await ingestion.CreateJobFromImagesAsync(new CreateIngestJobFromImagesRequest(dataset.Id,
                [.. files.Select(f => new IngestJobImage(ClientFixture.FileUri(f), new Dictionary<string, object?> { ["kind"] = Kind(f) }))]));
            var done = await ingestion.WaitForJobAsync(job.Id, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(120));
            Assert.Equal((IngestJobStatus.Completed, (long)files.Length, 0L), (done.Status, done.ProcessedAssets, done.ErroredAssets));
            var ids = new Dictionary<string, Guid>();
            await foreach (var asset in ingestion.ListAllJobAssetsAsync(job.Id)) ids[asset.SourcePath!] = asset.AssetId;
            return _set = new SearchSet(dataset.Id, files.ToDictionary(f => f, f => ids[ClientFixture.FileUri(f)]));
        }
        finally
        {
            SetLock.Release();
        }
    }

    private static void AssertBestFirst(ImageSearchResponse response)
    {
        foreach (var hit in response.Data) Assert.InRange(hit.Score, -1.0, 1.0);
        Assert.All(response.Data.Zip(response.Data.Skip(1)), p => Assert.True(p.First.Score >= p.Second.Score, $"{p.First.Score} < {p.Second.Score}"));
    }

    [Fact]
    public async Task A_search_by_image_finds_its_copy_first_and_pages_through_the_same_ranking()
    {
        var set = await SetAsync();
        using var client = fixture.NewClient();
        var search = new SearchApi(client);

        var all = await search.SearchByImageAsync(set.DatasetId, set.Ids[Original]);
        AssertBestFirst(all);
        Assert.Equal(1 + Others.Length, all.Data.Count); // every image but the query itself
        Assert.DoesNotContain(all.Data, h => h.CoactiveImageId == set.Ids[Original]);
        var first = all.Data[0];
        Assert.Equal((set.Ids[Copy], ClientFixture.FileUri(Copy)), (first.CoactiveImageId, first.Path));
        Assert.Equal("copy", first.Metadata!["kind"].GetString());
        Assert.Equal(fixture.Server.Credential.ClientId, first.CreatedUserId);
        Assert.NotEqual(default, first.CreatedDt);
        Assert.Null(first.ModerationScore);
        Assert.True(first.Score > all.Data[1].Score, "The copy should score above every other picture.");

        var page = await search.SearchByImageAsync(set.DatasetId, set.Ids[Original], limit: 2, offset: 1);
        Assert.Equal(all.Data.Skip(1).Take(2).Select(h => h.CoactiveImageId), page.Data.Select(h => h.CoactiveImageId));

        // The full request: a metadata filter and the same answer as the convenience call.
        var others = await search.SearchImageToImageAsync(new ImageSearchRequest(set.DatasetId)
        {
            CoactiveImageId = set.Ids[Original],
            MetadataFilters = new MetadataFilters(MetadataFilter.Equal("kind", "other")),
            Limit = 10,
        });
        Assert.Equal(Others.Select(o => set.Ids[o]).Order(), others.Data.Select(h => h.CoactiveImageId).Order());
        var notOthers = await search.SearchByImageAsync(set.DatasetId, set.Ids[Original], filters: new MetadataFilters(MetadataFilter.NotEqual("kind", "other")));
        Assert.Equal([set.Ids[Copy]], notOthers.Data.Select(h => h.CoactiveImageId));
        var videos = await search.SearchImageToImageAsync(new ImageSearchRequest(set.DatasetId) { CoactiveImageId = set.Ids[Original], AssetType = "video" });
        Assert.Empty(videos.Data);
    }

    [Fact]
    public async Task A_search_by_file_finds_the_same_picture_first_and_takes_filters_in_the_form()
    {
        var set = await SetAsync();
        using var client = fixture.NewClient();
        var search = new SearchApi(client);

        await using (var file = File.OpenRead(ClientFixture.Corpus(Original)))
        {
            var hits = await search.SearchByFileAsync(set.DatasetId, file, "query.jpg", limit: 2, contentType: "image/jpeg");
            AssertBestFirst(hits);
            Assert.Equal([set.Ids[Original], set.Ids[Copy]], hits.Data.Select(h => h.CoactiveImageId));
            Assert.True(hits.Data[0].Score > 0.99, $"The same file should score about 1, not {hits.Data[0].Score}.");
        }
        await using (var file = File.OpenRead(ClientFixture.Corpus(Original)))
        {
            var others = await search.SearchByFileAsync(set.DatasetId, file, "query.jpg", limit: 10, offset: 0,
                filters: new MetadataFilters(MetadataFilter.Equal("kind", "other")));
            Assert.Equal(Others.Select(o => set.Ids[o]).Order(), others.Data.Select(h => h.CoactiveImageId).Order());
        }
        await using (var text = new MemoryStream("not an image"u8.ToArray()))
        {
            var e = await Assert.ThrowsAsync<ApiException>(() => search.SearchByFileAsync(set.DatasetId, text, "query.jpg"));
            Assert.Equal(422, e.StatusCode);
            Assert.Equal(["body", "file"], Assert.Single(e.ValidationErrors).Loc.Select(p => p.ToString()));
        }
    }

    [Fact]
    public async Task A_public_url_to_a_private_address_is_a_validation_error_at_public_url()
    {
        var set = await SetAsync();
        using var client = fixture.NewClient();
        var e = await Assert.ThrowsAsync<ApiException>(() => new SearchApi(client).SearchByUrlAsync(set.DatasetId, "http://127.0.0.1:9/photo.jpg"));
        Assert.Equal(422, e.StatusCode);
        var error = Assert.Single(e.ValidationErrors);
        Assert.Equal(["body", "public_url"], error.Loc.Select(p => p.ToString()));
        Assert.Equal("permission_denied", error.Type);
        Assert.Contains("--allow-private-network", error.Msg);
        Assert.Equal("body.public_url", error.Where());
    }

    [Fact]
    public async Task Unknown_datasets_and_images_are_404s_and_bad_values_422s()
    {
        var set = await SetAsync();
        using var client = fixture.NewClient();
        var search = new SearchApi(client);

        var dataset = await Assert.ThrowsAsync<ApiException>(() => search.SearchByImageAsync(Guid.NewGuid(), set.Ids[Original]));
        Assert.Equal((404, "Dataset not found"), (dataset.StatusCode, dataset.Detail));
        var image = await Assert.ThrowsAsync<ApiException>(() => search.SearchByImageAsync(set.DatasetId, Guid.NewGuid()));
        Assert.Equal((404, "Image not found"), (image.StatusCode, image.Detail));
        var embeddings = await Assert.ThrowsAsync<ApiException>(() => search.StartEmbeddingsJobAsync(Guid.NewGuid()));
        Assert.Equal((404, "Dataset not found"), (embeddings.StatusCode, embeddings.Detail));

        var limit = await Assert.ThrowsAsync<ApiException>(() => search.SearchByImageAsync(set.DatasetId, set.Ids[Original], limit: SearchApi.MaxLimit + 1));
        Assert.Equal(["body", "limit"], Assert.Single(limit.ValidationErrors).Loc.Select(p => p.ToString()));
        var window = await Assert.ThrowsAsync<ApiException>(() => search.SearchByImageAsync(set.DatasetId, set.Ids[Original], limit: 100, offset: SearchApi.MaxWindow - 10));
        Assert.Equal(["body", "offset"], Assert.Single(window.ValidationErrors).Loc.Select(p => p.ToString()));
    }

    [Fact]
    public async Task A_dataset_without_embeddings_is_searchable_after_an_embeddings_job()
    {
        using var client = fixture.NewClient();
        var datasets = new DatasetApi(client);
        var ingestion = new IngestionApi(client);
        var search = new SearchApi(client);
        Assert.Contains(EncoderNames.None, EncoderNames.All);
        Assert.DoesNotContain(EncoderNames.None, EncoderNames.Embedding);

        var dataset = await datasets.CreateDatasetAsync(ClientFixture.UniqueName("plain"), EncoderNames.None);
        Assert.Equal(EncoderNames.None, Assert.Single(dataset.Encoders).Name);
        var files = new[] { Original, Copy, Others[0] };
        var added = await ingestion.CreateJobFromImagesAsync(dataset.Id, files.Select(ClientFixture.FileUri));
        Assert.Equal(IngestJobStatus.Completed, (await ingestion.WaitForJobAsync(added.Id, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(60))).Status);
        var ids = new Dictionary<string, Guid>();
        await foreach (var asset in ingestion.ListAllJobAssetsAsync(added.Id)) ids[asset.SourcePath!] = asset.AssetId;
        var query = ids[ClientFixture.FileUri(Original)];

        var refused = await Assert.ThrowsAsync<ApiException>(() => search.SearchByImageAsync(dataset.Id, query));
        Assert.Equal(422, refused.StatusCode);
        var why = Assert.Single(refused.ValidationErrors);
        Assert.Equal(["body", "dataset_id"], why.Loc.Select(p => p.ToString()));
        Assert.Contains("embeddings job", why.Msg);

        var wrong = await Assert.ThrowsAsync<ApiException>(() => search.StartEmbeddingsJobAsync(dataset.Id, EncoderNames.None));
        Assert.Equal(["body", "encoder_name"], Assert.Single(wrong.ValidationErrors).Loc.Select(p => p.ToString()));

        var job = await search.StartEmbeddingsJobAsync(dataset.Id, "resnet-50");
        Assert.Equal((dataset.Id, "unspecified", 3L), (job.DatasetId, job.JobType, job.TotalAssets));
        Assert.Equal("resnet-50", job.Details!.Value.GetProperty("embeddings").GetProperty("encoder_name").GetString());
        var done = await ingestion.WaitForJobAsync(job.Id, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(60));
        Assert.Equal((IngestJobStatus.Completed, 3L, 0L), (done.Status, done.ProcessedAssets, done.ErroredAssets));
        Assert.Equal("resnet-50", Assert.Single((await datasets.GetDatasetAsync(dataset.Id)).Encoders).Name);

        var hits = await search.SearchByImageAsync(dataset.Id, query);
        Assert.Equal([ClientFixture.FileUri(Copy), ClientFixture.FileUri(Others[0])], hits.Data.Select(h => h.Path));

        // Nothing is left to embed: a second job (the dataset's encoder kept) is finished in the answer.
        var again = await search.StartEmbeddingsJobAsync(dataset.Id);
        Assert.Equal((IngestJobStatus.Completed, 0L), (again.Status, again.TotalAssets));
    }

    [Fact]
    public async Task AddIrisClient_registers_SearchApi()
    {
        var set = await SetAsync();
        var services = new ServiceCollection();
        services.AddIrisClient(c =>
        {
            c.Host = fixture.Server.Host;
            c.AccessToken = fixture.Server.Credential.AccessToken;
        });
        await using var provider = services.BuildServiceProvider();
        var hits = await provider.GetRequiredService<SearchApi>().SearchByImageAsync(set.DatasetId, set.Ids[Original], limit: 1);
        Assert.Equal(set.Ids[Copy], Assert.Single(hits.Data).CoactiveImageId);
    }

    [Fact]
    public void Requests_are_snake_case_and_leave_out_what_is_not_given()
    {
        var datasetId = Guid.NewGuid();
        var json = ClientFixture.Json(new ImageSearchRequest(datasetId)
        {
            PublicUrl = "https://example.com/a.jpg",
            MetadataFilters = new MetadataFilters(
                MetadataFilter.Equal("flag", true),
                MetadataFilter.InRange("taken", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), null)),
        }, IrisV1JsonContext.Default.ImageSearchRequest);
        var expected = JsonNode.Parse($$$"""
            {"dataset_id": "{{{datasetId}}}", "public_url": "https://example.com/a.jpg", "metadata_filters": {"filters": [
              {"key": "flag", "operator": "==", "value": true},
              {"key": "taken", "operator": "DateTimeRangeInclusive", "start_utc_epoch": 1700000000}]}}
            """);
        Assert.True(JsonNode.DeepEquals(expected, json), json.ToJsonString());
        Assert.Equal("{}", ClientFixture.Json(new StartEmbeddingsRequest(null), IrisV1JsonContext.Default.StartEmbeddingsRequest).ToJsonString());
    }
}
