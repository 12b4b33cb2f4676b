using System.Net;
using System.Text;

namespace Iris.Client.Tests;

[Collection(ClientCollection.Name)]
public sealed class IngestionApiTests(ClientFixture fixture)
{
    private static readonly string[] Files = ["imaging/orientation_1.jpg", "imaging/flowers.png", "go-image/video-001.gif"];

    [Fact]
    public async Task A_job_of_three_images_completes_and_every_list_walks_all_its_pages()
    {
        // A fresh organization, so every list holds exactly what this test made.
        var credential = await fixture.Server.CreateClientAsync("ingestion-" + Guid.NewGuid().ToString("N")[..8]);
        using var client = fixture.NewClient(credential.AccessToken);
        var datasets = new DatasetApi(client);
        var ingestion = new IngestionApi(client);
        var images = new ImageApi(client);
        var dataset = await datasets.CreateDatasetAsync(ClientFixture.UniqueName("jobs"));
        var paths = Files.Select(ClientFixture.FileUri).ToArray();

        var job = await ingestion.CreateJobFromImagesAsync(new CreateIngestJobFromImagesRequest(dataset.Id,
            [.. paths.Select((p, i) => new IngestJobImage(p, new Dictionary<string, object?> { ["rank"] = i, ["source"] = "corpus" }))]));
        Assert.Equal(dataset.Id, job.DatasetId);
        Assert.Equal("assets", job.JobType);
        Assert.Equal(3, job.TotalAssets);
        Assert.Equal(credential.OrgId, job.OrgId);
        Assert.True(Guid.TryParse(job.Id, out _), job.Id);

        var heard = new List<IngestJobResponse>();
        var done = await ingestion.WaitForJobAsync(job.Id, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(60), new Recorder(heard));
        Assert.Equal(IngestJobStatus.Completed, done.Status);
        Assert.Equal(3, done.ProcessedAssets);
        Assert.Equal(0, done.ErroredAssets);
        Assert.Equal(3, done.TotalAssets);
        Assert.NotNull(done.FinishedDt);
        Assert.NotEmpty(heard);
        Assert.Equal(IngestJobStatus.Completed, heard[^1].Status);
        Assert.All(heard.Zip(heard.Skip(1)), p => Assert.True(p.Second.ProcessedAssets >= p.First.ProcessedAssets));

        // The job's assets, one per page.
        var assets = new List<AssetStatusResponse>();
        await foreach (var asset in ingestion.ListAllJobAssetsAsync(job.Id, pageSize: 1)) assets.Add(asset);
        Assert.Equal(paths, assets.Select(a => a.SourcePath));
        Assert.All(assets, a => Assert.Equal((ImageStatus.Completed, dataset.Id, "image"), (a.Status, a.DatasetId, a.AssetType)));
        Assert.Equal(3, assets.Select(a => a.AssetId).Distinct().Count());
        var page = await ingestion.GetJobStatusAsync(job.Id, offset: 1, limit: 1);
        Assert.Equal(IngestJobStatus.Completed, page.Data.Status);
        Assert.Equal(assets[1].AssetId, Assert.Single(page.Data.Assets!.Data).AssetId);
        Assert.Equal(3, page.Data.Assets.Meta.Page.Total);

        // A second job (the same paths again: the same images), so the job list has two pages of one.
        var again = await ingestion.CreateJobFromImagesAsync(dataset.Id, paths[..2]);
        var againDone = await ingestion.WaitForJobAsync(again.Id, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(60));
        Assert.Equal((IngestJobStatus.Completed, 2L), (againDone.Status, againDone.ProcessedAssets));
        var againAssets = new List<Guid>();
        await foreach (var asset in ingestion.ListAllJobAssetsAsync(again.Id)) againAssets.Add(asset.AssetId);
        Assert.Equal(assets.Take(2).Select(a => a.AssetId), againAssets);

        var jobs = new List<string>();
        await foreach (var j in ingestion.ListAllJobsAsync(pageSize: 1)) jobs.Add(j.Id);
        Assert.Equal([again.Id, job.Id], jobs); // newest first
        jobs.Clear();
        await foreach (var j in ingestion.ListAllJobsAsync(dataset.Id, IngestJobStatus.Completed, pageSize: 2)) jobs.Add(j.Id);
        Assert.Equal([again.Id, job.Id], jobs);
        Assert.Empty((await ingestion.ListJobsAsync(status: IngestJobStatus.Failed)).Jobs);
        var firstPage = await ingestion.ListJobsAsync(dataset.Id, limit: 1);
        Assert.Equal((2L, 1, 2), (firstPage.Meta!.Page.Total!.Value, firstPage.Meta.Page.CurrentPage, firstPage.Meta.Page.LastPage!.Value));

        // The dataset's statuses, two per page.
        var statuses = new List<AssetStatusResponse>();
        await foreach (var s in ingestion.ListAllDatasetAssetsStatusAsync(dataset.Id, pageSize: 2)) statuses.Add(s);
        // Oldest first; the images of one request in no particular order.
        Assert.Equal(paths.Order(StringComparer.Ordinal), statuses.Select(s => s.SourcePath).Order(StringComparer.Ordinal));
        Assert.All(statuses, s => Assert.Equal("completed", s.LatestEvent!.EventType));
        var completed = new List<Guid>();
        await foreach (var s in ingestion.ListAllDatasetAssetsStatusAsync(dataset.Id, AssetStatusFilter.Completed, pageSize: 1)) completed.Add(s.AssetId);
        Assert.Equal(statuses.Select(s => s.AssetId), completed);
        await foreach (var s in ingestion.ListAllDatasetAssetsStatusAsync(dataset.Id, AssetStatusFilter.Error)) Assert.Fail($"{s.SourcePath} is in error");
        var one = await ingestion.GetDatasetAssetsStatusAsync(dataset.Id, sourcePath: paths[2]);
        Assert.Equal(assets[2].AssetId, Assert.Single(one.Data).AssetId);
        var below = await ingestion.GetDatasetAssetsStatusAsync(dataset.Id, sourcePath: ClientFixture.FileUri("imaging/"));
        Assert.Equal(2, below.Data.Count);

        var summaries = new List<StatusSummaryResponse>();
        await foreach (var s in ingestion.ListAllDatasetAssetsStatusSummaryAsync(dataset.Id, pageSize: 2)) summaries.Add(s);
        Assert.Equal(statuses.Select(s => s.AssetId), summaries.Select(s => s.AssetId));
        Assert.All(summaries, s => Assert.Equal(ImageStatus.Completed, s.Status));

        var counts = await ingestion.GetDatasetAssetsStatusCountAsync(dataset.Id);
        Assert.Equal((3L, 0L, 0L, 3L), (counts.Count("completed"), counts.Count("error"), counts.Count("in_progress"), counts.Count("total")));

        var datasetStatus = await ingestion.GetDatasetStatusAsync(dataset.Id);
        Assert.Equal([again.Id, job.Id], datasetStatus.Data.Select(d => d.IngestJobId));
        Assert.All(datasetStatus.Data, d => Assert.Equal(IngestJobStatus.Completed, d.Status));

        // Each asset answers the image routes, v1 status and v0 metadata.
        for (var i = 0; i < assets.Count; i++)
        {
            var status = (await ingestion.GetImageStatusAsync(assets[i].AssetId)).Data;
            Assert.Equal((ImageStatus.Completed, paths[i]), (status.Status, status.SourcePath));
            var image = await images.GetMetadataForImageAsync(assets[i].AssetId);
            Assert.Equal((paths[i], dataset.Id, ImageStatus.Completed), (image.Path, image.DatasetId, image.Status));
            Assert.Equal(i, image.Metadata!["rank"].GetInt32());
            Assert.Equal("corpus", image.Metadata["source"].GetString());
            Assert.NotNull(image.TechnicalMetadata);
        }
        Assert.Equal(3, (await datasets.GetDatasetAsync(dataset.Id)).ImageCount);

        // And the datasets, one per page.
        var second = await datasets.CreateDatasetAsync(ClientFixture.UniqueName("jobs2"));
        var listed = new List<Guid>();
        await foreach (var d in datasets.ListAllDatasetsAsync(pageSize: 1)) listed.Add(d.Id);
        Assert.Equal([dataset.Id, second.Id], listed);
    }

