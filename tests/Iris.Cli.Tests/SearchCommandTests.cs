using System.Text.Json.Nodes;

namespace Iris.Cli.Tests;

/// <summary>
/// <c>iris search</c> (by image id, file or URL) and <c>iris datasets embed</c> against the real server: the same picture
/// ranks first, every refusal is one line with its exit code (2 usage or refused request, 5 not found).
/// </summary>
[Collection(CliCollection.Name)]
public sealed class SearchCommandTests(CliFixture fixture)
{
    private static readonly string[] Files = ["imaging/branches.jpg", "imaging/branches.png", "imaging/flowers.png", "go-image/video-001.jpeg"];

    /// <summary>Ingests the files with <c>iris ingest --wait</c> and answers each one's image id, by corpus name.</summary>
    private async Task<Dictionary<string, string>> IngestAsync(string dataset, params string[] files)
    {
        var ingest = await fixture.JsonAsync(["ingest", dataset, .. files.Select(CliFixture.Corpus), "--wait"]);
        var images = ingest["images"]!.AsArray();
        Assert.All(images, i => Assert.Equal("completed", i!["status"]!.GetValue<string>()));
        return files.ToDictionary(f => f, f => images.Single(i => i!["path"]!.GetValue<string>() == "file://" + CliFixture.Corpus(f))!["coactiveImageId"]!.GetValue<string>());
    }

    private static List<(string Id, double Score)> Hits(JsonNode answer) =>
        answer["data"]!.AsArray().Select(h => (h!["coactive_image_id"]!.GetValue<string>(), h["score"]!.GetValue<double>())).ToList();

