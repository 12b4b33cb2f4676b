using System.Collections.Concurrent;
using System.Diagnostics;
using Iris.Catalog.Postgres;
using Iris.Catalog.Tests.Engines;
using Iris.Models;
using Iris.Testing;

namespace Iris.Catalog.Tests.Postgres;

/// <summary>
/// What only several nodes on one PostgreSQL database show: each test opens more than one <see cref="PostgresCatalog"/>
/// on the same database, as separate processes would.
/// </summary>
public sealed class PostgresNodeTests() : CatalogTestBase(new PostgresTestEngine())
{
    private PostgresTestDatabase Pg => (PostgresTestDatabase)Database;

    private PostgresCatalog OtherNode() => PostgresCatalog.Create(Pg.ConnectionString);

    [Fact]
    public async Task Nodes_starting_at_once_migrate_once()
    {
        var server = await PostgresTestEngine.ServerAsync();
        var fresh = await server.CreateDatabaseAsync("m_" + Guid.NewGuid().ToString("N"));
        var nodes = Enumerable.Range(0, 6).Select(_ => PostgresCatalog.Create(fresh)).ToList();
        try
        {
            var versions = await Task.WhenAll(nodes.Select(n => Task.Run(() => n.MigrateAsync())));
            Assert.All(versions, v => Assert.Equal(PgMigrations.LatestVersion, v));
            Assert.Equal(PgMigrations.All.Count.ToString(), (await server.PsqlAsync("SELECT count(*) FROM schema_migrations", fresh.Split("Database=")[1].Split(';')[0])).Trim());
        }
        finally
        {
            foreach (var n in nodes) await n.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_newer_schema_is_refused()
    {
        Scalar($"INSERT INTO schema_migrations (version, name, applied_at) VALUES ({PgMigrations.LatestVersion + 1}, 'future', now()) RETURNING 1");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Catalog.MigrateAsync());
        Assert.Contains($"version {PgMigrations.LatestVersion + 1}", e.Message);
    }

    [Fact]
    public async Task Claimers_on_two_nodes_never_get_the_same_job()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        const int Count = 400;
        await AddAsync(org.Id, ds.Id, T0, Enumerable.Range(0, Count).Select(i => Img($"p{i}")).ToArray());
        await using var other = OtherNode();
        var claimed = new ConcurrentBag<Guid>();

        async Task Drain(ICatalog node, string worker)
        {
            while (true)
            {
                var jobs = await node.Queue.ClaimAsync(worker, 5, TimeSpan.FromMinutes(1), T0);
                if (jobs.Count == 0) return;
                foreach (var job in jobs) claimed.Add(job.ImageId);
            }
        }

        await Task.WhenAll(Task.Run(() => Drain(Catalog, "a1")), Task.Run(() => Drain(Catalog, "a2")),
            Task.Run(() => Drain(other, "b1")), Task.Run(() => Drain(other, "b2")));
        Assert.Equal(Count, claimed.Count);
        Assert.Equal(Count, claimed.Distinct().Count());
    }

    [Fact]
    public async Task Adding_the_same_paths_on_two_nodes_at_once_makes_one_image_per_path()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        await using var other = OtherNode();
        var paths = Enumerable.Range(0, 200).Select(i => Img($"s3://b/{i}.jpg")).ToArray();
        var reversed = paths.Reverse().ToArray();
        var service = (ICatalog node) => new Iris.Assets.AssetService(node, new MemoryBlobStore(), new FixedTime(T0));
        var runs = await Task.WhenAll(
            Task.Run(() => service(Catalog).AddAsync(new Caller(org.Id, Client), ds.Id, paths, default)),
            Task.Run(() => service(other).AddAsync(new Caller(org.Id, Client), ds.Id, reversed, default)),
            Task.Run(() => service(other).AddAsync(new Caller(org.Id, Client), ds.Id, paths, default)));