    [Fact]
    public async Task Images_that_fail_are_counted_as_errored_with_their_reasons()
    {
        using var client = fixture.NewClient();
        var ingestion = new IngestionApi(client);
        var dataset = await new DatasetApi(client).CreateDatasetAsync(ClientFixture.UniqueName("failing"));
        var good = ClientFixture.FileUri("imaging/branches.png");
        var broken = ClientFixture.FileUri("exif-fragments/2004-01-11-22-45-15-sep-2004-01-11-22-45-15a.jpg");
        const string unsupported = "ftp://example.invalid/a.jpg";

        var job = await ingestion.CreateJobFromAssetsAsync(new CreateIngestJobFromAssetsRequest(dataset.Id,
        [
            new IngestJobAsset(good, new Dictionary<string, object?> { ["n"] = 1.5, ["ok"] = true, ["when"] = new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.Zero) }, "image"),
            new IngestJobAsset(broken),
            new IngestJobAsset(unsupported, AssetType: "unspecified"),
        ]));
        var done = await ingestion.WaitForJobAsync(job.Id, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(60));
        Assert.Equal(IngestJobStatus.Completed, done.Status); // the job ran; two of its images did not make it
        Assert.Equal((1L, 2L, 3L), (done.ProcessedAssets, done.ErroredAssets, done.TotalAssets!.Value));

