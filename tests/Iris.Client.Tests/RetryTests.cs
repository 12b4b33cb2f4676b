using System.Diagnostics;
using System.Net;
using System.Text;
using Iris.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Client.Tests;

/// <summary>
/// 429 and 5xx cannot be provoked on a healthy server, so these run against a scripted loopback server
/// that answers each request with the next canned response.
/// </summary>
public sealed class RetryTests
{
    private const string AssetJson = """
        {"createdUserId":"c","createdDt":"2026-11-28T15:11:45.456777Z","updatedUserId":"c","updatedDt":"2026-11-28T15:11:47.101000Z",
         "coactiveImageId":"a6894d72-612d-4c20-b4d0-8f3f21c2bb10","path":"s3://b/k.jpg","id":null,"metadata":null,
         "datasetId":"556f4d52-a557-461e-a204-69236fd9c1e2","status":"pending","technicalMetadata":null}
        """;

    [Fact]
    public async Task A_429_is_retried_after_the_Retry_After_delay()
    {
        await using var server = ScriptedServer.Start(
            (429, """{"detail":"Too many requests"}""", "1"),
            (200, AssetJson, null));
        using var client = new ApiClient(new Configuration { Host = server.Host, AccessToken = "id:secret" });

        var clock = Stopwatch.StartNew();
        var asset = await new ImageApi(client).GetMetadataForImageAsync(Guid.Parse("a6894d72-612d-4c20-b4d0-8f3f21c2bb10"));

        Assert.Equal("s3://b/k.jpg", asset.Path);
        Assert.Equal(2, server.Requests.Count);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"retried after {clock.Elapsed}, before Retry-After");
        Assert.All(server.Requests, r => Assert.Equal("Bearer id:secret", r.Authorization));
    }

    [Fact]
    public async Task Server_errors_are_retried_then_reported()
    {
        await using var server = ScriptedServer.Start(
            (503, """{"detail":"Service Unavailable"}""", null),
            (500, """{"detail":"Internal Server Error"}""", null),
            (200, AssetJson, null),
            (500, """{"detail":"Internal Server Error"}""", null),
            (500, """{"detail":"Internal Server Error"}""", null),
            (500, """{"detail":"Internal Server Error"}""", null));
        using var client = new ApiClient(new Configuration { Host = server.Host, AccessToken = "id:secret", MaxRetryAttempts = 2 });
        var api = new ImageApi(client);

        var asset = await api.GetMetadataForImageAsync("a6894d72-612d-4c20-b4d0-8f3f21c2bb10");
        Assert.Equal("pending", asset.Status);
        Assert.Equal(3, server.Requests.Count);

        var error = await Assert.ThrowsAsync<ApiException>(() => api.GetMetadataForImageAsync("a6894d72-612d-4c20-b4d0-8f3f21c2bb10"));
        Assert.Equal(500, error.StatusCode);
        Assert.Equal("Internal Server Error", error.Detail);
        Assert.Equal(6, server.Requests.Count); // one try and two retries
    }

    [Fact]
    public async Task A_client_error_is_not_retried_and_a_non_json_body_is_kept_raw()
    {
        await using var server = ScriptedServer.Start((404, "<html>proxy says no</html>", null));
        using var client = new ApiClient(new Configuration { Host = server.Host });

        var error = await Assert.ThrowsAsync<ApiException>(() => new DatasetApi(client).GetDatasetAsync(Guid.NewGuid()));

        Assert.Equal(404, error.StatusCode);
        Assert.Equal("<html>proxy says no</html>", error.Body);
        Assert.Null(error.Detail);
        Assert.Single(server.Requests);
        Assert.Null(server.Requests[0].Authorization);
    }

    [Fact]
    public async Task AddIrisClient_registers_the_apis_with_the_same_retries()
    {
        await using var server = ScriptedServer.Start(
            (429, """{"detail":"Too many requests"}""", "0"),
            (502, "bad gateway", null),
            (200, AssetJson, null));
        var services = new ServiceCollection();
        services.AddIrisClient(c =>
        {
            c.Host = server.Host + "/";
            c.AccessToken = "di:token";
        });
        await using var provider = services.BuildServiceProvider();

        var asset = await provider.GetRequiredService<ImageApi>().GetMetadataForImageAsync(Guid.Parse("a6894d72-612d-4c20-b4d0-8f3f21c2bb10"));

        Assert.Equal(Guid.Parse("556f4d52-a557-461e-a204-69236fd9c1e2"), asset.DatasetId);
        Assert.Equal(3, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal("Bearer di:token", r.Authorization));
        Assert.Equal("/api/v0/images/a6894d72-612d-4c20-b4d0-8f3f21c2bb10/metadata", server.Requests[0].Path);
        Assert.NotNull(provider.GetRequiredService<DatasetApi>());
        Assert.NotNull(provider.GetRequiredService<IngestionApi>());
    }

    [Fact]
    public async Task An_unreachable_server_is_an_HttpRequestException()
    {
        using var client = new ApiClient(new Configuration { Host = $"http://127.0.0.1:{TestEnvironment.FreePort()}", MaxRetryAttempts = 1 });
        await Assert.ThrowsAsync<HttpRequestException>(() => new DatasetApi(client).ListDatasetsAsync());
    }

    [Fact]
    public void A_host_that_is_not_an_http_address_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ApiClient(new Configuration { Host = "ftp://x" }));
        Assert.Contains("ftp://x", error.Message);
    }

    private sealed record Seen(string Path, string? Authorization);

    /// <summary>A loopback HTTP server answering the n-th request with the n-th scripted response.</summary>
    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Queue<(int Status, string Body, string? RetryAfter)> _script;
        private readonly Task _loop;

        private ScriptedServer(IEnumerable<(int, string, string?)> script)
        {
            _script = new Queue<(int, string, string?)>(script);
            var port = TestEnvironment.FreePort();
            Host = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Host + "/");
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }

        public string Host { get; }
        public List<Seen> Requests { get; } = [];

        public static ScriptedServer Start(params (int, string, string?)[] script) => new(script);

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
                lock (Requests) Requests.Add(new Seen(context.Request.Url!.AbsolutePath, context.Request.Headers["Authorization"]));
                var (status, body, retryAfter) = _script.Count > 0 ? _script.Dequeue() : (599, "script exhausted", null);
                context.Response.StatusCode = status;
                context.Response.ContentType = body.StartsWith('{') ? "application/json" : "text/html";
                if (retryAfter is not null) context.Response.Headers["Retry-After"] = retryAfter;
                var bytes = Encoding.UTF8.GetBytes(body);
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            await _loop;
        }
    }
}
