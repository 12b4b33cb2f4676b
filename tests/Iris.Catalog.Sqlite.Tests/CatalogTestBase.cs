using Iris.Models;
using Microsoft.Data.Sqlite;

namespace Iris.Catalog.Sqlite.Tests;

/// <summary>A fresh migrated catalog in its own temp folder per test, deleted afterwards.</summary>
public abstract class CatalogTestBase : IAsyncLifetime
{
    /// <summary>A time with sub-microsecond ticks, to check the microsecond truncation.</summary>
    protected static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 11, 28, 15, 11, 45, TimeSpan.Zero).AddTicks(4_567_777);

    protected const string Client = "client-1";

    protected string Folder { get; } = Path.Combine(Path.GetTempPath(), "iris-catalog-tests-" + Guid.NewGuid().ToString("N"));

    protected string DbPath => Path.Combine(Folder, "sub", "catalog.db");

    protected SqliteCatalog Catalog { get; private set; } = null!;

    public virtual async Task InitializeAsync() => Catalog = await SqliteCatalog.OpenAsync(DbPath);

    public async Task DisposeAsync()
    {
        await Catalog.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a leftover temp folder must not fail the test
        }
    }

    /// <summary>A connection outside the catalog's pool, for checks the interfaces do not expose.</summary>
    protected SqliteConnection RawConnection()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    protected long Scalar(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = RawConnection();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    protected static DateTimeOffset Micro(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % 10, TimeSpan.Zero);

    protected Task<Organization> OrgAsync(string name = "acme") => Catalog.Organizations.GetOrCreateAsync(name, T0);

    protected async Task<Dataset> DatasetAsync(Guid orgId, string name = "ds", DateTimeOffset? createdAt = null, Guid? id = null)
    {
        var at = createdAt ?? T0;
        var dataset = await Catalog.Datasets.TryCreateAsync(
            new Dataset(id ?? Guid.NewGuid(), orgId, name, "description", Client, at, Client, at, 0));
        Assert.NotNull(dataset);
        return dataset;
    }

    protected async Task<(Organization Org, Dataset Dataset)> OrgAndDatasetAsync(string org = "acme", string dataset = "ds")
    {
        var o = await OrgAsync(org);
        return (o, await DatasetAsync(o.Id, dataset));
    }

    protected Task<IReadOnlyList<ImageRecord>> AddAsync(Guid orgId, Guid datasetId, DateTimeOffset now, params NewImage[] images) =>
        Catalog.Images.AddAsync(orgId, datasetId, images, Client, Guid.NewGuid(), now);

    protected static NewImage Img(string path, string? userId = null, string? metadata = null, string? blob = null) =>
        new(path, userId, metadata, blob);

    protected static IngestionOutcome Completed(Guid imageId, DateTimeOffset at, string tech = """{"format":"jpeg"}""") => new(
        imageId, ImageStatus.Completed, tech, null, null,
        [
            new ImageEvent(EventTypes.FileDownloaded, at),
            new ImageEvent(EventTypes.MetadataStored, at.AddTicks(10)),
            new ImageEvent(EventTypes.Completed, at.AddTicks(20), "done"),
        ]);

    protected static IngestionOutcome Failed(Guid imageId, DateTimeOffset at, string code = ErrorCodes.FileNotFound) => new(
        imageId, ImageStatus.Error, null, code, "The file does not exist.",
        [new ImageEvent(EventTypes.Error, at, "missing")]);
}
