using System.Text;
using System.Text.Json.Nodes;
using Iris.Tests.Servers;

namespace Iris.Server.Tests;

/// <summary>
/// A second <c>iris serve</c> for remote sources: s3rver and a small HTTP server on loopback, and the server
/// started with <c>--allow-private-network</c>, <c>--s3-endpoint</c> (path style) and short retry delays.
/// </summary>
public sealed class RemoteServerFixture : IAsyncLifetime
{
    public const string Bucket = "iris-remote-tests";

    public S3rverServer S3 { get; private set; } = null!;
    public LoopbackHttpServer Web { get; } = new();
    public ServerFixture Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        S3 = await S3rverServer.StartAsync();
        await S3.CreateBucketAsync(Bucket);
        Server = new ServerFixture(
            ["--allow-private-network", "--s3-endpoint", S3.Endpoint, "--s3-region", S3rverServer.Region, "--s3-force-path-style",
             "--http-retry-delay-ms", "10", "--http-timeout", "5"],
            new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = S3rverServer.AccessKey,
                ["AWS_SECRET_ACCESS_KEY"] = S3rverServer.SecretKey,
            });
        await Server.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        await Web.DisposeAsync();
        if (S3 is not null) await S3.DisposeAsync();
    }

    /// <summary>Puts a corpus file into the bucket under <paramref name="key"/> and returns its s3:// path.</summary>
    public async Task<string> PutCorpusAsync(string key, string corpusFile)
    {
        await S3.PutAsync(Bucket, key, await File.ReadAllBytesAsync(Server.Corpus(corpusFile)), "image/jpeg");
        return $"s3://{Bucket}/{key}";
    }
}

/// <summary>s3://, http:// and manifest sources end to end: added over the API, ingested by the real server.</summary>
public sealed class RemoteSourcesTests(RemoteServerFixture remote) : IClassFixture<RemoteServerFixture>
{
    private const string Jpeg = "imaging/orientation_6.jpg";
    private const string OtherJpeg = "go-image/video-001.q50.420.jpeg";

    private ServerFixture Server => remote.Server;
    private IrisHttp Http => remote.Server.Http;

    /// <summary>POST /api/v1/ingestion/buckets of a prefix.</summary>
    private Task<ApiResponse> PostBucket(string datasetId, string path) =>
        Http.PostAsync("/api/v1/ingestion/buckets", new JsonObject { ["dataset_id"] = datasetId, ["path"] = path });

    /// <summary>POST /api/v1/ingestion/files of a CSV manifest.</summary>
    private Task<ApiResponse> PostFile(string datasetId, string sourcePath) =>
        Http.PostAsync("/api/v1/ingestion/files", new JsonObject { ["dataset_id"] = datasetId, ["source_path"] = sourcePath });

    /// <summary>The image of a path, as the v0 metadata route answers it.</summary>
    private async Task<JsonNode> ImageOf(string datasetId, string path) =>
        await Http.GetImageAsync(IrisHttp.Str((await Http.StatusesAsync(datasetId, [path]))[path]["coactiveImageId"]));

    private static JsonNode Accepted(ApiResponse r)
    {
        Expect.Status(r, 202);
        return r.Json;
    }

    /// <summary>Waits for each path and checks it completed with the size and SHA-256 of its corpus file.</summary>
    private async Task ExpectCompleted(string datasetId, Dictionary<string, string> pathToCorpusFile)
    {
        var statuses = await Http.WaitForTerminalAsync(datasetId, pathToCorpusFile.Keys);
        foreach (var (path, file) in pathToCorpusFile)
        {
            Expect.CompletedStatus(statuses[path]);
            var asset = await Http.GetImageAsync(IrisHttp.Str(statuses[path]["coactiveImageId"]));
            Expect.CompletedFrom(asset, Server.Corpus(file));
        }
    }

