using System.Text.Json;
using System.Text.Json.Nodes;
using Iris.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Client.Tests;

/// <summary>The three examples under examples/ run against the real server and print what Iris.Client returns.</summary>
[Collection(ClientCollection.Name)]
public sealed class ExamplesTests(ClientFixture fixture)
{
    [Fact]
    public async Task GetMetadataForImage_example_prints_the_image()
    {
        var seeded = await fixture.SeededAsync();
        var printed = await RunExampleAsync("GetMetadataForImage", "ImageApi->GetMetadataForImage", seeded.ImageIds[0].ToString());

        using var client = fixture.NewClient();
        var expected = await new ImageApi(client).GetMetadataForImageAsync(seeded.ImageIds[0]);
        Assert.True(JsonNode.DeepEquals(ClientFixture.Json(expected, IrisJsonContext.Default.AssetResponse), printed), printed.ToJsonString());
    }

    [Fact]
    public async Task GetMetadataForImages_example_prints_the_images()
    {
        var seeded = await fixture.SeededAsync();
        var ids = seeded.ImageIds.Select(i => i.ToString()).Reverse().ToArray();
        var printed = await RunExampleAsync("GetMetadataForImages", "ImageApi->GetMetadataForImages", ids);

        using var client = fixture.NewClient();
        var expected = await new ImageApi(client).GetMetadataForImagesAsync(ids);
        Assert.True(JsonNode.DeepEquals(ClientFixture.Json(expected, IrisJsonContext.Default.MetadataForImagesResponse), printed), printed.ToJsonString());
        Assert.Equal(3, printed["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task GetStatusesForImages_example_prints_the_statuses()
    {
        var seeded = await fixture.SeededAsync();
        string[] args = [seeded.DatasetId.ToString(), seeded.Paths[0], "s3://never/added.jpg"];
        var printed = await RunExampleAsync("GetStatusesForImages", "ImageApi->GetStatusesForImages", args);

        using var client = fixture.NewClient();
        var expected = await new ImageApi(client).GetStatusesForImagesAsync(seeded.DatasetId, args[1..]);
        Assert.True(JsonNode.DeepEquals(ClientFixture.Json(expected, IrisJsonContext.Default.StatusesForImagesResponse), printed), printed.ToJsonString());
        Assert.Equal(["completed", "not_found"], printed["data"]!.AsArray().Select(e => e!["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_example_reports_an_ApiException_as_the_seed_does()
    {
        var result = await IrisTestServer.RunDotnetAsync(ExampleDll("GetMetadataForImage"), [Guid.NewGuid().ToString()],
            IrisTestServer.RepoRoot, Environment());
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("Exception when calling ImageApi->GetMetadataForImage: 404 Not Found: Image not found", result.Stdout);
    }

    [Fact]
    public async Task AddIrisClient_talks_to_the_real_server()
    {
        var seeded = await fixture.SeededAsync();
        var services = new ServiceCollection();
        services.AddIrisClient(c =>
        {
            c.Host = fixture.Server.Host;
            c.AccessToken = fixture.Server.Credential.AccessToken;
        });
        await using var provider = services.BuildServiceProvider();

        var statuses = await provider.GetRequiredService<ImageApi>().GetStatusesForImagesAsync(seeded.DatasetId, seeded.Paths);
        Assert.Equal(seeded.ImageIds, statuses.Data.Select(s => s.CoactiveImageId!.Value));
        var dataset = await provider.GetRequiredService<DatasetApi>().GetDatasetAsync(seeded.DatasetId);
        Assert.Equal(3, dataset.ImageCount);
        var job = await provider.GetRequiredService<IngestionApi>().GetJobAsync(seeded.JobId);
        Assert.Equal(3, job.ProcessedAssets);
    }

    private Dictionary<string, string> Environment() => new()
    {
        ["IRIS_HOST"] = fixture.Server.Host,
        ["IRIS_CLIENT_ID"] = fixture.Server.Credential.ClientId,
        ["IRIS_CLIENT_SECRET"] = fixture.Server.Credential.ClientSecret,
    };

    private static string ExampleDll(string name) =>
        Path.Combine(IrisTestServer.RepoRoot, "examples", name, "bin", IrisTestServer.BuildConfiguration, "net10.0", name + ".dll");

    /// <summary>Runs an example; checks its first line and returns the JSON it printed after it.</summary>
    private async Task<JsonNode> RunExampleAsync(string name, string call, params string[] args)
    {
        var result = await IrisTestServer.RunDotnetAsync(ExampleDll(name), args, IrisTestServer.RepoRoot, Environment());
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', 2);
        Assert.Equal($"The response of {call}:", lines[0].TrimEnd());
        try
        {
            return JsonNode.Parse(lines[1])!;
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"{name} did not print JSON ({e.Message}): {result}");
        }
    }
}
