using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Iris.Server.Tests;

/// <summary>Unknown routes, wrong methods, wrong types and abuse: clean answers and a server that stays up.</summary>
[Collection(IrisServerCollection.Name)]
public sealed class BadInputTests(ServerFixture server)
{
    private IrisHttp Http => server.Http;

    private async Task AssertHealthy()
    {
        var r = await server.Anonymous.GetAsync("/healthz");
        Expect.JsonEqual(new JsonObject { ["status"] = "ok" }, Expect.Ok(r), "healthz");
    }

    [Theory]
    [InlineData("GET", "/nope")]
    [InlineData("GET", "/api/v0/nothing")]
    [InlineData("GET", "/api/v2/datasets")]
    [InlineData("POST", "/api/v1/nothing/here")]
    [InlineData("GET", "/api/v1/datasets/00000000-0000-0000-0000-000000000000/bogus")]
    [InlineData("GET", "/api/v0/images/00000000-0000-0000-0000-000000000000/metadata/extra")]
    public async Task Unknown_route_is_404_json(string method, string url)
    {
        var r = await Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));
        Expect.Error(r, 404, "Not Found");
    }

    [Theory]
    [InlineData("PATCH", "/api/v1/datasets")]
    [InlineData("DELETE", "/api/v0/images/metadata")]
    [InlineData("PUT", "/api/v0/images/metadata")]
    [InlineData("POST", "/api/v0/images/00000000-0000-0000-0000-000000000000/metadata")]
    [InlineData("DELETE", "/api/v0/images/00000000-0000-0000-0000-000000000000/metadata")]
    [InlineData("PUT", "/api/v0/datasets/00000000-0000-0000-0000-000000000000/images/statuses")]
    [InlineData("PUT", "/api/v1/datasets/00000000-0000-0000-0000-000000000000")]
    [InlineData("GET", "/api/v1/ingestion/images")]
    [InlineData("PUT", "/api/v1/ingestion/metadata")]
    [InlineData("GET", "/api/v1/datasets/00000000-0000-0000-0000-000000000000/uploads")]
    [InlineData("POST", "/healthz")]
    public async Task Wrong_method_is_405_json(string method, string url)
    {
        var r = await Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));
        Expect.Error(r, 405, "Method Not Allowed");
    }

    [Fact]
    public async Task Wrong_json_types_are_422_at_their_place()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        const string images = "/api/v1/ingestion/images";
        string Job(string rest) => $"{{\"dataset_id\": \"{datasetId}\", {rest}}}";

        Expect.Validation(await Http.SendJsonAsync(HttpMethod.Post, images, Job("\"images\": \"x\"")), "list_type", "body", "images");
        Expect.Validation(await Http.SendJsonAsync(HttpMethod.Post, images, Job("\"images\": [{\"source_path\": 5}]")),
            "string_type", "body", "images", 0, "source_path");
        Expect.Validation(await Http.SendJsonAsync(HttpMethod.Post, images, Job("\"images\": [\"just-a-string.jpg\"]")),
            "dict_type", "body", "images", 0);
        Expect.Validation(await Http.SendJsonAsync(HttpMethod.Post, images, Job("\"images\": [{\"source_path\": \"a.jpg\", \"metadata\": \"str\"}]")),
            "dict_type", "body", "images", 0, "metadata");
        Expect.Validation(await Http.SendJsonAsync(HttpMethod.Post, "/api/v1/ingestion/buckets", Job("\"path\": 5")), "string_type", "body", "path");
        Expect.Validation(await Http.SendJsonAsync(HttpMethod.Post, images, "[1, 2]"), null, "body");
        Expect.Validation(await Http.SendJsonAsync(HttpMethod.Post, images, "\"text\""), null, "body");

        var ids = await Http.SendJsonAsync(HttpMethod.Post, "/api/v0/images/metadata", "{\"coactiveImageIds\": [1, 2]}");
        Expect.Validation(ids, null, "body", "coactiveImageIds", 0);
        Expect.Validation(ids, null, "body", "coactiveImageIds", 1);
        Expect.Validation(await Http.SendJsonAsync(HttpMethod.Post, "/api/v0/images/metadata", "{\"coactiveImageIds\": \"x\"}"),
            "list_type", "body", "coactiveImageIds");

        var statuses = $"/api/v0/datasets/{datasetId}/images/statuses";
        Expect.Validation(await Http.SendJsonAsync(HttpMethod.Post, statuses, "{\"paths\": \"x\"}"), "list_type", "body", "paths");
        Expect.Validation(await Http.SendJsonAsync(HttpMethod.Post, statuses, "{\"paths\": [\"ok\", 1]}"), "string_type", "body", "paths", 1);

        Expect.Validation(await Http.SendJsonAsync(HttpMethod.Post, "/api/v1/datasets", "{\"name\": 5}"), "string_type", "body", "name");
        Expect.Validation(await Http.SendJsonAsync(HttpMethod.Post, "/api/v1/datasets", "{\"name\": \"ok_name\", \"description\": 5}"),
            "string_type", "body", "description");
        Expect.Validation(await Http.SendJsonAsync(HttpMethod.Post, "/api/v1/ingestion/metadata", Job("\"update_assets\": {}")),
            "list_type", "body", "update_assets");
        await AssertHealthy();
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{\"name\": }")]
    [InlineData("{\"name\": \"a\"} trailing")]
    [InlineData("{'name': 'single quotes'}")]
    [InlineData("{\"name\": \"a\",}")]
    [InlineData("NaN")]
    public async Task Malformed_json_is_422_json_invalid(string json)
    {
        Expect.Validation(await Http.SendJsonAsync(HttpMethod.Post, "/api/v1/datasets", json), "json_invalid", "body");
    }

    [Fact]
    public async Task Invalid_utf8_is_422_json_invalid()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        byte[] bad = [.. System.Text.Encoding.UTF8.GetBytes($"{{\"dataset_id\":\"{datasetId}\",\"images\":[{{\"source_path\":\""), 0xC3, 0x28, 0xFF, .. "\"}]}"u8];
        Expect.Validation(await Http.SendBytesAsync(HttpMethod.Post, "/api/v1/ingestion/images", bad, "application/json"),
            "json_invalid", "body");
        await AssertHealthy();
    }

    [Fact]
    public async Task Deep_nesting_is_422()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var deep = new string('[', 100_000) + new string(']', 100_000);
        var r = await Http.SendJsonAsync(HttpMethod.Post, "/api/v1/ingestion/images", deep);
        Expect.Validation(r, null, "body");
        var nested = $"{{\"dataset_id\":\"{datasetId}\",\"images\":[{{\"source_path\":\"a.jpg\",\"metadata\":{{\"k\":" + new string('[', 5000) + new string(']', 5000) + "}}]}";
        Assert.Equal(422, (await Http.SendJsonAsync(HttpMethod.Post, "/api/v1/ingestion/images", nested)).Code);
        await AssertHealthy();
    }

    [Fact]
    public async Task Huge_json_body_is_refused()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var sb = new StringBuilder($"{{\"dataset_id\":\"{datasetId}\",\"images\":[{{\"source_path\":\"");
        sb.Append('a', 20 * 1024 * 1024);
        sb.Append("\"}]}");
        // Expect: 100-continue lets a server refuse by Content-Length before the 20 MB are sent.
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ingestion/images")
        {
            Content = new StringContent(sb.ToString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.ExpectContinue = true;
        var r = await Http.SendAsync(request);
        if (r.Code == 413) Expect.Error(r, 413);
        else Expect.ValidationEntries(r);
        await AssertHealthy();
    }

    [Fact]
    public async Task Huge_headers_are_refused_cleanly()
    {
        var big = new string('a', 100_000);
        var custom = new HttpRequestMessage(HttpMethod.Get, "/api/v1/datasets");
        custom.Headers.TryAddWithoutValidation("X-Big", big);
        var r1 = await Http.SendAsync(custom);
        Assert.True(r1.Code is 200 or 400 or 431, $"100 KB header: {r1}");

        var auth = new HttpRequestMessage(HttpMethod.Get, "/api/v1/datasets");
        auth.Headers.TryAddWithoutValidation("Authorization", "Bearer " + big + ":" + big);
        var r2 = await server.Anonymous.SendAsync(auth);
        Assert.True(r2.Code is 400 or 401 or 431, $"100 KB Authorization: {r2}");
        if (r2.Code == 401) Expect.Error(r2, 401, "Invalid authentication credentials");
        await AssertHealthy();
    }

    [Fact]
    public async Task Barrage_does_not_kill_the_server()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        const string assets = "/api/v1/ingestion/images";
        var tasks = new List<Task<ApiResponse>>();
        for (var i = 0; i < 5; i++)
        {
            tasks.Add(Http.SendJsonAsync(HttpMethod.Post, assets, "{\"images\": [{"));
            tasks.Add(Http.SendJsonAsync(HttpMethod.Post, assets, $"{{\"dataset_id\": \"{datasetId}\", \"images\": \"x\"}}"));
            tasks.Add(Http.SendJsonAsync(HttpMethod.Post, assets, $"{{\"dataset_id\": \"{datasetId}\", \"images\": [{{\"source_path\": 5}}]}}"));
            tasks.Add(Http.SendJsonAsync(HttpMethod.Post, "/api/v0/images/metadata", "{\"coactiveImageIds\": [1,2]}"));
            tasks.Add(Http.GetAsync("/api/v0/images/metadata?coactive_image_ids=zzz&coactive_image_ids=%00%FF"));
            tasks.Add(Http.GetAsync("/api/v0/images/%zz/metadata"));
            tasks.Add(Http.GetAsync("/api/v0/images/metadata?coactive_image_ids=%zz"));
            tasks.Add(Http.GetAsync($"/api/v0/datasets/{datasetId}/images/statuses?paths=%00"));
            tasks.Add(Http.GetAsync("/api/v1/datasets?limit=99999999999999999999&offset=-99999999999999999999"));
            tasks.Add(Http.GetAsync($"/api/v1/datasets/{new string('9', 5000)}"));
            tasks.Add(Http.SendBytesAsync(HttpMethod.Post, assets, "{\"images\":[]}"u8.ToArray(), "text/plain"));
            tasks.Add(Http.SendBytesAsync(HttpMethod.Post, assets, [], "application/json"));
            tasks.Add(Http.SendBytesAsync(HttpMethod.Post, $"/api/v1/datasets/{datasetId}/uploads", "garbage"u8.ToArray(),
                "multipart/form-data; boundary=nothing"));
            tasks.Add(Http.SendBytesAsync(HttpMethod.Post, $"/api/v1/datasets/{datasetId}/uploads", "{}"u8.ToArray(), "application/json"));
        }
        var responses = await Task.WhenAll(tasks);
        foreach (var r in responses)
        {
            Assert.True(r.Code < 500, $"Expected no 5xx: {r}");
            if (r.Code == 200) Assert.Contains("/images/statuses?paths=%00", r.Request); // odd but valid
            else if (r.Code == 422) Expect.ValidationEntries(r);
            else if (r.Text.Length > 0) Expect.Error(r, r.Code);
        }
        await AssertHealthy();
        // The dataset is untouched and still works.
        Assert.Equal(0, (await Http.GetDatasetAsync(datasetId))["image_count"]!.GetValue<int>());
        var ok = await Http.AddAndWaitAsync(datasetId, server.CorpusUri("imaging/orientation_0.jpg"));
        Assert.Single(ok);
    }

    [Theory]
    [InlineData("multipart/form-data; boundary=nothing", "garbage")]
    [InlineData("multipart/form-data", "--x\r\n")]
    [InlineData("application/json", "{}")]
    [InlineData("application/x-www-form-urlencoded", "id=1&path=x.jpg")]
    public async Task Malformed_upload_bodies_are_4xx(string contentType, string body)
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var r = await Http.SendBytesAsync(HttpMethod.Post, $"/api/v1/datasets/{datasetId}/uploads", Encoding.UTF8.GetBytes(body), contentType);
        Assert.True(r.Code is >= 400 and < 500, $"Expected a 4xx: {r}");
        if (r.Code == 422) Expect.ValidationEntries(r);
        else if (r.Text.Length > 0) Expect.Error(r, r.Code);
        await AssertHealthy();
    }

    [Fact]
    public async Task Empty_images_list_is_accepted_or_refused_cleanly()
    {
        var datasetId = await Http.CreateDatasetIdAsync();
        var r = await Http.PostAsync("/api/v1/ingestion/images", IrisHttp.ImagesJob(datasetId));
        if (r.Code == 200)
        {
            Expect.Uuid(r.Json["id"]);
            Assert.Empty(IrisHttp.Assets(r.Json));
        }
        else
        {
            Expect.Validation(r, null, "body", "images");
        }
    }

    [Fact]
    public async Task Request_with_json_content_type_parameter_variants_is_understood()
    {
        var content = new StringContent($"{{\"name\":\"{Names.Unique("ct")}\",\"encoder_name\":\"multimodal\"}}", Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");
        var r = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/datasets") { Content = content });
        Expect.Ok(r);
    }
}