    [Fact]
    public async Task Search_by_image_id_or_file_ranks_the_same_picture_first_as_a_table_or_JSON()
    {
        var dataset = await fixture.NewDatasetAsync("search");
        var ids = await IngestAsync(dataset, Files);
        var datasetId = (await fixture.JsonAsync("datasets", "get", dataset))["id"]!.GetValue<string>();

        var byId = Hits(await fixture.JsonAsync("search", ids[Files[0]], "--dataset", dataset));
        Assert.Equal(Files.Length - 1, byId.Count); // the query image is left out
        Assert.Equal(ids[Files[1]], byId[0].Id);
        Assert.All(byId.Zip(byId.Skip(1)), p => Assert.True(p.First.Score >= p.Second.Score));
        var paged = Hits(await fixture.JsonAsync("search", ids[Files[0]], "--dataset", datasetId, "--limit", "1", "--offset", "1"));
        Assert.Equal([byId[1].Id], paged.Select(h => h.Id));

        var byFile = Hits(await fixture.JsonAsync("search", "--file", CliFixture.Corpus(Files[0]), "--dataset", dataset, "--limit", "2"));
        Assert.Equal([ids[Files[0]], ids[Files[1]]], byFile.Select(h => h.Id));
        Assert.True(byFile[0].Score > 0.99, $"The same file should score about 1, not {byFile[0].Score}.");

        var table = await fixture.IrisAsync("search", ids[Files[0]], "--dataset", dataset);
        Assert.True(table.ExitCode == 0, table.ToString());
        foreach (var header in new[] { "Rank", "Score", "Path", "Image id" }) Assert.Contains(header, table.Stdout);
        var firstRow = table.Stdout.Split('\n').First(l => l.Contains(ids[Files[1]]));
        Assert.Contains("branches.png", firstRow);
        Assert.Matches(@"^\W*1\W+\d\.\d{4}\W", firstRow.Trim()); // rank 1, then its score
        Assert.True(table.Stdout.IndexOf(ids[Files[1]], StringComparison.Ordinal) < table.Stdout.IndexOf(ids[Files[2]], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refusals_exit_with_their_codes_and_one_line()
    {
        var dataset = await fixture.NewDatasetAsync("refusals");
        var ids = await IngestAsync(dataset, Files[0], Files[2]);
        var image = ids[Files[0]];

        var url = await fixture.IrisAsync("search", "--url", "http://127.0.0.1:9/photo.jpg", "--dataset", dataset);
        Assert.Equal(2, url.ExitCode);
        Assert.Contains("body.public_url", url.Stderr);
        Assert.Contains("--allow-private-network", url.Stderr);

        var badId = await fixture.IrisAsync("search", "not-a-uuid", "--dataset", dataset);
        Assert.Equal(2, badId.ExitCode);
        Assert.Contains("'not-a-uuid' is not an image id", badId.Stderr);
        var unknownFlag = await fixture.IrisAsync("search", image, "--dataset", dataset, "--bogus");
        Assert.Equal(2, unknownFlag.ExitCode);
        Assert.Contains("Unknown option 'bogus'", unknownFlag.Stderr);
        Assert.Equal(2, (await fixture.IrisAsync("search", "--dataset", dataset)).ExitCode); // no query image
        Assert.Equal(2, (await fixture.IrisAsync("search", image, "--file", CliFixture.Corpus(Files[0]), "--dataset", dataset)).ExitCode);
        Assert.Equal(2, (await fixture.IrisAsync("search", image)).ExitCode); // no dataset
        Assert.Equal(2, (await fixture.IrisAsync("search", image, "--dataset", dataset, "--limit", "0")).ExitCode);
        Assert.Equal(2, (await fixture.IrisAsync("search", "--file", "/no/such/file.jpg", "--dataset", dataset)).ExitCode);

        var unknownImage = await fixture.IrisAsync("search", Guid.NewGuid().ToString(), "--dataset", dataset);
        Assert.Equal(5, unknownImage.ExitCode);
        Assert.StartsWith("iris: Image not found", unknownImage.Stderr.Trim());
        var unknownDataset = await fixture.IrisAsync("search", image, "--dataset", Guid.NewGuid().ToString());
        Assert.Equal(5, unknownDataset.ExitCode);
        Assert.StartsWith("iris: Dataset not found", unknownDataset.Stderr.Trim());
        Assert.Equal(5, (await fixture.IrisAsync("search", image, "--dataset", CliFixture.UniqueName("nope"))).ExitCode);
    }

    [Fact]
    public async Task Datasets_embed_makes_a_dataset_without_embeddings_searchable()
    {
        var name = CliFixture.UniqueName("plain");
        var created = await fixture.JsonAsync("datasets", "create", name, "--encoder", "none");
        Assert.Equal("none", created["encoders"]![0]!["name"]!.GetValue<string>());
        var ids = await IngestAsync(name, Files[0], Files[1], Files[2]);

        var refused = await fixture.IrisAsync("search", ids[Files[0]], "--dataset", name);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("embeddings job", refused.Stderr);

        var job = await fixture.JsonAsync("datasets", "embed", name, "--encoder", "resnet-50", "--wait");
        Assert.Equal(("completed", "unspecified", 3, 3, 0), (job["status"]!.GetValue<string>(), job["job_type"]!.GetValue<string>(),
            job["total_assets"]!.GetValue<int>(), job["processed_assets"]!.GetValue<int>(), job["errored_assets"]!.GetValue<int>()));
        Assert.Equal("resnet-50", (await fixture.JsonAsync("datasets", "get", name))["encoders"]![0]!["name"]!.GetValue<string>());
        Assert.Equal([ids[Files[1]], ids[Files[2]]], Hits(await fixture.JsonAsync("search", ids[Files[0]], "--dataset", name)).Select(h => h.Id));

        // Nothing left to embed: done at once; the line says so.
        var again = await fixture.IrisAsync("datasets", "embed", name);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"for {name}: completed, 0 embedded, 0 errored of 0.", again.Stdout);

        var none = await fixture.IrisAsync("datasets", "embed", name, "--encoder", "none");
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("body.encoder_name", none.Stderr);
        Assert.Contains("resnet-50", none.Stderr); // the encoders there are
        Assert.Equal(5, (await fixture.IrisAsync("datasets", "embed", Guid.NewGuid().ToString())).ExitCode);
        var unknownFlag = await fixture.IrisAsync("datasets", "embed", name, "--bogus");
        Assert.Equal(2, unknownFlag.ExitCode);
        Assert.Contains("Unknown option 'bogus'", unknownFlag.Stderr);
    }

    [Fact]
    public async Task Help_lists_search_embed_and_the_none_encoder()
    {
        var root = await fixture.IrisAsync("--help");
        Assert.Contains("search", root.Stdout);
        var search = await fixture.IrisAsync("search", "--help");
        Assert.True(search.ExitCode == 0, search.ToString());
        foreach (var option in new[] { "--file", "--url", "--dataset", "--limit", "--offset", "--json" }) Assert.Contains(option, search.Stdout);
        var datasets = await fixture.IrisAsync("datasets", "--help");
        Assert.Contains("embed", datasets.Stdout);
        var create = await fixture.IrisAsync("datasets", "create", "--help");
        Assert.Contains("none", create.Stdout);
    }
}