    [Fact]
    public async Task S3_images_with_odd_keys_are_ingested()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var folder = $"images-{Guid.NewGuid():N}";
        var a = await remote.PutCorpusAsync($"{folder}/plain.jpg", Jpeg);
        var b = await remote.PutCorpusAsync($"{folder}/100% sure+plus & space#1?.jpg", OtherJpeg);
        var c = await remote.PutCorpusAsync($"{folder}/ünï/写真.jpg", Jpeg);
        await Http.AddPathsAsync(datasetId, a, b, c);
        await ExpectCompleted(datasetId, new() { [a] = Jpeg, [b] = OtherJpeg, [c] = Jpeg });
    }

    [Fact]
    public async Task S3_errors_end_as_their_codes()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var missingKey = $"s3://{RemoteServerFixture.Bucket}/missing-{Guid.NewGuid():N}.jpg";
        const string missingBucket = "s3://no-such-bucket-remote/a.jpg";
        await Http.AddPathsAsync(datasetId, missingKey, missingBucket);
        var statuses = await Http.WaitForTerminalAsync(datasetId, missingKey, missingBucket);
        Expect.ErrorStatus(statuses[missingKey], "file_not_found");
        Expect.ErrorStatus(statuses[missingBucket], "file_not_found");
        Assert.Contains("no-such-bucket-remote", IrisHttp.Str(statuses[missingBucket]["errorReason"]));
    }

    [Fact]
    public async Task S3_bucket_job_adds_every_image_below_the_prefix()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var folder = $"prefix-{Guid.NewGuid():N}";
        var a = await remote.PutCorpusAsync($"{folder}/a.jpg", Jpeg);
        var b = await remote.PutCorpusAsync($"{folder}/sub/b.jpeg", OtherJpeg);
        await remote.S3.PutAsync(RemoteServerFixture.Bucket, $"{folder}/readme.txt", "not an image"u8.ToArray());
        await remote.PutCorpusAsync($"{folder}-sibling/c.jpg", Jpeg); // shares the name but not the prefix "folder/"

        var added = Accepted(await PostBucket(datasetId, $"s3://{RemoteServerFixture.Bucket}/{folder}/"));
        Assert.Equal(2, added["total_assets"]!.GetValue<int>());
        await ExpectCompleted(datasetId, new() { [a] = Jpeg, [b] = OtherJpeg });
    }

    [Fact]
    public async Task S3_bucket_job_of_a_missing_bucket_is_422()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var entry = Expect.Validation(await PostBucket(datasetId, "s3://no-such-bucket-remote/x/"), "value_error", "body", "path");
        Assert.Contains("no-such-bucket-remote", IrisHttp.Str(entry["msg"]));
    }

    [Fact]
    public async Task Http_images_are_ingested_and_http_errors_end_as_their_codes()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var bytes = await File.ReadAllBytesAsync(Server.Corpus(Jpeg));
        var ok = remote.Web.Map(LoopbackHttpServer.UniquePath("photo.jpg"), x => x.SendAsync(200, bytes, "image/jpeg", BodyFraming.Chunked));
        var calls = 0;
        var flaky = remote.Web.Map(LoopbackHttpServer.UniquePath("flaky.jpg"), x => Interlocked.Increment(ref calls) == 1
            ? x.SendAsync(503, "busy"u8.ToArray(), "text/plain")
            : x.SendAsync(200, bytes, "image/jpeg"));
        var missing = remote.Web.Map(LoopbackHttpServer.UniquePath("gone.jpg"), x => x.SendAsync(404, "no"u8.ToArray(), "text/plain"));
        var forbidden = remote.Web.Map(LoopbackHttpServer.UniquePath("secret.jpg"), x => x.SendAsync(403, "no"u8.ToArray(), "text/plain"));
        var html = remote.Web.Map(LoopbackHttpServer.UniquePath("page.jpg"), x => x.SendAsync(200, "<html><body>hi</body></html>"u8.ToArray(), "text/html"));

        await Http.AddPathsAsync(datasetId, ok, flaky, missing, forbidden, html);
        await ExpectCompleted(datasetId, new() { [ok] = Jpeg, [flaky] = Jpeg });
        var statuses = await Http.WaitForTerminalAsync(datasetId, missing, forbidden, html);
        Expect.ErrorStatus(statuses[missing], "file_not_found");
        Expect.ErrorStatus(statuses[forbidden], "permission_denied");
        Expect.ErrorStatus(statuses[html], "unknown_content_type");
    }

    [Fact]
    public async Task Csv_manifest_on_s3_adds_its_rows_with_ids_and_metadata()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var folder = $"csv-{Guid.NewGuid():N}";
        var a = await remote.PutCorpusAsync($"{folder}/a.jpg", Jpeg);
        var bytes = await File.ReadAllBytesAsync(Server.Corpus(OtherJpeg));
        var web = remote.Web.Map(LoopbackHttpServer.UniquePath("b.jpg"), x => x.SendAsync(200, bytes, "image/jpeg"));
        var csv = "path,id,metadata\r\n" +
                  $"{a},user-a,\"{{\"\"scene\"\": \"\"beach, sunny\"\", \"\"n\"\": 2, \"\"ok\"\": true}}\"\r\n" +
                  $"{web},,\r\n";
        await remote.S3.PutAsync(RemoteServerFixture.Bucket, $"{folder}/manifest.csv", Encoding.UTF8.GetBytes(csv), "text/csv");

        var added = Accepted(await PostFile(datasetId, $"s3://{RemoteServerFixture.Bucket}/{folder}/manifest.csv"));
        Assert.Equal(2, added["total_assets"]!.GetValue<int>());
        await ExpectCompleted(datasetId, new() { [a] = Jpeg, [web] = OtherJpeg });
        var first = await ImageOf(datasetId, a);
        Assert.Equal("user-a", IrisHttp.Str(first["id"]));
        Expect.JsonEqual(new JsonObject { ["scene"] = "beach, sunny", ["n"] = 2, ["ok"] = true }, first["metadata"], "metadata of row 1");
        var second = await ImageOf(datasetId, web);
        Expect.Null(second, "id");
        Expect.Null(second, "metadata");
    }

    [Fact]
    public async Task Csv_manifest_over_http_and_from_a_file_work_like_images()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var corpus = Server.CorpusUri(OtherJpeg);
        var overHttp = remote.Web.Map(LoopbackHttpServer.UniquePath("list.csv"), x => x.SendAsync(200, Encoding.UTF8.GetBytes($"path\n{corpus}\n"), "text/csv"));
        Assert.Equal(1, Accepted(await PostFile(datasetId, overHttp))["total_assets"]!.GetValue<int>());
        Assert.Null((await ImageOf(datasetId, corpus))["id"]);

        var file = Path.Combine(Server.FilesDir, $"list-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, $"id,path\nfrom-file,{corpus}\n");
        Accepted(await PostFile(datasetId, ServerFixture.FileUri(file)));
        await ExpectCompleted(datasetId, new() { [corpus] = OtherJpeg });
        Assert.Equal("from-file", IrisHttp.Str((await ImageOf(datasetId, corpus))["id"]));
    }

    [Theory]
    [InlineData("path,metadata\na.jpg,{}\nb.jpg,\"{\"\"k\"\": {\"\"nested\"\": 1}}\"\n", "Row 2 (line 3): metadata.k:", "value_error")]
    [InlineData("path,metadata\na.jpg,\"{not json\"\n", "Row 1 (line 2): metadata is not valid JSON", "json_invalid")]
    [InlineData("path,id\na.jpg,1\n,2\n", "Row 2 (line 3): path:", "string_too_short")]
    [InlineData("path,metadata\na.jpg,{\"k\": 1}\n", "Row 1 (line 2) of the CSV file is malformed", "value_error")]
    [InlineData("name\na.jpg\n", "no 'path' or 'source_path' column", "value_error")]
    public async Task Malformed_csv_rows_are_422_naming_the_row(string csv, string message, string type)
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var url = remote.Web.Map(LoopbackHttpServer.UniquePath("bad.csv"), x => x.SendAsync(200, Encoding.UTF8.GetBytes(csv), "text/csv"));
        var entry = Expect.Validation(await PostFile(datasetId, url), type, "body", "source_path");
        Assert.Contains(message, IrisHttp.Str(entry["msg"]));
        var statuses = Expect.Ok(await Http.GetAsync($"/api/v0/datasets/{datasetId}/images/statuses?paths=a.jpg"));
        Assert.Equal("not_found", IrisHttp.Str(statuses["data"]![0]!["status"])); // nothing of a refused manifest is added
    }

    [Fact]
    public async Task Csv_manifest_that_cannot_be_read_is_422()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var missing = Expect.Validation(await PostFile(datasetId, $"s3://{RemoteServerFixture.Bucket}/no-such-{Guid.NewGuid():N}.csv"),
            "value_error", "body", "source_path");
        Assert.Contains("file_not_found", IrisHttp.Str(missing["msg"]));
        var outside = Expect.Validation(await PostFile(datasetId, "file:///etc/hostname"), "value_error", "body", "source_path");
        Assert.Contains("--allow-root", IrisHttp.Str(outside["msg"]));
        Expect.Validation(await PostFile(datasetId, "ftp://host/list.csv"), "value_error", "body", "source_path");
    }
}

