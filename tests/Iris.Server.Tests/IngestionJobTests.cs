using System.Text.Json.Nodes;
using Iris.Testing;

namespace Iris.Server.Tests;

/// <summary>
/// Coactive's ingest jobs and statuses against the real server, every answer validated against Coactive's document:
/// the sequence a client relies on (create dataset, ingest, poll the job to completed with exact counts, list the
/// assets, read each one's v0 metadata), each job type, and bad input on every route.
/// </summary>
[Collection(IrisServerCollection.Name)]
public sealed class IngestionJobTests(ServerFixture server)
{
    private IrisHttp Http => server.Http;

    private async Task<JsonNode> ValidOk(string method, string template, Task<ApiResponse> request, int status = 200)
    {
        var r = await request;
        Assert.True(r.Code == status, $"{method} {template}: expected {status}: {r}");
        CoactiveDocument.AssertResponse(method, template, status, r.Text);
        return r.Json;
    }

    private Task<JsonNode> GetJobAsync(string jobId) =>
        ValidOk("GET", "/api/v1/ingestion/jobs/{ingest_job_id}", Http.GetAsync($"/api/v1/ingestion/jobs/{jobId}"));

    /// <summary>Polls the job until it is completed or failed; every answer on the way is valid and its counts never go back.</summary>
    private async Task<JsonNode> WaitForJobAsync(string jobId)
    {
        var deadline = DateTime.UtcNow + IrisHttp.TerminalTimeout;
        long lastDone = 0;
        while (true)
        {
            var job = await GetJobAsync(jobId);
            var total = job["total_assets"]!.GetValue<long>();
            var done = job["processed_assets"]!.GetValue<long>() + job["errored_assets"]!.GetValue<long>();
            Assert.True(done <= total, $"more assets done than the job has: {job.ToJsonString()}");
            Assert.True(done >= lastDone, $"the job's counts went back from {lastDone}: {job.ToJsonString()}");
            lastDone = done;
            var status = IrisHttp.Str(job["status"]);
            Assert.True(done < total || status is "completed" or "failed", $"every asset done but the job is {status}: {job.ToJsonString()}");
            if (status is "completed" or "failed") return job;
            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} did not finish: {job.ToJsonString()}");
            await Task.Delay(IrisHttp.PollInterval);
        }
    }

    [Fact]
    public async Task Create_dataset_ingest_poll_list_and_read_every_asset()
    {
        var dataset = await ValidOk("POST", "/api/v1/datasets", Http.PostAsync("/api/v1/datasets",
            new JsonObject { ["name"] = Names.Unique("sequence"), ["encoder_name"] = "multimodal" }));
        var datasetId = IrisHttp.Str(dataset["id"]);
        var good = new[] { "imaging/orientation_1.jpg", "imaging/orientation_2.jpg", "imaging/branches.png", "imaging/flowers.png" }
            .Select(server.CorpusUri).ToList();
        var missing = ServerFixture.FileUri(Path.Combine(server.FilesDir, "missing.jpg"));
        var images = new JsonArray();
        foreach (var path in good) images.Add(new JsonObject { ["source_path"] = path, ["metadata"] = new JsonObject { ["camera"] = "x", ["n"] = 3 } });
        images.Add(new JsonObject { ["source_path"] = missing });
        images.Add(new JsonObject { ["source_path"] = server.CorpusUri("imaging/../imaging/orientation_1.jpg") }); // the same file again

        var created = await ValidOk("POST", "/api/v1/ingestion/images", Http.PostAsync("/api/v1/ingestion/images",
            new JsonObject { ["dataset_id"] = datasetId, ["images"] = images, ["connection_name"] = "local" }));
        var jobId = IrisHttp.Str(created["id"]);
        Assert.Equal("assets", IrisHttp.Str(created["job_type"]));
        Assert.Equal(datasetId, IrisHttp.Str(created["dataset_id"]));
        Assert.Equal("local", IrisHttp.Str(created["connection_name"]));
        Assert.Equal(5, created["total_assets"]!.GetValue<int>()); // one file spelled twice is one asset
        Assert.Contains(IrisHttp.Str(created["status"]), new[] { "pending", "in_progress", "completed" });
        var assetIds = created["details"]!["assets"]!.AsArray().Select(a => IrisHttp.Str(a!["asset_id"])).ToList();
        Assert.Equal(5, assetIds.Distinct().Count());

        var job = await WaitForJobAsync(jobId);
        Assert.Equal("completed", IrisHttp.Str(job["status"]));
        Assert.Equal(4, job["processed_assets"]!.GetValue<int>());
        Assert.Equal(1, job["errored_assets"]!.GetValue<int>());
        var started = Expect.Timestamp(job["started_dt"], "started_dt");
        Assert.True(Expect.Timestamp(job["finished_dt"], "finished_dt") >= started);
        Assert.Equal(IrisHttp.Str(created["created_dt"]), IrisHttp.Str(job["created_dt"]));

        // The job's assets, a page of 2 at a time.
        var seen = new List<string>();
        for (var offset = 0; ; offset += 2)
        {
            var page = await ValidOk("GET", "/api/v1/ingestion/jobs/{ingest_job_id}/status",
                Http.GetAsync($"/api/v1/ingestion/jobs/{jobId}/status?offset={offset}&limit=2"));
            Assert.Equal("completed", IrisHttp.Str(page["data"]!["status"]));
            Assert.Equal(5, page["data"]!["assets"]!["meta"]!["page"]!["total"]!.GetValue<int>());
            var data = page["data"]!["assets"]!["data"]!.AsArray();
            if (data.Count == 0) break;
            seen.AddRange(data.Select(a => IrisHttp.Str(a!["asset_id"])));
        }
        Assert.Equal(assetIds, seen);

        // Summary lists every asset; the counts agree; each asset answers on v0 and on the image status route.
        var summary = await ValidOk("GET", "/api/v1/ingestion/datasets/{dataset_id}/assets/status/summary",
            Http.GetAsync($"/api/v1/ingestion/datasets/{datasetId}/assets/status/summary"));
        Assert.Equal(assetIds.Order(), summary["data"]!.AsArray().Select(a => IrisHttp.Str(a!["asset_id"])).Order());
        var counts = await ValidOk("GET", "/api/v1/ingestion/datasets/{dataset_id}/assets/status/count",
            Http.GetAsync($"/api/v1/ingestion/datasets/{datasetId}/assets/status/count"));
        Expect.JsonEqual(JsonNode.Parse("""{"completed": 4, "error": 1, "in_progress": 0, "pending": 0, "processing_started": 0, "total": 5}"""), counts["data"]);
        foreach (var assetId in assetIds)
        {
            var v0 = await Http.GetImageAsync(assetId);
            Assert.Equal(datasetId, IrisHttp.Str(v0["datasetId"]));
            var status = await ValidOk("GET", "/api/v1/ingestion/images/{asset_id}/status", Http.GetAsync($"/api/v1/ingestion/images/{assetId}/status"));
            Assert.Equal(IrisHttp.Str(v0["status"]), IrisHttp.Str(status["data"]!["status"]));
            Assert.Equal(IrisHttp.Str(v0["path"]), IrisHttp.Str(status["data"]!["source_path"]));
        }

        // Filters and source_path on the assets status route.
        var errors = await ValidOk("POST", "/api/v1/ingestion/datasets/{dataset_id}/assets/status",
            Http.PostAsync($"/api/v1/ingestion/datasets/{datasetId}/assets/status?filter=error", new JsonObject()));
        var error = Assert.Single(errors["data"]!.AsArray())!;
        Assert.Equal("file_not_found", IrisHttp.Str(error["error_code"]));
        Assert.Equal(missing, IrisHttp.Str(error["source_path"]));
        Assert.Equal("error", IrisHttp.Str(error["latest_event"]!["event_type"]));
        var one = await ValidOk("POST", "/api/v1/ingestion/datasets/{dataset_id}/assets/status",
            Http.PostAsync($"/api/v1/ingestion/datasets/{datasetId}/assets/status", new JsonObject { ["source_path"] = good[2] }));
        Assert.Equal(good[2], IrisHttp.Str(Assert.Single(one["data"]!.AsArray())!["source_path"]));
        var below = await ValidOk("POST", "/api/v1/ingestion/datasets/{dataset_id}/assets/status",
            Http.PostAsync($"/api/v1/ingestion/datasets/{datasetId}/assets/status?filter=completed&limit=10", new JsonObject { ["source_path"] = server.CorpusUri("imaging/") }));
        Assert.Equal(4, below["data"]!.AsArray().Count);
        var inProgress = await ValidOk("POST", "/api/v1/ingestion/datasets/{dataset_id}/assets/status",
            Http.SendJsonAsync(HttpMethod.Post, $"/api/v1/ingestion/datasets/{datasetId}/assets/status?filter=in_progress", "null"));
        Assert.Empty(inProgress["data"]!.AsArray());

        // The dataset's jobs, and the organization's jobs by dataset and status.
        var datasetStatus = await ValidOk("GET", "/api/v1/ingestion/datasets/{dataset_id}/status", Http.GetAsync($"/api/v1/ingestion/datasets/{datasetId}/status"));
        var info = Assert.Single(datasetStatus["data"]!.AsArray())!;
        Assert.Equal(jobId, IrisHttp.Str(info["ingest_job_id"]));
        Assert.Equal("completed", IrisHttp.Str(info["status"]));
        var jobs = await ValidOk("GET", "/api/v1/ingestion/jobs", Http.GetAsync($"/api/v1/ingestion/jobs?dataset_id={datasetId}&status=completed"));
        Assert.Equal(jobId, IrisHttp.Str(Assert.Single(jobs["jobs"]!.AsArray())!["id"]));
        var none = await ValidOk("GET", "/api/v1/ingestion/jobs", Http.GetAsync($"/api/v1/ingestion/jobs?dataset_id={datasetId}&status=failed"));
        Assert.Empty(none["jobs"]!.AsArray());

        // Another organization sees none of it.
        using var other = server.ClientFor(await server.OtherOrgAsync());
        Expect.Error(await other.GetAsync($"/api/v1/ingestion/jobs/{jobId}"), 404, "Ingest job not found");
        Expect.Error(await other.GetAsync($"/api/v1/ingestion/jobs/{jobId}/status"), 404, "Ingest job not found");
        Expect.Error(await other.GetAsync($"/api/v1/ingestion/images/{assetIds[0]}/status"), 404, "Image not found");
        Expect.Error(await other.GetAsync($"/api/v1/ingestion/datasets/{datasetId}/assets/status/count"), 404, "Dataset not found");
        Assert.DoesNotContain(Expect.Ok(await other.GetAsync("/api/v1/ingestion/jobs?limit=1000"))["jobs"]!.AsArray(), j => IrisHttp.Str(j!["id"]) == jobId);
    }

    [Fact]
    public async Task A_second_job_with_paths_already_ingested_counts_them_at_once()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var path = server.CorpusUri("imaging/orientation_3.jpg");
        var first = Expect.Ok(await Http.PostAsync("/api/v1/ingestion/images", Body(datasetId, path)));
        await WaitForJobAsync(IrisHttp.Str(first["id"]));
        var second = Expect.Ok(await Http.PostAsync("/api/v1/ingestion/images", Body(datasetId, path)));
        Assert.Equal("completed", IrisHttp.Str(second["status"]));
        Assert.Equal(1, second["processed_assets"]!.GetValue<int>());
        Assert.Equal(IrisHttp.Str(first["details"]!["assets"]![0]!["asset_id"]), IrisHttp.Str(second["details"]!["assets"]![0]!["asset_id"]));
        // The first job is history: it still says what it did.
        Assert.Equal("completed", IrisHttp.Str((await GetJobAsync(IrisHttp.Str(first["id"])))["status"]));
    }

    [Fact]
    public async Task Assets_job_refuses_videos_and_takes_images()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var video = await Http.PostAsync("/api/v1/ingestion/assets", new JsonObject
        {
            ["dataset_id"] = datasetId,
            ["assets"] = new JsonArray(new JsonObject { ["source_path"] = "s3://b/v.mp4", ["asset_type"] = "video" }),
        });
        Expect.Validation(video, "value_error", "body", "assets", 0, "asset_type");
        CoactiveDocument.AssertResponse("POST", "/api/v1/ingestion/assets", 422, video.Text);

        var job = await ValidOk("POST", "/api/v1/ingestion/assets", Http.PostAsync("/api/v1/ingestion/assets", new JsonObject
        {
            ["dataset_id"] = datasetId,
            ["assets"] = new JsonArray(
                new JsonObject { ["source_path"] = server.CorpusUri("imaging/orientation_4.jpg"), ["asset_type"] = "image" },
                new JsonObject { ["source_path"] = server.CorpusUri("imaging/orientation_5.jpg") }),
        }));
        var done = await WaitForJobAsync(IrisHttp.Str(job["id"]));
        Assert.Equal(2, done["processed_assets"]!.GetValue<int>());
    }

    [Fact]
    public async Task Bucket_job_takes_every_image_below_a_folder_to_max_depth()
    {
        var folder = Directory.CreateDirectory(Path.Combine(server.FilesDir, "bucket-" + Guid.NewGuid().ToString("N")[..8]));
        var sub = folder.CreateSubdirectory("sub");
        File.Copy(server.Corpus("imaging/orientation_6.jpg"), Path.Combine(folder.FullName, "a.jpg"));
        File.Copy(server.Corpus("imaging/branches.png"), Path.Combine(sub.FullName, "b.png"));
        var datasetId = await Http.CreateDatasetIdAsync();
        var prefix = ServerFixture.FileUri(folder.FullName + "/");

        var shallow = await ValidOk("POST", "/api/v1/ingestion/buckets",
            Http.PostAsync("/api/v1/ingestion/buckets", new JsonObject { ["dataset_id"] = datasetId, ["path"] = prefix, ["max_depth"] = 1 }), 202);
        Assert.Equal("bucket", IrisHttp.Str(shallow["job_type"]));
        Assert.Equal(1, shallow["total_assets"]!.GetValue<int>());
        Assert.Equal(prefix, IrisHttp.Str(shallow["details"]!["path"]));

        var all = await ValidOk("POST", "/api/v1/ingestion/buckets",
            Http.PostAsync("/api/v1/ingestion/buckets", new JsonObject { ["dataset_id"] = datasetId, ["source_path"] = prefix }), 202);
        Assert.Equal(2, all["total_assets"]!.GetValue<int>());
        var done = await WaitForJobAsync(IrisHttp.Str(all["id"]));
        Assert.Equal(2, done["processed_assets"]!.GetValue<int>());
        await ValidOk("GET", "/api/v1/ingestion/jobs/{ingest_job_id}", Http.GetAsync($"/api/v1/ingestion/jobs/{IrisHttp.Str(shallow["id"])}"));

        var outside = await Http.PostAsync("/api/v1/ingestion/buckets", new JsonObject { ["dataset_id"] = datasetId, ["path"] = "file:///etc/" });
        Expect.Validation(outside, "value_error", "body", "path");
        var both = await Http.PostAsync("/api/v1/ingestion/buckets", new JsonObject
        {
            ["dataset_id"] = datasetId, ["path"] = prefix, ["spec"] = new JsonObject { ["bucket"] = "b" },
        });
        Expect.Validation(both, "value_error", "body", "spec");
        CoactiveDocument.AssertResponse("POST", "/api/v1/ingestion/buckets", 422, both.Text);
    }

    [Fact]
    public async Task File_jobs_read_csv_and_json_manifests()
    {
        var dir = Directory.CreateDirectory(Path.Combine(server.FilesDir, "manifests-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var a = server.CorpusUri("imaging/orientation_7.jpg");
        var b = server.CorpusUri("imaging/orientation_8.jpg");
        var csv = Path.Combine(dir, "list.csv");
        await File.WriteAllTextAsync(csv, $"source_path,metadata\n{a},\"{{\"\"k\"\": 1}}\"\n");
        var json = Path.Combine(dir, "list.json");
        await File.WriteAllTextAsync(json, new JsonArray(new JsonObject { ["source_path"] = b, ["metadata"] = new JsonObject { ["k"] = "v" } }).ToJsonString());
        var datasetId = await Http.CreateDatasetIdAsync();

        var fromCsv = await ValidOk("POST", "/api/v1/ingestion/files",
            Http.PostAsync("/api/v1/ingestion/files", new JsonObject { ["dataset_id"] = datasetId, ["source_path"] = ServerFixture.FileUri(csv), ["file_type"] = "csv" }), 202);
        var fromJson = await ValidOk("POST", "/api/v1/ingestion/files",
            Http.PostAsync("/api/v1/ingestion/files", new JsonObject { ["dataset_id"] = datasetId, ["source_path"] = ServerFixture.FileUri(json) }), 202);
        Assert.Equal("csv", IrisHttp.Str(fromCsv["source_type"]));
        Assert.Equal("json", IrisHttp.Str(fromJson["source_type"]));
        Assert.Equal(ServerFixture.FileUri(json), IrisHttp.Str(fromJson["file_path"]));
        Assert.Equal(1, (await WaitForJobAsync(IrisHttp.Str(fromCsv["id"])))["processed_assets"]!.GetValue<int>());
        Assert.Equal(1, (await WaitForJobAsync(IrisHttp.Str(fromJson["id"])))["processed_assets"]!.GetValue<int>());
        var statuses = await Http.StatusesAsync(datasetId, [a, b]);
        Assert.Equal(1, (await Http.GetImageAsync(IrisHttp.Str(statuses[a]["coactiveImageId"])))["metadata"]!["k"]!.GetValue<int>());
        Assert.Equal("v", IrisHttp.Str((await Http.GetImageAsync(IrisHttp.Str(statuses[b]["coactiveImageId"])))["metadata"]!["k"]));

        var bad = Path.Combine(dir, "bad.json");
        await File.WriteAllTextAsync(bad, "{\"not\": \"an array\"}");
        var r = await Http.PostAsync("/api/v1/ingestion/files", new JsonObject { ["dataset_id"] = datasetId, ["source_path"] = ServerFixture.FileUri(bad), ["file_type"] = "json" });
        Expect.Validation(r, "value_error", "body", "source_path");
        CoactiveDocument.AssertResponse("POST", "/api/v1/ingestion/files", 422, r.Text);
    }

    [Fact]
    public async Task Metadata_jobs_overwrite_upsert_and_remove()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var path = server.CorpusUri("imaging/orientation_0.jpg");
        var job = Expect.Ok(await Http.PostAsync("/api/v1/ingestion/images", new JsonObject
        {
            ["dataset_id"] = datasetId,
            ["images"] = new JsonArray(new JsonObject { ["source_path"] = path, ["metadata"] = new JsonObject { ["a"] = 1, ["b"] = "two" } }),
        }));
        var assetId = IrisHttp.Str(job["details"]!["assets"]![0]!["asset_id"]);

        async Task<JsonNode?> Update(string type, JsonObject asset)
        {
            var answer = await ValidOk("POST", "/api/v1/ingestion/metadata", Http.PostAsync("/api/v1/ingestion/metadata", new JsonObject
            {
                ["dataset_id"] = datasetId, ["update_type"] = type, ["update_assets"] = new JsonArray(asset),
            }), 202);
            Assert.Equal("metadata", IrisHttp.Str(answer["job_type"]));
            Assert.Equal("completed", IrisHttp.Str(answer["status"]));
            return (await Http.GetImageAsync(assetId))["metadata"];
        }
        Expect.JsonEqual(JsonNode.Parse("""{"a": 1, "b": "three", "c": true}"""),
            await Update("upsert", new JsonObject { ["asset_id"] = assetId, ["asset_type"] = "image", ["metadata"] = new JsonObject { ["b"] = "three", ["c"] = true } }));
        Expect.JsonEqual(JsonNode.Parse("""{"a": 1, "c": true}"""),
            await Update("remove", new JsonObject { ["source_path"] = path, ["asset_type"] = "image", ["metadata"] = new JsonObject { ["b"] = "" } }));
        Expect.JsonEqual(JsonNode.Parse("""{"z": 0}"""),
            await Update("overwrite", new JsonObject { ["asset_id"] = assetId, ["asset_type"] = "image", ["metadata"] = new JsonObject { ["z"] = 0 } }));

        var mixed = await ValidOk("POST", "/api/v1/ingestion/metadata", Http.PostAsync("/api/v1/ingestion/metadata", new JsonObject
        {
            ["dataset_id"] = datasetId,
            ["update_assets"] = new JsonArray(
                new JsonObject { ["asset_id"] = assetId, ["asset_type"] = "image", ["metadata"] = new JsonObject { ["y"] = 1 } },
                new JsonObject { ["asset_id"] = Guid.NewGuid().ToString(), ["asset_type"] = "image", ["metadata"] = new JsonObject { ["y"] = 1 } }),
        }), 202);
        Assert.Equal(2, mixed["total_assets"]!.GetValue<int>());
        Assert.Equal(1, mixed["processed_assets"]!.GetValue<int>());
        Assert.Equal(1, mixed["errored_assets"]!.GetValue<int>());
        Assert.Single(mixed["details"]!["accepted"]!.AsArray());
        Assert.Single(mixed["details"]!["invalid_assets"]!.AsArray());
    }

    public static TheoryData<string, string, string, object[]> BadRequests() => new()
    {
        { "POST", "/api/v1/ingestion/images", "{}", ["body", "dataset_id"] },
        { "POST", "/api/v1/ingestion/images", "{\"dataset_id\": \"nope\", \"images\": []}", ["body", "dataset_id"] },
        { "POST", "/api/v1/ingestion/images", "{\"dataset_id\": \"DS\", \"images\": {}}", ["body", "images"] },
        { "POST", "/api/v1/ingestion/images", "{\"dataset_id\": \"DS\", \"images\": [{\"source_path\": 1}]}", ["body", "images", 0, "source_path"] },
        { "POST", "/api/v1/ingestion/images", "{\"dataset_id\": \"DS\", \"images\": [{\"source_path\": \"s3://b/k\", \"metadata\": {\"a\": {\"nested\": 1}}}]}", ["body", "images", 0, "metadata", "a"] },
        { "POST", "/api/v1/ingestion/images", "[1]", ["body"] },
        { "POST", "/api/v1/ingestion/images", "not json", ["body"] },
        { "POST", "/api/v1/ingestion/assets", "{\"dataset_id\": \"DS\", \"assets\": [{\"source_path\": \"s3://b/k\", \"asset_type\": \"pdf\"}]}", ["body", "assets", 0, "asset_type"] },
        { "POST", "/api/v1/ingestion/buckets", "{\"dataset_id\": \"DS\"}", ["body", "path"] },
        { "POST", "/api/v1/ingestion/buckets", "{\"dataset_id\": \"DS\", \"path\": \"s3://b/\", \"max_depth\": -1}", ["body", "max_depth"] },
        { "POST", "/api/v1/ingestion/buckets", "{\"dataset_id\": \"DS\", \"spec\": {\"prefix\": \"/\"}}", ["body", "spec", "bucket"] },
        { "POST", "/api/v1/ingestion/buckets", "{\"dataset_id\": \"DS\", \"spec\": {\"bucket\": \"b\", \"provider\": \"gcp\"}}", ["body", "spec", "provider"] },
        { "POST", "/api/v1/ingestion/files", "{\"dataset_id\": \"DS\"}", ["body", "source_path"] },
        { "POST", "/api/v1/ingestion/files", "{\"dataset_id\": \"DS\", \"source_path\": \"ftp://x/y.csv\"}", ["body", "source_path"] },
        { "POST", "/api/v1/ingestion/files", "{\"dataset_id\": \"DS\", \"source_path\": \"s3://b/k.csv\", \"file_type\": \"xml\"}", ["body", "file_type"] },
        { "POST", "/api/v1/ingestion/metadata", "{\"dataset_id\": \"DS\"}", ["body", "update_assets"] },
        { "POST", "/api/v1/ingestion/metadata", "{\"dataset_id\": \"DS\", \"update_type\": \"merge\", \"update_assets\": []}", ["body", "update_type"] },
        { "POST", "/api/v1/ingestion/metadata", "{\"dataset_id\": \"DS\", \"update_assets\": [{\"asset_id\": \"x\", \"asset_type\": \"image\"}]}", ["body", "update_assets", 0, "asset_id"] },
        { "POST", "/api/v1/ingestion/metadata", "{\"dataset_id\": \"DS\", \"update_assets\": [{\"asset_type\": \"image\"}]}", ["body", "update_assets", 0, "asset_id"] },
        { "POST", "/api/v1/ingestion/metadata", "{\"dataset_id\": \"DS\", \"update_assets\": [{\"asset_id\": \"00000000-0000-0000-0000-000000000001\"}]}", ["body", "update_assets", 0, "asset_type"] },
        { "GET", "/api/v1/ingestion/jobs?limit=0", "", ["query", "limit"] },
        { "GET", "/api/v1/ingestion/jobs?status=done", "", ["query", "status"] },
        { "GET", "/api/v1/ingestion/jobs?dataset_id=x", "", ["query", "dataset_id"] },
        { "GET", "/api/v1/ingestion/jobs/00000000-0000-0000-0000-000000000001/status?offset=-1", "", ["query", "offset"] },
        { "POST", "/api/v1/ingestion/datasets/DS/assets/status?filter=done", "{}", ["query", "filter"] },
        { "POST", "/api/v1/ingestion/datasets/DS/assets/status", "{\"source_path\": 3}", ["body", "source_path"] },
        { "POST", "/api/v1/ingestion/datasets/nope/assets/status", "{}", ["path", "dataset_id"] },
        { "GET", "/api/v1/ingestion/datasets/nope/assets/status/count", "", ["path", "dataset_id"] },
        { "GET", "/api/v1/ingestion/datasets/DS/assets/status/summary?limit=5000", "", ["query", "limit"] },
        { "GET", "/api/v1/ingestion/datasets/DS/status?offset=x", "", ["query", "offset"] },
        { "GET", "/api/v1/ingestion/images/nope/status", "", ["path", "asset_id"] },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_is_a_422_at_its_loc(string method, string url, string body, object[] loc)
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        url = url.Replace("DS", datasetId);
        body = body.Replace("\"DS\"", $"\"{datasetId}\"");
        var r = method == "GET" ? await Http.GetAsync(url) : await Http.SendBytesAsync(HttpMethod.Post, url, System.Text.Encoding.UTF8.GetBytes(body), "application/json");
        Expect.Validation(r, null, loc);
        var template = CoactiveDocument.Operations.Single(o => o.Method == method && Matches(o.PathTemplate, url.Split('?')[0])).PathTemplate;
        CoactiveDocument.AssertResponse(method, template, 422, r.Text);
    }

    [Fact]
    public async Task Unknown_ids_are_404_on_every_route()
    {
        var id = Guid.NewGuid();
        Expect.Error(await Http.GetAsync($"/api/v1/ingestion/jobs/{id}"), 404, "Ingest job not found");
        Expect.Error(await Http.GetAsync("/api/v1/ingestion/jobs/not-a-job"), 404, "Ingest job not found");
        Expect.Error(await Http.GetAsync($"/api/v1/ingestion/jobs/{id}/status"), 404, "Ingest job not found");
        Expect.Error(await Http.GetAsync($"/api/v1/ingestion/images/{id}/status"), 404, "Image not found");
        foreach (var url in new[] { "assets/status/count", "assets/status/summary", "status" })
            Expect.Error(await Http.GetAsync($"/api/v1/ingestion/datasets/{id}/{url}"), 404, "Dataset not found");
        Expect.Error(await Http.PostAsync($"/api/v1/ingestion/datasets/{id}/assets/status", new JsonObject()), 404, "Dataset not found");
        Expect.Error(await Http.PostAsync("/api/v1/ingestion/images", Body(id.ToString(), "s3://b/k.jpg")), 404, "Dataset not found");
        Expect.Error(await Http.PostAsync("/api/v1/ingestion/metadata", new JsonObject
        {
            ["dataset_id"] = id.ToString(), ["update_assets"] = new JsonArray(new JsonObject { ["asset_id"] = id.ToString(), ["asset_type"] = "image" }),
        }), 404, "Dataset not found");
    }

    [Fact]
    public async Task Every_operation_of_the_document_is_in_the_servers_openapi_document_under_its_operation_id()
    {
        var document = Expect.Ok(await server.Anonymous.GetAsync("/openapi/v1.json"));
        var missing = CoactiveDocument.Operations
            .Where(o => document["paths"]?[o.PathTemplate]?[o.Method.ToLowerInvariant()]?["operationId"]?.GetValue<string>() != o.OperationId)
            .Select(o => $"{o.Method} {o.PathTemplate}")
            .ToList();
        Assert.True(missing.Count == 0, "Not served under Coactive's operationId: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task Every_query_parameter_of_the_document_is_in_the_servers_openapi_document()
    {
        var mine = Expect.Ok(await server.Anonymous.GetAsync("/openapi/v1.json"));
        var theirs = JsonNode.Parse(await File.ReadAllTextAsync(CoactiveDocument.DocumentPath))!;
        var missing = new List<string>();
        foreach (var o in CoactiveDocument.Operations)
        {
            var method = o.Method.ToLowerInvariant();
            var served = (mine["paths"]?[o.PathTemplate]?[method]?["parameters"]?.AsArray() ?? [])
                .Where(p => IrisHttp.Str(p!["in"]) == "query").Select(p => IrisHttp.Str(p!["name"])).ToHashSet();
            foreach (var parameter in theirs["paths"]![o.PathTemplate]![method]!["parameters"]?.AsArray() ?? [])
            {
                if (IrisHttp.Str(parameter!["in"]) == "query" && !served.Contains(IrisHttp.Str(parameter["name"])))
                    missing.Add($"{o.Method} {o.PathTemplate} ?{IrisHttp.Str(parameter["name"])}");
            }
        }
        Assert.True(missing.Count == 0, "Query parameters the server's document does not describe: " + string.Join(", ", missing));
    }

    private static JsonObject Body(string datasetId, params string[] paths) => new()
    {
        ["dataset_id"] = datasetId,
        ["images"] = new JsonArray(paths.Select(p => (JsonNode)new JsonObject { ["source_path"] = p }).ToArray()),
    };

    private static bool Matches(string template, string path)
    {
        var t = template.Split('/');
        var p = path.Split('/');
        return t.Length == p.Length && t.Zip(p).All(x => x.First.StartsWith('{') || x.First == x.Second);
    }
}
