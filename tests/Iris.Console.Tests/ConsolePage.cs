using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Iris.Console.Tests;

/// <summary>A page of the console in its own browser context, with every script error and failed load it logged.</summary>
public sealed class ConsolePage : IAsyncDisposable
{
    private readonly ConsoleFixture _fixture;
    private readonly List<string> _errors = [];

    public ConsolePage(ConsoleFixture fixture, IBrowserContext context, IPage page)
    {
        _fixture = fixture;
        Context = context;
        Page = page;
        page.PageError += (_, error) => { lock (_errors) _errors.Add("page error: " + error); };
        page.Console += (_, message) =>
        {
            if (message.Type != "error") return;
            // Image search is being built elsewhere: a server without it answers 404, which the page shows as "not available".
            if (message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal) && message.Location.Contains("/api/v1/search/", StringComparison.Ordinal)) return;
            lock (_errors) _errors.Add($"console error: {message.Text} at {message.Location}");
        };
    }

    public IBrowserContext Context { get; }
    public IPage Page { get; }

    public IReadOnlyList<string> Errors
    {
        get { lock (_errors) return _errors.ToList(); }
    }

    public async Task SignInAsync()
    {
        await Page.GotoAsync("/");
        await Page.GetByLabel("Client ID").FillAsync(_fixture.Server.Credential.ClientId);
        await Page.GetByLabel("Client secret").FillAsync(_fixture.Server.Credential.ClientSecret);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Datasets", Exact = true })).ToBeVisibleAsync();
    }

    public async Task OpenDatasetAsync(string datasetId)
    {
        await Page.EvaluateAsync("id => { location.hash = '#/datasets/' + id; }", datasetId);
        await Expect(Page.Locator("#stream-state")).ToHaveTextAsync("Live");
    }

    public Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new() { Path = Path.Combine(ConsoleFixture.ScreenshotDir, name + ".png"), FullPage = true });

    public void AssertNoErrors() => Assert.True(Errors.Count == 0, "The page logged errors:\n" + string.Join("\n", Errors));

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}
