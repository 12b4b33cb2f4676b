using System.Net;
using System.Net.Http.Headers;
using NetVips;

namespace Iris.Server.Tests;

/// <summary>GET /api/v1/images/{asset_id}/preview: an upright thumbnail of a completed image (JPEG, WebP with transparency), cacheable.</summary>
[Collection(IrisServerCollection.Name)]
public sealed class PreviewTests(ServerFixture server)
{
    private IrisHttp Http => server.Http;

    /// <summary>A preview response with its bytes (the JSON helpers read bodies as text).</summary>
    public sealed record Binary(HttpStatusCode Status, byte[] Bytes, string? MediaType, HttpResponseHeaders Headers);

    public static async Task<Binary> GetBinaryAsync(ServerFixture server, string url, string? ifNoneMatch = null)
    {
        using var client = new HttpClient { BaseAddress = server.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Authorization", server.Http.Authorization);
        if (ifNoneMatch is not null) request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        using var response = await client.SendAsync(request);
        return new Binary(response.StatusCode, await response.Content.ReadAsByteArrayAsync(),
            response.Content.Headers.ContentType?.MediaType, response.Headers);
    }

    /// <summary>Adds corpus files to a fresh dataset, waits, and returns (dataset id, path → image id).</summary>
    private async Task<(string DatasetId, Dictionary<string, string> Ids)> IngestAsync(params string[] corpusFiles)
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var paths = corpusFiles.Select(server.CorpusUri).ToArray();
        var ids = await Http.AddAndWaitAsync(datasetId, paths);
        return (datasetId, corpusFiles.Zip(paths).ToDictionary(p => p.First, p => ids[p.Second]));
    }

    /// <summary>The preview parsed from its bytes, checked to be of the type the response says.</summary>
    private static Image Decode(Binary preview, string mediaType = "image/jpeg")
    {
        Assert.Equal(HttpStatusCode.OK, preview.Status);
        Assert.Equal(mediaType, preview.MediaType);
        var image = Image.NewFromBuffer(preview.Bytes);
        Assert.Equal(mediaType == "image/webp" ? "webpload_buffer" : "jpegload_buffer", image.Get("vips-loader"));
        return image;
    }

    [Fact]
    public async Task Preview_is_upright_no_larger_than_256_and_never_enlarged()
    {
        var (_, ids) = await IngestAsync("imaging/orientation_6.jpg", "exif-tagged/img-0003-00002.jpg", "imaging/branches.png", "pngsuite/basn6a08.png");

        // orientation_6.jpg is stored 70×50 and shown turned a quarter: 50×70, small enough to keep its size.
        var small = await Http.GetImageAsync(ids["imaging/orientation_6.jpg"]);
        var stored = small["technicalMetadata"]!;
        Assert.Equal((70, 50, 6), (stored["width"]!.GetValue<int>(), stored["height"]!.GetValue<int>(), stored["orientation"]!.GetValue<int>()));
        using (var preview = Decode(await GetBinaryAsync(server, $"/api/v1/images/{ids["imaging/orientation_6.jpg"]}/preview")))
            Assert.Equal((50, 70), (preview.Width, preview.Height));

        // 829×663 with orientation 7 (transverse): shown tall, longest side brought down to 256.
        using (var preview = Decode(await GetBinaryAsync(server, $"/api/v1/images/{ids["exif-tagged/img-0003-00002.jpg"]}/preview")))
        {
            Assert.Equal(256, preview.Height);
            Assert.InRange(preview.Width, 203, 206); // 256 × 663 / 829 ≈ 204.7
        }

        // 600×400 PNG without orientation.
        using (var preview = Decode(await GetBinaryAsync(server, $"/api/v1/images/{ids["imaging/branches.png"]}/preview")))
            Assert.Equal((256, 171), (preview.Width, preview.Height));

        // A 32×32 PNG with an alpha channel keeps its transparency, as WebP.
        using (var preview = Decode(await GetBinaryAsync(server, $"/api/v1/images/{ids["pngsuite/basn6a08.png"]}/preview"), "image/webp"))
            Assert.Equal((32, 32, true), (preview.Width, preview.Height, preview.HasAlpha()));
    }

    [Fact]
    public async Task Preview_has_a_strong_etag_long_private_caching_and_answers_if_none_match_with_304()
    {
        var (_, ids) = await IngestAsync("imaging/branches.jpg");
        var url = $"/api/v1/images/{ids["imaging/branches.jpg"]}/preview";

        var first = await GetBinaryAsync(server, url);
        Assert.Equal(HttpStatusCode.OK, first.Status);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.True(first.Headers.CacheControl is { Private: true, MaxAge: not null } cache && cache.MaxAge.Value >= TimeSpan.FromDays(1),
            $"Cache-Control: {first.Headers.CacheControl}");

        var again = await GetBinaryAsync(server, url, ifNoneMatch: etag.Tag);
        Assert.Equal(HttpStatusCode.NotModified, again.Status);
        Assert.Empty(again.Bytes);
        Assert.Equal(etag, again.Headers.ETag);

        var stale = await GetBinaryAsync(server, url, ifNoneMatch: "\"not-the-etag\"");
        Assert.Equal(HttpStatusCode.OK, stale.Status);
        Assert.Equal(first.Bytes, stale.Bytes);
    }

