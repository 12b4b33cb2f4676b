using System.Text;
using System.Text.Json.Nodes;

namespace Iris.Server.Tests;

/// <summary>Authorization on every /api route; /healthz is open.</summary>
[Collection(IrisServerCollection.Name)]
public sealed class AuthTests(ServerFixture server)
{
    private static readonly string SomeId = Guid.NewGuid().ToString();

    /// <summary>Every /api route (the preview route is not implemented yet), with a valid request otherwise.</summary>
    private static readonly Dictionary<string, Func<HttpRequestMessage>> Routes = new()
    {
        ["GET image metadata"] = () => new(HttpMethod.Get, $"/api/v0/images/{SomeId}/metadata"),
        ["GET images metadata"] = () => new(HttpMethod.Get, $"/api/v0/images/metadata?coactive_image_ids={SomeId}"),
        ["POST images metadata"] = () => Json(HttpMethod.Post, "/api/v0/images/metadata", $"{{\"coactiveImageIds\":[\"{SomeId}\"]}}"),
        ["GET statuses"] = () => new(HttpMethod.Get, $"/api/v0/datasets/{SomeId}/images/statuses?paths=a.jpg"),
        ["POST statuses"] = () => Json(HttpMethod.Post, $"/api/v0/datasets/{SomeId}/images/statuses", "{\"paths\":[\"a.jpg\"]}"),
        ["POST datasets"] = () => Json(HttpMethod.Post, "/api/v1/datasets", $"{{\"name\":\"{Names.Unique("auth")}\",\"encoder_name\":\"multimodal\"}}"),
        ["GET datasets"] = () => new(HttpMethod.Get, "/api/v1/datasets"),
        ["GET dataset"] = () => new(HttpMethod.Get, $"/api/v1/datasets/{SomeId}"),
        ["DELETE dataset"] = () => new(HttpMethod.Delete, $"/api/v1/datasets/{SomeId}"),
        ["POST ingestion images"] = () => Json(HttpMethod.Post, "/api/v1/ingestion/images",
            $"{{\"dataset_id\":\"{SomeId}\",\"images\":[{{\"source_path\":\"ftp://x/y.jpg\"}}]}}"),
        ["POST ingestion metadata"] = () => Json(HttpMethod.Post, "/api/v1/ingestion/metadata",
            $"{{\"dataset_id\":\"{SomeId}\",\"update_assets\":[{{\"asset_id\":\"{SomeId}\",\"asset_type\":\"image\",\"metadata\":{{\"a\":\"b\"}}}}]}}"),
        ["POST uploads"] = () => new(HttpMethod.Post, $"/api/v1/datasets/{SomeId}/uploads")
        {
            Content = UploadsTests.Form(UploadsTests.Part.File([1, 2, 3], "x.jpg")),
        },
        ["POST delete assets"] = () => Json(HttpMethod.Post, "/api/v0/delete/assets",
            $"{{\"dataset_id\":\"{SomeId}\",\"assets\":[{{\"asset_type\":\"image\",\"identifier\":\"{SomeId}\"}}]}}"),
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var route in Routes.Keys)
        foreach (var auth in new[] { "none", "basic", "garbage", "unknown", "wrongsecret", "empty-bearer" })
            data.Add(route, auth);
        return data;
    }

    public static TheoryData<string> RouteNames()
    {
        var data = new TheoryData<string>();
        foreach (var route in Routes.Keys) data.Add(route);
        return data;
    }

    private static HttpRequestMessage Json(HttpMethod method, string url, string json) =>
        new(method, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_credentials_are_refused(string route, string auth)
    {
        var request = Routes[route]();
        switch (auth)
        {
            case "none":
                break;
            case "basic":
                request.Headers.TryAddWithoutValidation("Authorization",
                    "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{server.ClientId}:{server.ClientSecret}")));
                break;
            case "garbage":
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer garbage");
                break;
            case "unknown":
                request.Headers.TryAddWithoutValidation("Authorization", $"Bearer unknown-{Guid.NewGuid():N}:secret");
                break;
            case "wrongsecret":
                request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {server.ClientId}:wrong{server.ClientSecret}");
                break;
            case "empty-bearer":
                request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {server.ClientId}:");
                break;
        }
        var r = await server.Anonymous.SendAsync(request);
        if (auth is "none" or "basic")
        {
            Expect.Error(r, 403, "Not authenticated");
        }
        else
        {
            Expect.Error(r, 401, "Invalid authentication credentials");
            Assert.True(r.Headers.WwwAuthenticate.ToString() == "Bearer", $"WWW-Authenticate: {r.Headers.WwwAuthenticate}: {r}");
        }
    }

    [Theory]
    [MemberData(nameof(RouteNames))]
    public async Task Valid_credential_gets_past_authentication(string route)
    {
        var r = await server.Http.SendAsync(Routes[route]());
        Assert.True(r.Code is not (401 or 403), $"Valid credential refused: {r}");
        Assert.True(r.Code is 200 or 404, $"Unexpected answer: {r}");
    }

    [Fact]
    public async Task Healthz_needs_no_credentials()
    {
        var r = await server.Anonymous.GetAsync("/healthz");
        Expect.JsonEqual(new JsonObject { ["status"] = "ok" }, Expect.Ok(r), "healthz");
        var withGarbage = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        withGarbage.Headers.TryAddWithoutValidation("Authorization", "Bearer garbage");
        Expect.JsonEqual(new JsonObject { ["status"] = "ok" }, Expect.Ok(await server.Anonymous.SendAsync(withGarbage)), "healthz");
    }

    [Fact]
    public async Task Bootstrap_credential_is_recorded_as_the_creator()
    {
        var d = await server.Http.CreateDatasetAsync();
        Assert.Equal(server.ClientId, IrisHttp.Str(d["created_by"]));
    }

    [Fact]
    public async Task Created_client_works_and_its_secret_is_checked()
    {
        var cred = await server.OtherOrgAsync();
        using var ok = server.ClientFor(cred);
        var d = await ok.CreateDatasetAsync();
        Assert.Equal(cred.ClientId, IrisHttp.Str(d["created_by"]));
        using var wrong = new IrisHttp(server.BaseUri, $"Bearer {cred.ClientId}:{cred.ClientSecret}x");
        var r = await wrong.GetAsync("/api/v1/datasets");
        Expect.Error(r, 401, "Invalid authentication credentials");
        // A secret of one client does not open another client.
        using var crossed = new IrisHttp(server.BaseUri, $"Bearer {server.ClientId}:{cred.ClientSecret}");
        Expect.Error(await crossed.GetAsync("/api/v1/datasets"), 401, "Invalid authentication credentials");
    }
}
