using Iris.Testing;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Iris.Server.Tests;

/// <summary>POST /api/v1/datasets/{id}/uploads (multipart/form-data): one ingest job, answered like /api/v1/ingestion/images.</summary>
[Collection(IrisServerCollection.Name)]
public sealed class UploadsTests(ServerFixture server)
{
    private IrisHttp Http => server.Http;

    /// <summary>One multipart part: a file, or a form field.</summary>
    public sealed record Part(string Name, byte[] Bytes, string? FileName = null, string? ContentType = null)
    {
        public static Part File(byte[] bytes, string fileName, string contentType = "application/octet-stream") =>
            new("file", bytes, fileName, contentType);

        public static Part Field(string name, string value) => new(name, Encoding.UTF8.GetBytes(value));
    }

    public static MultipartFormDataContent Form(params Part[] parts)
    {
        var form = new MultipartFormDataContent();
        foreach (var p in parts)
        {
            if (p.FileName is null)
            {
                form.Add(new StringContent(Encoding.UTF8.GetString(p.Bytes), Encoding.UTF8), p.Name);
            }
            else
            {
                var content = new ByteArrayContent(p.Bytes);
                content.Headers.ContentType = MediaTypeHeaderValue.Parse(p.ContentType ?? "application/octet-stream");
                form.Add(content, p.Name, p.FileName);
            }
        }
        return form;
    }

    public static Task<ApiResponse> UploadAsync(IrisHttp http, string datasetId, params Part[] parts) =>
        http.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/v1/datasets/{datasetId}/uploads") { Content = Form(parts) });

    private byte[] Corpus(string relative) => File.ReadAllBytes(server.Corpus(relative));

    [Fact]
    public async Task Uploaded_jpeg_gets_the_default_path_and_completes()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var bytes = Corpus("go-image/video-001.jpeg");
        var sha = Expect.Sha256(bytes);
        var body = Expect.Ok(await UploadAsync(Http, datasetId, Part.File(bytes, "video-001.jpeg", "image/jpeg")));

        CoactiveDocument.AssertResponse("POST", "/api/v1/ingestion/images", 200, body.ToJsonString());
        Expect.Uuid(body["id"], "id");
        Assert.Equal("assets", IrisHttp.Str(body["job_type"]));
        Assert.Equal("image", IrisHttp.Str(body["source_type"]));
        Assert.Equal(datasetId, IrisHttp.Str(body["dataset_id"]));
        Assert.Equal(1, body["total_assets"]!.GetValue<int>());
        var image = Assert.Single(IrisHttp.Assets(body))!;
        var path = $"upload://{sha}/video-001.jpeg";
        Assert.Equal(path, IrisHttp.Str(image["asset"]!["source_path"]));
        Assert.Equal("image", IrisHttp.Str(image["asset"]!["asset_type"]));
        Expect.Null(image["asset"], "metadata");
        Expect.Null(image, "error");
        var imageId = IrisHttp.AssetId(body);

        var statuses = await Http.WaitForTerminalAsync(datasetId, path);
        Expect.CompletedStatus(statuses[path]);
        var job = Expect.Ok(await Http.GetAsync($"/api/v1/ingestion/jobs/{IrisHttp.Str(body["id"])}"));
        Assert.Equal(imageId, IrisHttp.AssetId(job));
        var asset = await Http.GetImageAsync(imageId);
        Expect.Asset(asset, server.ClientId);
        Expect.Null(asset, "id");
        Expect.Null(asset, "metadata");
        var tm = Expect.CompletedFrom(asset, server.Corpus("go-image/video-001.jpeg"));
        Assert.Equal(sha, IrisHttp.Str(tm["sha256"]));
        Assert.Equal(bytes.LongLength, tm["sizeBytes"]!.GetValue<long>());
        Assert.Equal(150, tm["width"]!.GetValue<int>());
        Assert.Equal(103, tm["height"]!.GetValue<int>());
        Assert.Equal(1, (await Http.GetDatasetAsync(datasetId))["image_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Several_files_with_their_own_path_id_and_metadata()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var png = Corpus("imaging/branches.png");
        var webp = Corpus("x-image/yellow_rose.lossy.webp");
        var pathA = $"mine/{Guid.NewGuid():N}/branches.png";
        var pathB = $"mine/{Guid.NewGuid():N}/rose.webp";
        var body = Expect.Ok(await UploadAsync(Http, datasetId,
            Part.File(png, "branches.png", "image/png"), Part.Field("path", pathA), Part.Field("id", "ua"),
            Part.Field("metadata", "{\"k\":\"a\",\"n\":1}"),
            Part.File(webp, "yellow_rose.lossy.webp", "image/webp"), Part.Field("path", pathB), Part.Field("id", "ub"),
            Part.Field("metadata", "{\"k\":\"b\",\"flag\":true}")));

        var images = IrisHttp.Assets(body);
        Assert.Equal([pathA, pathB], images.Select(i => IrisHttp.Str(i!["asset"]!["source_path"])).ToArray());
        Expect.JsonEqual(J.Parse("{\"k\":\"a\",\"n\":1}"), images[0]!["asset"]!["metadata"], "metadata of the first file");
        Expect.JsonEqual(J.Parse("{\"k\":\"b\",\"flag\":true}"), images[1]!["asset"]!["metadata"], "metadata of the second file");
        Assert.Equal(2, body["total_assets"]!.GetValue<int>());

        var statuses = await Http.WaitForTerminalAsync(datasetId, pathA, pathB);
        Expect.CompletedStatus(statuses[pathA]);
        Expect.CompletedStatus(statuses[pathB]);
        var a = await Http.GetImageAsync(IrisHttp.AssetId(body, 0));
        var b = await Http.GetImageAsync(IrisHttp.AssetId(body, 1));
        Expect.CompletedFrom(a, server.Corpus("imaging/branches.png"));
        Expect.CompletedFrom(b, server.Corpus("x-image/yellow_rose.lossy.webp"));
        Assert.Equal("ua", IrisHttp.Str(a["id"]));
        Assert.Equal("ub", IrisHttp.Str(b["id"]));
    }

    [Fact]
    public async Task Default_paths_for_several_files_and_one_metadata_for_all()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var gif = Corpus("go-image/video-001.gif");
        var tiff = Corpus("x-image/video-001.tiff");
        var body = Expect.Ok(await UploadAsync(Http, datasetId,
            Part.File(gif, "v.gif", "image/gif"), Part.File(tiff, "v.tiff", "image/tiff"),
            Part.Field("metadata", "{\"batch\":\"b1\"}")));
        var images = IrisHttp.Assets(body);
        string[] paths = [$"upload://{Expect.Sha256(gif)}/v.gif", $"upload://{Expect.Sha256(tiff)}/v.tiff"];
        Assert.Equal(paths, images.Select(i => IrisHttp.Str(i!["asset"]!["source_path"])).ToArray());
        Assert.All(images, i => Expect.JsonEqual(J.Parse("{\"batch\":\"b1\"}"), i!["asset"]!["metadata"], "shared metadata"));
        var statuses = await Http.WaitForTerminalAsync(datasetId, paths);
        Assert.All(paths, p => Expect.CompletedStatus(statuses[p]));
    }