        var errors = new List<AssetStatusResponse>();
        await foreach (var s in ingestion.ListAllDatasetAssetsStatusAsync(dataset.Id, AssetStatusFilter.Error, pageSize: 1)) errors.Add(s);
        Assert.Equal([broken, unsupported], errors.Select(e => e.SourcePath).Order(StringComparer.Ordinal));
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.ErrorReason)));
        Assert.Equal("unsupported_uri_scheme", errors.Single(e => e.SourcePath == unsupported).ErrorCode);
        var counts = await ingestion.GetDatasetAssetsStatusCountAsync(dataset.Id);
        Assert.Equal((1L, 2L, 3L), (counts.Count("completed"), counts.Count("error"), counts.Count("total")));

        var goodId = Assert.Single((await ingestion.GetDatasetAssetsStatusAsync(dataset.Id, sourcePath: good)).Data).AssetId;
        var image = await new ImageApi(client).GetMetadataForImageAsync(goodId);
        Assert.True(image.Metadata!["ok"].GetBoolean());
        Assert.Equal(1.5, image.Metadata["n"].GetDouble());

        // Errors of the requests themselves.
        var missingDataset = await Assert.ThrowsAsync<ApiException>(() => ingestion.CreateJobFromImagesAsync(Guid.NewGuid(), [good]));
        Assert.Equal(404, missingDataset.StatusCode);
        var nested = await Assert.ThrowsAsync<ApiException>(() => ingestion.CreateJobFromImagesAsync(new CreateIngestJobFromImagesRequest(dataset.Id,
            [new IngestJobImage(good, new Dictionary<string, object?> { ["nested"] = new Dictionary<string, object?> { ["a"] = 1 } })])));
        Assert.Equal(422, nested.StatusCode);
        Assert.Equal(new object[] { "body", "images", 0, "metadata" }, nested.ValidationErrors[0].Loc.Take(4));
        var video = await Assert.ThrowsAsync<ApiException>(() => ingestion.CreateJobFromAssetsAsync(
            new CreateIngestJobFromAssetsRequest(dataset.Id, [new IngestJobAsset(good, AssetType: "video")])));
        Assert.Equal(new object[] { "body", "assets", 0, "asset_type" }, Assert.Single(video.ValidationErrors).Loc);
        Assert.Equal(404, (await Assert.ThrowsAsync<ApiException>(() => ingestion.GetJobAsync(Guid.NewGuid().ToString()))).StatusCode);
        Assert.Equal(404, (await Assert.ThrowsAsync<ApiException>(() => ingestion.GetJobStatusAsync("not-a-job"))).StatusCode);
        Assert.Equal(404, (await Assert.ThrowsAsync<ApiException>(() => ingestion.GetImageStatusAsync(Guid.NewGuid()))).StatusCode);
        Assert.Equal(404, (await Assert.ThrowsAsync<ApiException>(() => ingestion.GetDatasetAssetsStatusCountAsync(Guid.NewGuid()))).StatusCode);
        var badFilter = await Assert.ThrowsAsync<ApiException>(() => ingestion.GetDatasetAssetsStatusAsync(dataset.Id, filter: "lost"));
        Assert.Equal(new object[] { "query", "filter" }, Assert.Single(badFilter.ValidationErrors).Loc);
        await Assert.ThrowsAsync<ArgumentException>(() => ingestion.GetJobAsync(".."));
    }

    [Fact]
    public async Task A_bucket_job_ingests_a_folder_and_a_file_job_a_manifest()
    {
        using var client = fixture.NewClient();
        var ingestion = new IngestionApi(client);
        var dataset = await new DatasetApi(client).CreateDatasetAsync(ClientFixture.UniqueName("bucket"));
        var folder = ClientFixture.Corpus("imaging");
        var expected = Directory.GetFiles(folder).Select(f => "file://" + f).Order(StringComparer.Ordinal).ToList();

        var bucket = await ingestion.CreateJobFromBucketAsync(dataset.Id, "file://" + folder + "/");
        Assert.Equal("bucket", bucket.JobType);
        Assert.Equal(expected.Count, bucket.TotalAssets);
        var done = await ingestion.WaitForJobAsync(bucket.Id, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(120));
        Assert.Equal(expected.Count, done.ProcessedAssets + done.ErroredAssets);
        var listed = new List<string>();
        await foreach (var asset in ingestion.ListAllJobAssetsAsync(bucket.Id, pageSize: 5)) listed.Add(asset.SourcePath!);
        Assert.Equal(expected, listed.Order(StringComparer.Ordinal));

        var unlistable = await Assert.ThrowsAsync<ApiException>(() => ingestion.CreateJobFromBucketAsync(dataset.Id, "http://example.invalid/folder/"));
        Assert.Equal(422, unlistable.StatusCode);
        Assert.Equal(new object[] { "body", "path" }, Assert.Single(unlistable.ValidationErrors).Loc);

        // A CSV manifest of two images, one of them already in the dataset.
        var csv = Path.Combine(fixture.ScratchDir, $"{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(csv, $"source_path\n{expected[0]}\n{ClientFixture.FileUri("go-image/video-001.png")}\n", Encoding.UTF8);
        var file = await ingestion.CreateJobFromFileAsync(dataset.Id, "file://" + csv, ManifestFileType.Csv);
        Assert.Equal(("file", "file://" + csv), (file.JobType, file.FilePath));
        var fileDone = await ingestion.WaitForJobAsync(file.Id, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(60));
        Assert.Equal((IngestJobStatus.Completed, 2L, 0L), (fileDone.Status, fileDone.ProcessedAssets, fileDone.ErroredAssets));

        var bad = await Assert.ThrowsAsync<ApiException>(() => ingestion.CreateJobFromFileAsync(dataset.Id, "file://" + csv + ".missing"));
        Assert.Equal(422, bad.StatusCode);
    }

    [Fact]
    public async Task A_metadata_job_upserts_overwrites_and_removes_by_id_or_path()
    {
        var seeded = await fixture.SeededAsync();
        using var client = fixture.NewClient();
        var ingestion = new IngestionApi(client);
        var images = new ImageApi(client);
        var dataset = await new DatasetApi(client).CreateDatasetAsync(ClientFixture.UniqueName("meta"));
        var paths = new[] { ClientFixture.FileUri("imaging/orientation_2.jpg"), ClientFixture.FileUri("imaging/orientation_3.jpg") };
        var added = await ingestion.CreateJobFromImagesAsync(new CreateIngestJobFromImagesRequest(dataset.Id,
            [.. paths.Select(p => new IngestJobImage(p, new Dictionary<string, object?> { ["label"] = "old", ["keep"] = 1 }))]));
        await ingestion.WaitForJobAsync(added.Id, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(60));
        var ids = new List<Guid>();
        await foreach (var a in ingestion.ListAllJobAssetsAsync(added.Id)) ids.Add(a.AssetId);

        var upsert = await ingestion.CreateJobForMetadataAsync(new CreateIngestJobForMetadataRequest(dataset.Id,
        [
            new ExistingAssetMetadataUpdate(ids[0], null, new Dictionary<string, object?> { ["label"] = "first" }),
            new ExistingAssetMetadataUpdate(null, paths[1], new Dictionary<string, object?> { ["label"] = "second", ["rank"] = 2 }),
            new ExistingAssetMetadataUpdate(seeded.ImageIds[0], null, new Dictionary<string, object?> { ["x"] = 1 }), // another dataset's image
        ], MetadataUpdateType.Upsert));
        Assert.Equal("metadata", upsert.JobType);
        Assert.Equal((IngestJobStatus.Completed, 2L, 1L), (upsert.Status, upsert.ProcessedAssets, upsert.ErroredAssets));
        var second = await images.GetMetadataForImageAsync(ids[1]);
        Assert.Equal(("second", 2, 1), (second.Metadata!["label"].GetString(), second.Metadata["rank"].GetInt32(), second.Metadata["keep"].GetInt32()));
        Assert.False((await images.GetMetadataForImageAsync(seeded.ImageIds[0])).Metadata!.ContainsKey("x"));

        await ingestion.CreateJobForMetadataAsync(new CreateIngestJobForMetadataRequest(dataset.Id,
            [new ExistingAssetMetadataUpdate(ids[0], null, new Dictionary<string, object?> { ["only"] = true })], MetadataUpdateType.Overwrite));
        Assert.Equal(["only"], (await images.GetMetadataForImageAsync(ids[0])).Metadata!.Keys);

        await ingestion.CreateJobForMetadataAsync(new CreateIngestJobForMetadataRequest(dataset.Id,
            [new ExistingAssetMetadataUpdate(ids[1], null, new Dictionary<string, object?> { ["rank"] = "", ["keep"] = "" })], MetadataUpdateType.Remove)); // values do not matter
        Assert.Equal(["label"], (await images.GetMetadataForImageAsync(ids[1])).Metadata!.Keys);
    }

    [Fact]
    public async Task WaitForJob_gives_up_after_the_timeout_with_the_last_counters()
    {
        var handler = new JobStub("""
            {"id":"job-1","org_id":"org","dataset_id":"556f4d52-a557-461e-a204-69236fd9c1e2","connection_name":null,"job_type":"assets",
             "details":{"assets":[]},"request_type":"submit","source_type":"image","file_path":null,"created_dt":"2026-11-28T15:11:45.456777Z",
             "updated_dt":null,"started_dt":null,"finished_dt":null,"status":"in_progress","total_assets":10,"processed_assets":4,
             "errored_assets":1,"error_details":null,"request_id":null}
            """);
        using var http = new HttpClient(handler);
        using var client = new ApiClient(http, new Configuration { Host = "http://iris.invalid", AccessToken = "id:secret" });
        var heard = new List<IngestJobResponse>();

        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            new IngestionApi(client).WaitForJobAsync("job-1", TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200), new Recorder(heard)));

        Assert.Contains("job-1", error.Message);
        Assert.Contains("4 processed, 1 errored of 10", error.Message);
        Assert.True(heard.Count >= 2, $"{heard.Count} answers heard");
        Assert.All(handler.Paths, p => Assert.Equal("/api/v1/ingestion/jobs/job-1", p));
        Assert.Equal(4, heard[0].ProcessedAssets);
        Assert.Equal("assets", heard[0].Details!.Value.EnumerateObject().Single().Name);
    }

    [Fact]
    public async Task Filters_and_paging_go_into_the_query_string()
    {
        var handler = new JobStub("""{"meta":{"page":{"current_page":1,"last_page":1,"limit":5,"offset":0,"total":0}},"data":[]}""");
        using var http = new HttpClient(handler);
        using var client = new ApiClient(http, new Configuration { Host = "http://iris.invalid/prefix" });
        var id = Guid.Parse("556f4d52-a557-461e-a204-69236fd9c1e2");

        await new DatasetApi(client).ListDatasetsAsync(5, 10, new DatasetFilters
        {
            Status = [DatasetStatus.Active, DatasetStatus.Inactive],
            NamePattern = "a b&c",
            DatasetIds = [id],
            StoreOriginal = false,
            CreatedAfter = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(1)),
        });
        await new IngestionApi(client).GetDatasetAssetsStatusSummaryAsync(id, AssetStatusFilter.InProgress, 20, 5);
        await foreach (var _ in new IngestionApi(client).ListAllDatasetAssetsStatusAsync(id, pageSize: 5)) { }

        Assert.Equal(
        [
            "/prefix/api/v1/datasets?skip=5&limit=10&dataset_ids=556f4d52-a557-461e-a204-69236fd9c1e2&status=active&status=inactive&name_pattern=a%20b%26c&store_original=false&created_after=2026-01-02T02%3A04%3A05.000000Z",
            "/prefix/api/v1/ingestion/datasets/556f4d52-a557-461e-a204-69236fd9c1e2/assets/status/summary?filter=in_progress&offset=20&limit=5",
            "/prefix/api/v1/ingestion/datasets/556f4d52-a557-461e-a204-69236fd9c1e2/assets/status?offset=0&limit=5",
        ], handler.Paths);
    }

    private sealed class Recorder(List<IngestJobResponse> heard) : IProgress<IngestJobResponse>
    {
        public void Report(IngestJobResponse value)
        {
            lock (heard) heard.Add(value);
        }
    }

    /// <summary>Answers every request with the same JSON and records the paths asked.</summary>
    private sealed class JobStub(string json) : HttpMessageHandler
    {
        public List<string> Paths { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Paths) Paths.Add(request.RequestUri!.PathAndQuery);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
        }
    }
}