/// <summary>The server of the other tests runs without --allow-private-network: loopback URLs are refused.</summary>
[Collection(IrisServerCollection.Name)]
public sealed class PrivateNetworkGuardTests(ServerFixture server) : IAsyncLifetime
{
    private readonly LoopbackHttpServer _web = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Fact]
    public async Task Loopback_urls_end_as_permission_denied_without_being_contacted()
    {
        var datasetId = await server.Http.CreateDatasetIdAsync();
        var target = LoopbackHttpServer.UniquePath("x.jpg");
        var url = _web.Map(target, x => x.SendAsync(200, [0xFF, 0xD8, 0xFF], "image/jpeg"));
        var localhost = url.Replace("127.0.0.1", "localhost");
        var mapped = url.Replace("127.0.0.1", "[::ffff:127.0.0.1]");
        await server.Http.AddPathsAsync(datasetId, url, localhost, mapped);
        var statuses = await server.Http.WaitForTerminalAsync(datasetId, url, localhost, mapped);
        foreach (var path in new[] { url, localhost, mapped })
        {
            Expect.ErrorStatus(statuses[path], "permission_denied");
            Assert.Contains("--allow-private-network", IrisHttp.Str(statuses[path]["errorReason"]));
        }
        Assert.Equal(0, _web.Hits(target));
    }

    [Fact]
    public async Task A_manifest_on_a_loopback_url_is_422()
    {
        var datasetId = await server.Http.CreateDatasetIdAsync();
        var target = LoopbackHttpServer.UniquePath("list.csv");
        var url = _web.Map(target, x => x.SendAsync(200, "path\na.jpg\n"u8.ToArray(), "text/csv"));
        var entry = Expect.Validation(await server.Http.PostAsync("/api/v1/ingestion/files",
            new JsonObject { ["dataset_id"] = datasetId, ["source_path"] = url }), "value_error", "body", "source_path");
        Assert.Contains("permission_denied", IrisHttp.Str(entry["msg"]));
        Assert.Equal(0, _web.Hits(target));
    }
}
