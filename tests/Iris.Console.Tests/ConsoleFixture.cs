using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Iris.Testing;
using Microsoft.Playwright;

namespace Iris.Console.Tests;

/// <summary>
/// One real <c>iris serve</c> process and one headless Debian Chromium for the whole class; each test opens its own
/// browser context (its own session storage), so each signs in for itself.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private IPlaywright? _playwright;

    public IrisTestServer Server { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public HttpClient Api { get; private set; } = null!;

    /// <summary>Where the screenshots go: artifacts/console-screenshots under the repository.</summary>
    public static string ScreenshotDir { get; } = Path.Combine(TestEnvironment.RepoRoot, "artifacts", "console-screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Chromium is missing ({ChromiumPath}): the browser tests drive Debian's Chromium. Install it with "
                + "'apt-get install -y chromium' (scripts/install-test-servers.sh does when it can).");
        }
        Directory.CreateDirectory(ScreenshotDir);
        Server = await IrisTestServer.StartAsync();
        Api = new HttpClient { BaseAddress = Server.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Server.Credential.AccessToken);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
        Assertions.SetDefaultExpectTimeout(20_000);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        Api?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
    }

    /// <summary>A new browser context and page at the given width, recording the page's errors.</summary>
    public async Task<ConsolePage> OpenAsync(int width = 1400, int height = 1000)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Server.Host,
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        return new ConsolePage(this, context, page);
    }

    public async Task<string> CreateDatasetAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 9, 128)];
        using var response = await Api.PostAsJsonAsync("/api/v1/datasets", new { name, encoder_name = "multimodal" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }

    /// <summary>Ingests the paths (with metadata) as one job and waits until every image has finished; answers path → asset id.</summary>
    public async Task<Dictionary<string, string>> IngestAndWaitAsync(string datasetId, params (string Path, JsonObject? Metadata)[] images)
    {
        var list = new JsonArray(images.Select(i => (JsonNode)new JsonObject { ["source_path"] = i.Path, ["metadata"] = i.Metadata?.DeepClone() }).ToArray());
        using (var response = await Api.PostAsJsonAsync("/api/v1/ingestion/images", new JsonObject { ["dataset_id"] = datasetId, ["images"] = list }))
            response.EnsureSuccessStatusCode();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var counts = (await Api.GetFromJsonAsync<JsonObject>($"/api/v1/ingestion/datasets/{datasetId}/assets/status/count"))!["data"]!;
            if (counts["in_progress"]!.GetValue<long>() == 0 && counts["total"]!.GetValue<long>() >= images.Length) break;
            await Task.Delay(100);
        }
        using var page = await Api.PostAsync($"/api/v1/ingestion/datasets/{datasetId}/assets/status?limit=1000", null);
        var body = (await page.Content.ReadFromJsonAsync<JsonObject>())!;
        return body["data"]!.AsArray().ToDictionary(a => a!["source_path"]!.GetValue<string>(), a => a!["asset_id"]!.GetValue<string>());
    }

    public async Task<JsonObject> ImageStatusAsync(string assetId) =>
        (JsonObject)(await Api.GetFromJsonAsync<JsonObject>($"/api/v1/ingestion/images/{assetId}/status"))!["data"]!;

    public static string CorpusUri(string relative) => new Uri(Path.Combine(TestEnvironment.CorpusRoot, relative)).AbsoluteUri;
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "Iris console";
}
