using System.Text;
using Microsoft.Data.Sqlite;

namespace Iris.Bench.Catalog;

/// <summary>One kind of request measured: how many images (or paths) each request asks for.</summary>
public sealed record Scenario(string Name, string Title, int ImagesPerRequest, bool ByPath)
{
    public static readonly Scenario Single = new("single", "GET /api/v0/images/{id}/metadata", 1, false);
    public static readonly Scenario Batch100 = new("batch100", "GET /api/v0/images/metadata, 100 ids", 100, false);
    public static readonly Scenario Batch1000 = new("batch1000", "GET /api/v0/images/metadata, 1000 ids", 1000, false);
    public static readonly Scenario Statuses100 = new("statuses100", "GET .../images/statuses, 100 paths", 100, true);
    public static readonly Scenario Statuses1000 = new("statuses1000", "GET .../images/statuses, 1000 paths", 1000, true);
    public static readonly Scenario Nginx = new("nginx", "nginx, static AssetResponse file", 1, false);

    public static readonly IReadOnlyList<Scenario> Iris = [Single, Batch100, Batch1000, Statuses100, Statuses1000];

    public static Scenario ByName(string name) =>
        Iris.Append(Nginx).FirstOrDefault(s => s.Name == name) ?? throw new ArgumentException($"Unknown scenario {name}.");
}

/// <summary>
/// Random images of a generated catalog (ids and paths, read by random rowid) and the request
/// lines built from them: every request asks for different, random images.
/// </summary>
public sealed class RequestPool
{
    private RequestPool(IReadOnlyList<(Guid Id, string Path)> images, Guid datasetId)
    {
        Images = images;
        DatasetId = datasetId;
    }

    public IReadOnlyList<(Guid Id, string Path)> Images { get; }
    public Guid DatasetId { get; }

    public static RequestPool Load(string databasePath, GeneratedCatalog catalog, int size, int seed)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false,
        }.ToString());
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT id, path FROM images WHERE rowid = @r";
        var rowid = cmd.Parameters.Add("@r", SqliteType.Integer);
        cmd.Prepare();
        var random = new Random(seed);
        var wanted = Math.Min(size, catalog.Images);
        var seen = new HashSet<long>(wanted);
        var images = new List<(Guid, string)>(wanted);
        while (images.Count < wanted)
        {
            var r = random.NextInt64(1, catalog.Images + 1);
            if (!seen.Add(r)) continue;
            rowid.Value = r;
            using var reader = cmd.ExecuteReader();
            if (reader.Read()) images.Add((reader.GetGuid(0), reader.GetString(1)));
        }
        return new RequestPool(images, catalog.DatasetId);
    }

    /// <summary>Writes <paramref name="count"/> request lines (path and query) for the scenario, one per line.</summary>
    public string WriteRequestFile(Scenario scenario, string directory, int count, int seed)
    {
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, scenario.Name + ".txt");
        using var writer = new StreamWriter(file, append: false, new UTF8Encoding(false));
        foreach (var line in RequestLines(scenario, count, seed)) writer.WriteLine(line);
        return file;
    }

    public IEnumerable<string> RequestLines(Scenario scenario, int count, int seed)
    {
        var random = new Random(seed);
        var order = Enumerable.Range(0, Images.Count).ToArray();
        random.Shuffle(order);
        var next = 0;
        var line = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            line.Clear();
            if (scenario == Scenario.Single)
            {
                line.Append("/api/v0/images/").Append(Images[order[next++ % order.Length]].Id).Append("/metadata");
            }
            else
            {
                line.Append(scenario.ByPath ? $"/api/v0/datasets/{DatasetId}/images/statuses?" : "/api/v0/images/metadata?");
                // Distinct images within a request: a window of the shuffled pool, reshuffled when used up.
                if (next + scenario.ImagesPerRequest > order.Length)
                {
                    random.Shuffle(order);
                    next = 0;
                }
                for (var k = 0; k < scenario.ImagesPerRequest; k++)
                {
                    var (id, path) = Images[order[next++]];
                    if (k > 0) line.Append('&');
                    if (scenario.ByPath) line.Append("paths=").Append(Uri.EscapeDataString(path));
                    else line.Append("coactive_image_ids=").Append(id);
                }
            }
            yield return line.ToString();
        }
    }
}
