using System.Text.Json;
using System.Text.Json.Nodes;
using Iris.Testing;

namespace Iris.Client.Tests;

[CollectionDefinition(Name)]
public sealed class ClientCollection : ICollectionFixture<ClientFixture>
{
    public const string Name = "Iris server for the client";
}

/// <summary>
/// One real server for the client tests: the corpus and a scratch folder for manifests are allowed roots, uploads are
/// capped at 2 MB (to see a 413).
/// </summary>
public sealed class ClientFixture : IAsyncLifetime
{
    public const long MaxUploadBytes = 2_000_000;

    /// <summary>A folder the server may read manifests (and images) from, deleted at the end.</summary>
    public string ScratchDir { get; } = Directory.CreateTempSubdirectory("iris-client-tests-").FullName;

    private IrisTestServer? _server;
    private readonly SemaphoreSlim _seedLock = new(1, 1);
    private SeededDataset? _seeded;

    public IrisTestServer Server => _server ?? throw new InvalidOperationException("Server not started.");

    public Configuration Configuration => new() { Host = Server.Host, AccessToken = Server.Credential.AccessToken };

    public async Task InitializeAsync() =>
        _server = await IrisTestServer.StartAsync(allowRoots: [IrisTestServer.CorpusRoot, ScratchDir], extraArgs: ["--max-upload-bytes", MaxUploadBytes.ToString()]);

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        try
        {
            Directory.Delete(ScratchDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public ApiClient NewClient(string? accessToken = null) =>
        new(new Configuration { Host = Server.Host, AccessToken = accessToken ?? Server.Credential.AccessToken });

    public static string Corpus(string relative) => Path.Combine(IrisTestServer.CorpusRoot, relative);

    public static string FileUri(string relative) => "file://" + Corpus(relative);

    public static string UniqueName(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Polls the statuses until every path is completed or error (60 s at most).</summary>
    public static async Task<IReadOnlyList<ImageStatusResponse>> WaitTerminalAsync(ImageApi images, Guid datasetId, IReadOnlyList<string> paths)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var statuses = (await images.GetStatusesForImagesAsync(datasetId, paths)).Data;
            if (statuses.All(s => ImageStatus.IsTerminal(s.Status))) return statuses;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("Images not terminal after 60 s: " + string.Join(", ", statuses.Select(s => $"{s.Path}={s.Status}")));
            await Task.Delay(100);
        }
    }

    /// <summary>A dataset with three completed corpus images added by file:// path in one ingest job, made once.</summary>
    public async Task<SeededDataset> SeededAsync()
    {
        await _seedLock.WaitAsync();
        try
        {
            if (_seeded is not null) return _seeded;
            using var client = NewClient();
            var datasets = new DatasetApi(client);
            var ingestion = new IngestionApi(client);
            var dataset = await datasets.CreateDatasetAsync(UniqueName("seeded"), description: "three corpus images");
            string[] files = ["imaging/orientation_6.jpg", "go-image/video-001.png", "exif-tagged/img-0003-00002.jpg"];
            var paths = files.Select(FileUri).ToArray();
            var job = await ingestion.CreateJobFromImagesAsync(new CreateIngestJobFromImagesRequest(dataset.Id,
                [.. paths.Select((p, i) => new IngestJobImage(p, new Dictionary<string, object?> { ["season"] = i + 1, ["show"] = "GoT" }))]));
            var done = await ingestion.WaitForJobAsync(job.Id, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(60));
            Assert.Equal((IngestJobStatus.Completed, 3L, 0L), (done.Status, done.ProcessedAssets, done.ErroredAssets));
            var assets = new List<AssetStatusResponse>();
            await foreach (var asset in ingestion.ListAllJobAssetsAsync(job.Id)) assets.Add(asset);
            Assert.Equal(paths, assets.Select(a => a.SourcePath));
            return _seeded = new SeededDataset(dataset.Id, files, paths, assets.Select(a => a.AssetId).ToArray(), job.Id);
        }
        finally
        {
            _seedLock.Release();
        }
    }

    /// <summary>A model as JSON with nulls removed (the same answer whatever a serializer does with nulls).</summary>
    public static JsonNode? Normalize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                var copy = new JsonObject();
                foreach (var (key, value) in o)
                    if (value is not null) copy[key] = Normalize(value);
                return copy;
            case JsonArray a:
                return new JsonArray(a.Select(Normalize).ToArray());
            default:
                return node?.DeepClone();
        }
    }

    public static JsonNode Json<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonNode.Parse(JsonSerializer.Serialize(value, type))!;
}

public sealed record SeededDataset(Guid DatasetId, string[] Files, string[] Paths, Guid[] ImageIds, string JobId);