        Assert.Equal(200, Scalar("SELECT COUNT(*) FROM images"));
        Assert.Equal(200, await Catalog.Queue.CountAsync());
        var ids = runs.Select(r => r!.Images.ToDictionary(i => i.Path, i => i.Id)).ToList();
        Assert.All(ids, d => Assert.Equal(ids[0].OrderBy(p => p.Key), d.OrderBy(p => p.Key)));
    }

    [Fact]
    public async Task A_job_queued_on_one_node_wakes_a_waiting_worker_on_another()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        await using var worker = OtherNode();
        await worker.Queue.WaitForJobsAsync(TimeSpan.FromSeconds(2)); // listening now (its first wake-up is spent)
        var clock = Stopwatch.StartNew();
        var waiting = worker.Queue.WaitForJobsAsync(TimeSpan.FromSeconds(30));
        await AddAsync(org.Id, ds.Id, T0, Img("a"));
        Assert.Same(waiting, await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(10))));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_lock_held_on_one_node_makes_another_wait()
    {
        await using var other = OtherNode();
        var held = await Catalog.Locks.AcquireAsync(["blob:abc", "blob:def"]);
        var waiting = other.Locks.AcquireAsync(["blob:def"]);
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        await (await other.Locks.AcquireAsync(["blob:unrelated"])).DisposeAsync(); // other names are free
        await held.DisposeAsync();
        await (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).DisposeAsync();
        using var cancelled = new CancellationTokenSource(200);
        var again = await Catalog.Locks.AcquireAsync(["blob:def"]);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => other.Locks.AcquireAsync(["blob:def"], cancelled.Token));
        await again.DisposeAsync();
    }

    [Theory]
    [InlineData("postgres://iris:s%40cret@db.example:6432/photos?sslmode=Require", "db.example", 6432, "iris", "s@cret", "photos")]
    [InlineData("postgresql://db/iris", "db", 5432, null, null, "iris")]
    [InlineData("Host=db;Username=iris;Password=x;Database=iris", "db", 5432, "iris", "x", "iris")]
    public void Database_settings_are_read_as_a_connection_string_or_a_url(string value, string host, int port, string? user, string? password, string database)
    {
        Assert.True(PostgresConnectionString.Handles(value));
        var parsed = PostgresConnectionString.Parse(value);
        Assert.Equal((host, port, user, password, database), (parsed.Host, parsed.Port, parsed.Username, parsed.Password, parsed.Database));
        Assert.Equal(5, parsed.Timeout); // a database that is down answers within seconds
    }

    [Theory]
    [InlineData("Host=db;Bogus=1")]
    [InlineData("Username=iris;Database=iris")]
    [InlineData("postgres://")]
    public void Bad_database_settings_are_refused(string value) =>
        Assert.Throws<SettingsException>(() => PostgresConnectionString.Parse(value));
}

/// <summary>A database that goes away and comes back: its own server, stopped and started by the test.</summary>
public sealed class PostgresOutageTests : IAsyncLifetime
{
    private PostgresServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    [Fact]
    public async Task While_the_database_is_down_every_call_fails_fast_as_unavailable_and_then_recovers()
    {
        var connection = await _server.CreateDatabaseAsync("outage");
        await using var catalog = PostgresCatalog.Create(connection);
        await catalog.MigrateAsync();
        var org = await catalog.Organizations.GetOrCreateAsync("o", DateTimeOffset.UtcNow);
        await catalog.PingAsync();

        await _server.StopAsync("immediate");
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<CatalogUnavailableException>(() => catalog.PingAsync());
        await Assert.ThrowsAsync<CatalogUnavailableException>(() => catalog.Images.GetAsync(org.Id, Guid.NewGuid()));
        await Assert.ThrowsAsync<CatalogUnavailableException>(() => catalog.Queue.ClaimAsync("w", 1, TimeSpan.FromSeconds(30), DateTimeOffset.UtcNow));
        await Assert.ThrowsAsync<CatalogUnavailableException>(() => catalog.Locks.AcquireAsync(["x"]));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"Failing took {clock.Elapsed}.");

        await _server.StartAgainAsync();
        // The pool's dead connections are replaced as they fail: a few calls may still fail, then all succeed.
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await catalog.PingAsync();
                break;
            }
            catch (CatalogUnavailableException) when (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
            }
        }
        Assert.Equal(org, await catalog.Organizations.GetOrCreateAsync("o", DateTimeOffset.UtcNow));
    }
}