    [Fact]
    public async Task Same_bytes_and_name_twice_is_the_same_image()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var bytes = Corpus("imaging/orientation_6.jpg");
        var first = Expect.Ok(await UploadAsync(Http, datasetId, Part.File(bytes, "o6.jpg", "image/jpeg")));
        var second = Expect.Ok(await UploadAsync(Http, datasetId, Part.File(bytes, "o6.jpg", "image/jpeg")));
        Assert.Equal(IrisHttp.AssetId(first, 0), IrisHttp.AssetId(second, 0));
        var renamed = Expect.Ok(await UploadAsync(Http, datasetId, Part.File(bytes, "other-name.jpg", "image/jpeg")));
        Assert.NotEqual(IrisHttp.AssetId(first, 0), IrisHttp.AssetId(renamed, 0));
        var path = IrisHttp.SourcePath(first, 0);
        Expect.CompletedStatus((await Http.WaitForTerminalAsync(datasetId, path))[path]);
    }

    [Fact]
    public async Task Uploaded_text_ends_in_unsupported_format_without_disturbing_a_good_file()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var text = Encoding.UTF8.GetBytes("This is not an image at all, just words.\n");
        var good = Corpus("go-image/video-001.progressive.jpeg");
        var body = Expect.Ok(await UploadAsync(Http, datasetId,
            Part.File(text, "fake.jpg", "image/jpeg"), Part.File(good, "good.jpeg", "image/jpeg")));
        var badPath = $"upload://{Expect.Sha256(text)}/fake.jpg";
        var goodPath = $"upload://{Expect.Sha256(good)}/good.jpeg";
        Assert.Equal([badPath, goodPath], IrisHttp.Ids(body).Keys.ToArray());
        var statuses = await Http.WaitForTerminalAsync(datasetId, badPath, goodPath);
        Expect.ErrorStatus(statuses[badPath], "unsupported_format");
        Expect.CompletedStatus(statuses[goodPath]);
    }

    [Fact]
    public async Task Form_without_a_file_part_is_422()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var r = await UploadAsync(Http, datasetId, Part.Field("id", "no file"), Part.Field("path", "x.jpg"));
        Expect.Validation(r, null, "body", "file");
    }

    [Fact]
    public async Task Upload_metadata_that_is_not_a_json_object_is_422()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var bytes = Corpus("imaging/orientation_7.jpg");
        var notJson = await UploadAsync(Http, datasetId, Part.File(bytes, "o7.jpg", "image/jpeg"), Part.Field("metadata", "{not json"));
        Assert.Equal(422, notJson.Code);
        Assert.All(Expect.ValidationEntries(notJson), e => Assert.Equal("body", IrisHttp.Str(e!["loc"]![0])));
        var nested = await UploadAsync(Http, datasetId, Part.File(bytes, "o7.jpg", "image/jpeg"), Part.Field("metadata", "{\"a\":{\"b\":1}}"));
        Assert.All(Expect.ValidationEntries(nested), e => Assert.Equal("body", IrisHttp.Str(e!["loc"]![0])));
        // Nothing was recorded by the refused uploads.
        var path = $"upload://{Expect.Sha256(bytes)}/o7.jpg";
        var statuses = Expect.Ok(await Http.GetAsync($"/api/v0/datasets/{datasetId}/images/statuses?paths={Uri.EscapeDataString(path)}"));
        Assert.Equal("not_found", IrisHttp.Str(statuses["data"]![0]!["status"]));
    }

    [Fact]
    public async Task Upload_to_unknown_dataset_is_404()
    {
        var r = await UploadAsync(Http, Guid.NewGuid().ToString(), Part.File(Corpus("imaging/orientation_8.jpg"), "o8.jpg", "image/jpeg"));
        Expect.Error(r, 404, "Dataset not found");
    }

    [Fact]
    public async Task Upload_to_malformed_dataset_id_is_422()
    {
        var r = await UploadAsync(Http, "nope", Part.File(Corpus("imaging/orientation_8.jpg"), "o8.jpg", "image/jpeg"));
        Expect.Validation(r, "uuid_parsing", "path", "dataset_id");
    }
}
