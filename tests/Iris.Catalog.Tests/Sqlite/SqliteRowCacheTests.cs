using Iris.Catalog.Sqlite;
using Iris.Models;

namespace Iris.Catalog.Tests.Sqlite;

/// <summary>
/// The SQLite engine's row cache: reads keep rows, every write the next read must see drops them, racing reads never
/// keep what a write replaced, and the budget holds. (The conformance suite's reads after writes run through it too.)
/// </summary>
public sealed class SqliteRowCacheTests : SqliteTestBase
{
    private sealed class Metadata : IImageRowWriter
    {
        public string? Json { get; private set; }

        public int Rows { get; private set; }

        public void Write(in ImageRow row)
        {
            Json = System.Text.Encoding.UTF8.GetString(row.MetadataJson);
            Rows++;
        }
    }

    [Fact]
    public async Task Reads_keep_rows_and_writes_drop_them()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var added = await AddAsync(org.Id, ds.Id, T0, Img("a", metadata: """{"v":0}"""), Img("b", metadata: """{"v":0}"""));
        Assert.Equal(0, Catalog.RowCache.Count);

        Assert.True(await Catalog.Images.WriteAsync(org.Id, added[0].Id, new Metadata()));
        Assert.Equal(1, Catalog.RowCache.Count);
        Assert.Equal(2, await Catalog.Images.WriteManyAsync(org.Id, [added[0].Id, added[1].Id], new Metadata()));
        Assert.Equal(2, Catalog.RowCache.Count);
        Assert.True(Catalog.RowCache.Bytes > 0);

        await Catalog.Images.UpdateMetadataAsync(org.Id, ds.Id, [new MetadataUpdate(added[1].Id, null, """{"v":1}""")], Client, T0.AddMinutes(1));
        Assert.Equal(1, Catalog.RowCache.Count); // only the row written is dropped
        Assert.True(Catalog.RowCache.TryGet(added[0].Id, out _));

