using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Iris.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Iris.Console.Tests;

/// <summary>The console in Debian's Chromium against a real server: the scenarios of issue 15.</summary>
[Collection(ConsoleCollection.Name)]
public sealed partial class ConsoleTests(ConsoleFixture fixture)
{
    private static readonly string[] ThreeImages = ["imaging/branches.jpg", "imaging/flowers.png", "go-image/video-001.jpeg"];

    [Fact]
    public async Task Sign_in_create_a_dataset_upload_three_images_watch_them_complete_and_see_their_previews()
    {
        await using var console = await fixture.OpenAsync();
        var page = console.Page;
        await console.SignInAsync();

        var name = "holidays_" + Guid.NewGuid().ToString("N")[..8];
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Description").FillAsync("Summer <b>2026</b>");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create dataset" }).ClickAsync();
        var link = page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true });
        await link.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("#stream-state")).ToHaveTextAsync("Live");

        await page.GetByLabel("Upload image files").SetInputFilesAsync(ThreeImages.Select(p => Path.Combine(TestEnvironment.CorpusRoot, p)));
        await Expect(page.Locator("#upload-message")).ToContainTextAsync("Uploaded 3 files");
        await Expect(page.Locator("#upload-progress")).ToHaveJSPropertyAsync("value", 1);

        // The counts arrive on the stream and the grid follows them, without a reload.
        await Expect(page.Locator("#count-completed")).ToHaveTextAsync("3", new() { Timeout = 60_000 });
        await Expect(page.Locator("#count-total")).ToHaveTextAsync("3");
        foreach (var file in ThreeImages.Select(Path.GetFileName))
        {
            var tile = page.GetByRole(AriaRole.Link, new() { Name = file });
            await Expect(tile).ToContainTextAsync("Completed");
            var img = tile.Locator("img");
            // Fetched with the bearer header and shown from a blob: URL; decoded (a broken image has no natural width).
            await Expect(img).ToHaveAttributeAsync("src", new Regex("^blob:"));
            await page.WaitForFunctionAsync("img => img.complete && img.naturalWidth > 0", await img.ElementHandleAsync());
        }
        await console.ScreenshotAsync("dataset-grid");

        // The secret is in session storage only: not in local storage, a cookie or any URL the page asked for.
        Assert.Equal(0, await page.EvaluateAsync<int>("localStorage.length"));
        Assert.Equal("", await page.EvaluateAsync<string>("document.cookie"));
        Assert.Empty((await console.Context.CookiesAsync()));
        console.AssertNoErrors();
    }

    [Fact]
    public async Task The_secret_never_appears_in_a_url_the_console_requests()
    {
        await using var console = await fixture.OpenAsync();
        var urls = new List<string>();
        console.Page.Request += (_, request) => { lock (urls) urls.Add(request.Url); };
        await console.SignInAsync();
        var datasetId = await fixture.CreateDatasetAsync("urls");
        await fixture.IngestAndWaitAsync(datasetId, (ConsoleFixture.CorpusUri("imaging/orientation_6.jpg"), null));
        await console.OpenDatasetAsync(datasetId);
        var tile = console.Page.GetByRole(AriaRole.Link, new() { Name = "orientation_6.jpg" });
        await Expect(tile.Locator("img")).ToHaveAttributeAsync("src", new Regex("^blob:"));
        await tile.ClickAsync();
        await Expect(console.Page.Locator("#image-preview")).ToHaveAttributeAsync("src", new Regex("^blob:"));
        lock (urls)
        {
            Assert.Contains(urls, u => u.Contains("/preview", StringComparison.Ordinal));
            Assert.DoesNotContain(urls, u => u.Contains(fixture.Server.Credential.ClientSecret, StringComparison.Ordinal));
        }
        Assert.Equal(fixture.Server.Credential.AccessToken, await console.Page.EvaluateAsync<string>("sessionStorage.getItem('iris.token')"));
        console.AssertNoErrors();
    }

    [Fact]
    public async Task Filtering_errors_shows_the_failed_image_and_its_page_tells_why_in_words()
    {
        var datasetId = await fixture.CreateDatasetAsync("errors");
        // Cut short after its EXIF: a broken file on purpose (corpus README), next to one that completes.
        var broken = ConsoleFixture.CorpusUri("exif-fragments/2004-01-11-22-45-15-sep-2004-01-11-22-45-15a.jpg");
        var ids = await fixture.IngestAndWaitAsync(datasetId, (broken, null), (ConsoleFixture.CorpusUri("imaging/branches.png"), null));
        var expected = await fixture.ImageStatusAsync(ids[broken]);
        Assert.Equal("error", expected["status"]!.GetValue<string>());

        await using var console = await fixture.OpenAsync();
        var page = console.Page;
        await console.SignInAsync();
        await console.OpenDatasetAsync(datasetId);
        await Expect(page.Locator("#image-grid > li")).ToHaveCountAsync(2);

        await page.GetByLabel("Status").SelectOptionAsync("error");
        await Expect(page.Locator("#image-grid > li")).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "branches.png" })).ToHaveCountAsync(0);
        var code = expected["error_code"]!.GetValue<string>();
        await page.GetByLabel("Error code").SelectOptionAsync(code);
        var tile = page.GetByRole(AriaRole.Link, new() { Name = "2004-01-11-22-45-15-sep-2004-01-11-22-45-15a.jpg" });
        await Expect(tile).ToContainTextAsync("Error");
        await console.ScreenshotAsync("dataset-errors");

        await tile.ClickAsync();
        await Expect(page.Locator("#failure")).ToContainTextAsync(code);
        await Expect(page.Locator("#error-reason")).ToHaveTextAsync(expected["error_reason"]!.GetValue<string>());
        await console.ScreenshotAsync("image-error");
        console.AssertNoErrors();
    }

    [Fact]
    public async Task An_image_page_shows_its_exif_make_its_metadata_events_duplicates_and_similar_images()
    {
        var entry = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(TestEnvironment.CorpusRoot, "exif-tagged", "expected.json")))!
            .AsArray().First(e => e!["name"]!.GetValue<string>().EndsWith(".jpg", StringComparison.Ordinal))!;
        var file = entry["name"]!.GetValue<string>();
        var datasetId = await fixture.CreateDatasetAsync("exif");
        var path = ConsoleFixture.CorpusUri("exif-tagged/" + file);
        var ids = await fixture.IngestAndWaitAsync(datasetId, (path, new JsonObject { ["season"] = 1, ["place"] = "Lyon" }),
            (ConsoleFixture.CorpusUri("imaging/flowers.png"), null));

        await using var console = await fixture.OpenAsync();
        var page = console.Page;
        await console.SignInAsync();
        await console.OpenDatasetAsync(datasetId);
        await page.GetByRole(AriaRole.Link, new() { Name = file }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = file, Level = 1 })).ToBeVisibleAsync();
        var make = page.Locator("#exif tr").Filter(new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = "Make", Exact = true }) });
        await Expect(make.Locator("td")).ToHaveTextAsync(entry["Make"]!.GetValue<string>());
        await Expect(page.Locator("#image-fields")).ToContainTextAsync(ids[path]);
        await Expect(page.Locator("#user-metadata")).ToContainTextAsync("Lyon");
        await Expect(page.Locator("#events li").First).ToContainTextAsync("received");
        await Expect(page.Locator("#events li").Last).ToContainTextAsync("completed");
        await Expect(page.Locator("#duplicates")).ToContainTextAsync("No duplicates");
        await Expect(page.Locator("#image-preview")).ToHaveAttributeAsync("src", new Regex("^blob:"));
        // The other image of the dataset, from the image-to-image search, with its score.
        await Expect(page.Locator("#similar").GetByRole(AriaRole.Link, new() { Name = "flowers.png" })).ToBeVisibleAsync();
        await Expect(page.Locator("#similar")).ToContainTextAsync("score");
        await console.ScreenshotAsync("image-page");
        console.AssertNoErrors();
    }

    [Fact]
    public async Task Counts_and_throughput_move_without_a_reload_while_30_images_are_ingested_from_pasted_paths()
    {
        var datasetId = await fixture.CreateDatasetAsync("live");
        var files = Directory.GetFiles(Path.Combine(TestEnvironment.CorpusRoot, "exif-tagged")).Where(f => !f.EndsWith(".json", StringComparison.Ordinal))
            .Concat(Directory.GetFiles(Path.Combine(TestEnvironment.CorpusRoot, "imaging")))
            .Concat(Directory.GetFiles(Path.Combine(TestEnvironment.CorpusRoot, "go-image")))
            .Order(StringComparer.Ordinal).Take(30).Select(f => new Uri(f).AbsoluteUri).ToList();
        Assert.Equal(30, files.Count);

        // Tall enough for the whole grid: previews load as tiles come into view.
        await using var console = await fixture.OpenAsync(height: 2200);
        var page = console.Page;
        await console.SignInAsync();
        await console.OpenDatasetAsync(datasetId);
        await Expect(page.Locator("#count-total")).ToHaveTextAsync("0");
        // Every value the counters take, recorded in the page, and a marker a reload would lose.
        await page.EvaluateAsync("""
            () => {
              window.__seen = { completed: [], total: [], throughput: [] };
              window.__marker = true;
              const watch = (id, list) => new MutationObserver(() => list.push(document.getElementById(id).textContent))
                .observe(document.getElementById(id), { childList: true, characterData: true, subtree: true });
              watch('count-completed', window.__seen.completed);
              watch('count-total', window.__seen.total);
              new MutationObserver(() => window.__seen.throughput.push(document.querySelector('.throughput').textContent))
                .observe(document.querySelector('.throughput'), { childList: true, characterData: true, subtree: true });
            }
            """);

        await page.GetByLabel("Paths to ingest").FillAsync(string.Join("\n", files));
        await page.GetByRole(AriaRole.Button, new() { Name = "Ingest paths" }).ClickAsync();
        await Expect(page.Locator("#paths-message")).ToContainTextAsync("Ingesting 30 paths");
        await Expect(page.Locator("#count-total")).ToHaveTextAsync("30");
        await page.WaitForFunctionAsync("() => Number(document.getElementById('count-completed').textContent) + Number(document.getElementById('count-error').textContent) === 30",
            null, new() { Timeout = 90_000 });
        // The grid follows the counts (a refresh at most every 2 s): no tile stays pending, and the previews load.
        await Expect(page.Locator("#image-grid .badge-pending, #image-grid .badge-processing_started")).ToHaveCountAsync(0);
        await Expect(page.Locator("#grid-note")).ToContainTextAsync("30 images");
        foreach (var img in await page.Locator("#image-grid .status-completed img").AllAsync())
            await Expect(img).ToHaveAttributeAsync("src", new Regex("^blob:"));
        await console.ScreenshotAsync("dataset-live");

        Assert.True(await page.EvaluateAsync<bool>("window.__marker === true"), "the page reloaded");
        var seen = await page.EvaluateAsync<JsonElement>("window.__seen");
        var completed = seen.GetProperty("completed").EnumerateArray().Select(v => long.Parse(v.GetString()!, System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
        var throughput = seen.GetProperty("throughput").EnumerateArray().Select(v => v.GetString()!).ToList();
        Assert.Contains("30", seen.GetProperty("total").EnumerateArray().Select(v => v.GetString()));
        Assert.True(completed.Count >= 2, $"the completed count took the values {string.Join(", ", completed)}");
        Assert.Equal(completed.Order(), completed); // it only grows
        Assert.Contains(throughput, t => !t.Contains(" 0.0 ", StringComparison.Ordinal));
        await Expect(page.Locator(".chart-line")).ToHaveAttributeAsync("points", new Regex(@"\d"));

        console.AssertNoErrors();
    }

    [Fact]
    public async Task Markup_in_file_names_and_metadata_is_shown_as_text_and_runs_nothing()
    {
        const string Hostile = "<img src=x onerror=\"window.__pwned=1\">";
        var datasetId = await fixture.CreateDatasetAsync("hostile");
        var path = ConsoleFixture.CorpusUri("imaging/orientation_3.jpg");
        await fixture.IngestAndWaitAsync(datasetId, (path, new JsonObject { ["caption"] = Hostile, [Hostile] = "key" }));

        await using var console = await fixture.OpenAsync();
        var page = console.Page;
        await console.SignInAsync();
        await console.OpenDatasetAsync(datasetId);
        // An upload's path carries its file name: a name that is markup.
        var named = Path.Combine(fixture.Server.TempRoot, "<img src=x onerror=window.__pwned=2>.jpg");
        File.Copy(Path.Combine(TestEnvironment.CorpusRoot, "imaging", "orientation_5.jpg"), named, overwrite: true);
        await page.GetByLabel("Upload image files").SetInputFilesAsync(named);
        await Expect(page.Locator("#count-completed")).ToHaveTextAsync("2", new() { Timeout = 60_000 });
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "<img src=x onerror=window.__pwned=2>.jpg" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "orientation_3.jpg" }).ClickAsync();
        await Expect(page.Locator("#user-metadata")).ToContainTextAsync(Hostile);
        Assert.Equal(0, await page.Locator("main img[src='x']").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("window.__pwned === undefined"), "markup from the data ran");
        console.AssertNoErrors();
    }

    [Fact]
    public async Task Files_dropped_on_the_drop_zone_are_uploaded_as_one_job()
    {
        var datasetId = await fixture.CreateDatasetAsync("dropped");
        await using var console = await fixture.OpenAsync();
        var page = console.Page;
        await console.SignInAsync();
        await console.OpenDatasetAsync(datasetId);

        // What a browser hands the page when files are dropped: a DataTransfer holding them.
        var bytes = Convert.ToBase64String(await File.ReadAllBytesAsync(Path.Combine(TestEnvironment.CorpusRoot, "imaging", "orientation_1.jpg")));
        var transfer = await page.EvaluateHandleAsync("""
            base64 => {
              const data = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
              const transfer = new DataTransfer();
              transfer.items.add(new File([data], 'dropped.jpg', { type: 'image/jpeg' }));
              return transfer;
            }
            """, bytes);
        await page.Locator("#drop-zone").DispatchEventAsync("dragover", new Dictionary<string, object> { ["dataTransfer"] = transfer });
        await page.Locator("#drop-zone").DispatchEventAsync("drop", new Dictionary<string, object> { ["dataTransfer"] = transfer });

        await Expect(page.Locator("#upload-message")).ToContainTextAsync("Uploaded 1 file");
        await Expect(page.Locator("#count-completed")).ToHaveTextAsync("1", new() { Timeout = 60_000 });
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "dropped.jpg" })).ToContainTextAsync("Completed");
        console.AssertNoErrors();
    }

    [Fact]
    public async Task Deleting_a_dataset_asks_first_and_cancel_keeps_it()
    {
        var datasetId = await fixture.CreateDatasetAsync("doomed");
        await using var console = await fixture.OpenAsync();
        var page = console.Page;
        await console.SignInAsync();
        var name = await DatasetNameAsync(datasetId);
        var delete = page.GetByRole(AriaRole.Button, new() { Name = $"Delete {name}" });

        await delete.ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync(name);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await fixture.Api.GetAsync($"/api/v1/datasets/{datasetId}")).StatusCode);

        await delete.ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true })).ToHaveCountAsync(0);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await fixture.Api.GetAsync($"/api/v1/datasets/{datasetId}")).StatusCode);
        console.AssertNoErrors();
    }

    [Fact]
    public async Task At_a_phone_width_the_dataset_page_fits_and_works_from_the_keyboard()
    {
        var datasetId = await fixture.CreateDatasetAsync("phone");
        await fixture.IngestAndWaitAsync(datasetId, ThreeImages.Select(p => (ConsoleFixture.CorpusUri(p), (JsonObject?)null)).ToArray());
        await using var console = await fixture.OpenAsync(width: 390, height: 844);
        var page = console.Page;
        await page.GotoAsync("/");
        // Sign in with the keyboard only.
        await page.Keyboard.PressAsync("Tab");
        await page.GetByLabel("Client ID").FocusAsync();
        await page.Keyboard.TypeAsync(fixture.Server.Credential.ClientId);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(fixture.Server.Credential.ClientSecret);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Datasets", Exact = true })).ToBeVisibleAsync();
        await console.OpenDatasetAsync(datasetId);
        await Expect(page.Locator("#count-completed")).ToHaveTextAsync("3");
        await Expect(page.Locator("#image-grid > li")).ToHaveCountAsync(3);
        // Previews load as they scroll into view.
        foreach (var tile in await page.Locator("#image-grid img").AllAsync())
        {
            await tile.ScrollIntoViewIfNeededAsync();
            await Expect(tile).ToHaveAttributeAsync("src", new Regex("^blob:"));
        }
        await console.ScreenshotAsync("dataset-phone");
        // Nothing wider than the screen.
        var overflowing = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
            + ".map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + Math.round(e.getBoundingClientRect().right))");
        Assert.True(overflowing.Length == 0, "wider than 390 px: " + string.Join(", ", overflowing));
        console.AssertNoErrors();
    }

    [Fact]
    public async Task The_console_answers_with_its_security_headers_and_leaves_the_api_routes_alone()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Server.BaseUri };
        foreach (var path in new[] { "/", "/console/app.js", "/console/console.css" })
        {
            using var response = await anonymous.GetAsync(path);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
            Assert.Equal("nosniff", string.Join("", response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("no-referrer", string.Join("", response.Headers.GetValues("Referrer-Policy")));
        }
        using var index = await anonymous.GetAsync("/");
        var html = await index.Content.ReadAsStringAsync();
        Assert.DoesNotMatch(InlineScript(), html); // every script has a src

        using var missing = await anonymous.GetAsync("/console/missing.js");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("{\"detail\":\"Not Found\"}", await missing.Content.ReadAsStringAsync());
        using var docs = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(System.Net.HttpStatusCode.OK, docs.StatusCode);
    }

    private async Task<string> DatasetNameAsync(string datasetId) =>
        JsonNode.Parse(await fixture.Api.GetStringAsync($"/api/v1/datasets/{datasetId}"))!["name"]!.GetValue<string>();

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();
}