    [Fact]
    public async Task Unknown_foreign_errored_and_malformed_ids()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var good = server.CorpusUri("imaging/branches.jpg");
        var bad = ServerFixture.FileUri(server.TextAsJpg);
        var ids = await Http.AddAndWaitAsync(datasetId, good, bad);

        Expect.Error(await Http.GetAsync($"/api/v1/images/{Guid.NewGuid()}/preview"), 404, "Image not found");
        using var other = server.ClientFor(await server.OtherOrgAsync());
        Expect.Error(await other.GetAsync($"/api/v1/images/{ids[good]}/preview"), 404, "Image not found");
        Expect.Error(await Http.GetAsync($"/api/v1/images/{ids[bad]}/preview"), 404, "The image has no preview: its ingestion ended in error.");
        Expect.Validation(await Http.GetAsync("/api/v1/images/not-a-uuid/preview"), "uuid_parsing", "path", "asset_id");
    }

    [Fact]
    public async Task A_corrupt_file_ends_in_error_keeping_its_technical_metadata_and_has_no_preview()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var whole = File.ReadAllBytes(server.Corpus("exif-tagged/img-0003-00002.jpg"));
        var cut = whole[..(whole.Length * 6 / 10)]; // the EXIF at the start stays whole
        var path = $"upload://{Expect.Sha256(cut)}/cut.jpg";
        var upload = await UploadsTests.UploadAsync(Http, datasetId, UploadsTests.Part.File(cut, "cut.jpg", "image/jpeg"));
        var imageId = IrisHttp.AssetId(Expect.Ok(upload), 0);

        var status = (await Http.WaitForTerminalAsync(datasetId, path))[path];
        Expect.ErrorStatus(status, "unsupported_format");
        Assert.StartsWith("The JPEG file does not decode completely", IrisHttp.Str(status["errorReason"]));
        var technical = (await Http.GetImageAsync(imageId))["technicalMetadata"]!;
        Assert.Equal("jpeg", IrisHttp.Str(technical["format"]));
        Assert.Equal(829, technical["width"]!.GetValue<int>());
        Assert.Equal("OLYMPUS IMAGING CORP.", IrisHttp.Str(technical["exif"]!["Make"]));
        Expect.Error(await Http.GetAsync($"/api/v1/images/{imageId}/preview"), 404);
    }

    [Fact]
    public async Task Deleting_the_dataset_deletes_the_preview_files()
    {
        var (datasetId, ids) = await IngestAsync("imaging/flowers.png");
        var id = Guid.Parse(ids["imaging/flowers.png"]).ToString("N");
        var file = Path.Combine(server.DataDir, "blobs", "previews", id[^2..], id);
        Assert.True(File.Exists(file), $"no preview file at {file}");

        Expect.Ok(await Http.DeleteAsync($"/api/v1/datasets/{datasetId}"));
        Assert.False(File.Exists(file), "the preview outlived its dataset");
        Expect.Error(await Http.GetAsync($"/api/v1/images/{ids["imaging/flowers.png"]}/preview"), 404, "Image not found");
    }

    [Fact]
    public async Task The_openapi_document_describes_the_preview_events_and_duplicates()
    {
        var document = Expect.Ok(await server.Anonymous.GetAsync("/openapi/v1.json"));
        var preview = document["paths"]!["/api/v1/images/{asset_id}/preview"]!["get"]!["responses"]!;
        Assert.NotNull(preview["200"]!["content"]!["image/jpeg"]);
        Assert.NotNull(preview["200"]!["content"]!["image/webp"]);
        Assert.NotNull(preview["304"]);
        Assert.NotNull(preview["404"]);
        var duplicates = document["paths"]!["/api/v1/images/{asset_id}/duplicates"]!["get"]!;
        Assert.NotNull(duplicates["responses"]!["200"]);
        Assert.Equal(["asset_id", "max_distance", "offset", "limit"], duplicates["parameters"]!.AsArray().Select(p => IrisHttp.Str(p!["name"])));
        var events = document["paths"]!["/api/v1/images/{asset_id}/events"]!["get"]!;
        Assert.Equal(["asset_id", "offset", "limit"], events["parameters"]!.AsArray().Select(p => IrisHttp.Str(p!["name"])));
        var schemas = document["components"]!["schemas"]!;
        Assert.Equal(["asset_id", "data", "meta"], schemas["DuplicatesResponse"]!["properties"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["asset_id", "source_path", "distance", "exact"], schemas["DuplicateImageResponse"]!["properties"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["asset_id", "data", "meta"], schemas["ImageEventsResponse"]!["properties"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["event_type", "event_entity", "timestamp_dt", "detail"], schemas["ImageEventResponse"]!["properties"]!.AsObject().Select(p => p.Key));
    }
}