        // A cached row is still another organization's image to a caller of this one.
        var other = await OrgAsync("other");
        Assert.False(await Catalog.Images.WriteAsync(other.Id, added[0].Id, new Metadata()));
        Assert.Equal(0, await Catalog.Images.WriteManyAsync(other.Id, [added[0].Id], new Metadata()));
    }

    [Fact]
    public async Task Statuses_answer_from_the_rows_kept_and_keep_the_rows_they_read()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var other = await OrgAndDatasetAsync("other");
        const string accented = "photos/été/🌅.jpg";
        var added = await AddAsync(org.Id, ds.Id, T0, Img(accented), Img("b"));
        await AddAsync(other.Org.Id, other.Dataset.Id, T0, Img("b"));

        var first = await Catalog.Images.GetStatusesAsync(org.Id, ds.Id, [accented, "missing", "b"]);
        Assert.Equal([ImageStatus.Pending, ImageStatus.NotFound, ImageStatus.Pending], first.Select(s => s.Status));
        Assert.Equal(2, Catalog.RowCache.Count); // the two found; an unknown path keeps nothing
        Assert.True(Catalog.RowCache.TryGet(added[0].Id, out var kept));
        Assert.True(Catalog.RowCache.TryGet(ds.Id, System.Text.Encoding.UTF8.GetBytes(accented), out var byPath));
        Assert.Same(kept, byPath);

        // Answered from the cache, the same as read; the rows serve the metadata routes too.
        var again = await Catalog.Images.GetStatusesAsync(org.Id, ds.Id, [accented, "missing", "b"]);
        Assert.Equal(first, again);
        Assert.Equal(2, Catalog.RowCache.Count);
        Assert.True(await Catalog.Images.WriteAsync(org.Id, added[1].Id, new Metadata()));
        Assert.Equal(2, Catalog.RowCache.Count);

        // Another organization's dataset with the same path is its own row; nor does a kept row answer for a caller
        // of another organization.
        Assert.Equal(ImageStatus.Pending, Assert.Single(await Catalog.Images.GetStatusesAsync(other.Org.Id, other.Dataset.Id, ["b"])).Status);
        Assert.Equal(3, Catalog.RowCache.Count);
        Assert.Equal(ImageStatus.NotFound, Assert.Single(await Catalog.Images.GetStatusesAsync(other.Org.Id, ds.Id, ["b"])).Status);

        // A write drops the row from both lookups.
        var job = (await Catalog.Queue.ClaimAsync("w", 1, TimeSpan.FromMinutes(1), T0))[0];
        Assert.False(Catalog.RowCache.TryGet(job.ImageId, out _));
        var path = job.ImageId == added[0].Id ? accented : "b";
        Assert.False(Catalog.RowCache.TryGet(ds.Id, System.Text.Encoding.UTF8.GetBytes(path), out _));
        Assert.Equal(ImageStatus.ProcessingStarted, Assert.Single(await Catalog.Images.GetStatusesAsync(org.Id, ds.Id, [path])).Status);
    }

    [Fact]
    public async Task A_row_read_before_a_write_that_dropped_it_is_not_kept()
    {
        // The race, step by step: a read takes the version, reads the old row; a write commits and drops the row;
        // the read then offers the old row. It must not be kept; a read begun after the drop is.
        var (org, ds) = await OrgAndDatasetAsync();
        var image = (await AddAsync(org.Id, ds.Id, T0, Img("a", metadata: """{"v":0}""")))[0];
        Assert.True(await Catalog.Images.WriteAsync(org.Id, image.Id, new Metadata()));
        Assert.True(Catalog.RowCache.TryGet(image.Id, out var old));
        var before = Catalog.RowCache.Version;

        await Catalog.Images.UpdateMetadataAsync(org.Id, ds.Id, [new MetadataUpdate(image.Id, null, """{"v":1}""")], Client, T0.AddMinutes(1));
        Catalog.RowCache.Add(old, before);
        Assert.False(Catalog.RowCache.TryGet(image.Id, out _));

        var row = new Metadata();
        Assert.True(await Catalog.Images.WriteAsync(org.Id, image.Id, row));
        Assert.Equal("""{"v":1}""", row.Json);
        Assert.True(Catalog.RowCache.TryGet(image.Id, out var kept));
        Assert.NotSame(old, kept);
    }

    [Fact]
    public async Task A_read_racing_a_write_never_keeps_the_row_the_write_replaced()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var image = (await AddAsync(org.Id, ds.Id, T0, Img("a", metadata: """{"v":0}""")))[0];
        using var stop = new CancellationTokenSource();

        // Readers keep reading (and so keep offering rows to the cache) while the writer writes; after each write
        // returns, the next read must show it.
        var readers = Enumerable.Range(0, 2).Select(n => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (n == 0) await Catalog.Images.WriteAsync(org.Id, image.Id, new Metadata());
                else await Catalog.Images.WriteManyAsync(org.Id, [image.Id], new Metadata());
            }
        })).ToArray();
        try
        {
            for (var v = 1; v <= 300; v++)
            {
                var json = $$"""{"v":{{v}}}""";
                await Catalog.Images.UpdateMetadataAsync(org.Id, ds.Id, [new MetadataUpdate(image.Id, null, json)], Client, T0.AddSeconds(v));
                var one = new Metadata();
                Assert.True(await Catalog.Images.WriteAsync(org.Id, image.Id, one));
                Assert.Equal(json, one.Json);
                var many = new Metadata();
                Assert.Equal(1, await Catalog.Images.WriteManyAsync(org.Id, [image.Id], many));
                Assert.Equal(json, many.Json);
            }
        }
        finally
        {
            stop.Cancel();
            await Task.WhenAll(readers);
        }
    }

    [Fact]
    public async Task The_cache_keeps_within_its_budget_and_reads_stay_right_past_it()
    {
        const long budget = 16 * 1024;
        await using var small = await SqliteCatalog.OpenAsync(DbPath, rowCacheBytes: budget);
        var (org, ds) = await OrgAndDatasetAsync();
        var images = new List<ImageRecord>();
        for (var i = 0; i < 100; i++) images.AddRange(await AddAsync(org.Id, ds.Id, T0, Img($"p{i}", metadata: $$"""{"n":{{i}}}""")));

        for (var round = 0; round < 2; round++)
        {
            foreach (var image in images)
            {
                var row = new Metadata();
                Assert.True(await small.Images.WriteAsync(org.Id, image.Id, row));
                Assert.Equal(image.MetadataJson, row.Json);
                Assert.True(small.RowCache.Bytes <= budget);
            }
        }
        Assert.InRange(small.RowCache.Count, 1, 100);

        var batch = new Metadata();
        Assert.Equal(100, await small.Images.WriteManyAsync(org.Id, images.Select(i => i.Id).ToArray(), batch));
        Assert.True(small.RowCache.Bytes <= budget);

        await using var none = await SqliteCatalog.OpenAsync(DbPath, rowCacheBytes: 0);
        Assert.True(await none.Images.WriteAsync(org.Id, images[0].Id, new Metadata()));
        Assert.Equal(0, none.RowCache.Count);
    }
}
