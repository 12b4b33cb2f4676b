using Iris.Assets;
using Iris.Catalog.Tests.Engines;
using Iris.Models;

namespace Iris.Catalog.Tests;

/// <summary>
/// The conformance suite's base: a fresh migrated catalog of the engine under test per test. Every test class is
/// abstract and has one sealed subclass per engine (SQLite and PostgreSQL), so both run the same assertions.
/// </summary>
public abstract class CatalogTestBase(TestEngine engine) : IAsyncLifetime
{
    /// <summary>A time with sub-microsecond ticks, to check the microsecond truncation.</summary>
    protected static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 11, 28, 15, 11, 45, TimeSpan.Zero).AddTicks(4_567_777);

    protected const string Client = "client-1";

    protected TestDatabase Database { get; private set; } = null!;

    protected ICatalog Catalog => Database.Catalog;

    public virtual async Task InitializeAsync() => Database = await engine.CreateAsync();

    public async Task DisposeAsync()
    {
        if (Database is not null) await Database.DisposeAsync();
    }

    protected long Scalar(string sql, params (string Name, object Value)[] parameters) => Database.Scalar(sql, parameters);

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

    /// <summary>Adds images through the Core rules (<see cref="AssetService"/>) at the instant <paramref name="now"/>.</summary>
    protected async Task<AddedImages> AddRequestAsync(Guid orgId, Guid datasetId, DateTimeOffset now, string client, params NewImage[] images)
    {
        var added = await new AssetService(Catalog, new MemoryBlobStore(), new FixedTime(now)).AddAsync(new Caller(orgId, client), datasetId, images, default);
        Assert.NotNull(added);
        return added;
    }

    protected async Task<IReadOnlyList<ImageRecord>> AddAsync(Guid orgId, Guid datasetId, DateTimeOffset now, params NewImage[] images) =>
        (await AddRequestAsync(orgId, datasetId, now, Client, images)).Images;

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

/// <summary>A clock that says what it is told.</summary>
public sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
