using System.Diagnostics;
using Iris.Models;

using Iris.Assets;
using Iris.Catalog.Tests.Engines;

namespace Iris.Catalog.Tests;

public abstract class ImageTests(TestEngine engine) : CatalogTestBase(engine)
{
    [Fact]
    public async Task Add_records_new_images_pending_with_a_received_event_and_a_job()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        const string Meta = """{"b":1,"a":"é ✓","t":"2026-01-01T00:00:00Z"}""";

        var request = await AddRequestAsync(org.Id, ds.Id, T0, Client, Img("s3://b/1.jpg", "u1", Meta), Img("s3://b/2.jpg", blob: "sha"));
        var added = request.Images;

        Assert.Equal(2, added.Count);
        Assert.NotEqual(added[0].Id, added[1].Id);
        var first = added[0];
        Assert.Equal(("s3://b/1.jpg", "u1", Meta), (first.Path, first.UserId, first.MetadataJson));
        Assert.Equal((ImageStatus.Pending, (string?)null, (string?)null), (first.Status, first.ErrorCode, first.TechnicalMetadataJson));
        Assert.Equal((org.Id, ds.Id, Client, Client), (first.OrgId, first.DatasetId, first.CreatedBy, first.UpdatedBy));
        Assert.Equal((Micro(T0), Micro(T0)), (first.CreatedAt, first.UpdatedAt));
        Assert.Equal((request.RequestGroupId, Micro(T0)), (first.RequestId, first.RequestAt!.Value));
        Assert.Equal(new ImageEvent(EventTypes.Received, Micro(T0)), first.LatestEvent);
        Assert.Equal("sha", added[1].BlobSha256);

        Assert.Equal(first, await Catalog.Images.GetAsync(org.Id, first.Id)); // stored exactly as returned
        Assert.Equal([new ImageEvent(EventTypes.Received, Micro(T0))], await Catalog.Images.GetEventsAsync(org.Id, first.Id));
        Assert.Equal(2, await Catalog.Queue.CountAsync());
    }

    [Fact]
    public async Task Add_keeps_one_image_per_path_in_first_appearance_order_with_the_last_values()
    {
        var (org, ds) = await OrgAndDatasetAsync();

        var added = await AddAsync(org.Id, ds.Id, T0,
            Img("a", "first", """{"v":1}"""), Img("b"), Img("a", "last", """{"v":2}"""));

        Assert.Equal(["a", "b"], added.Select(i => i.Path));
        Assert.Equal(("last", """{"v":2}"""), (added[0].UserId, added[0].MetadataJson));
        Assert.Equal(2, Scalar("SELECT COUNT(*) FROM images"));
        Assert.Equal(2, await Catalog.Queue.CountAsync());
    }

    [Fact]
    public async Task Re_adding_a_path_keeps_its_id_and_replaces_metadata_only_when_given()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var original = (await AddAsync(org.Id, ds.Id, T0, Img("p", "u", """{"v":1}""")))[0];
        var t1 = T0.AddMinutes(1);

        var request = await AddRequestAsync(org.Id, ds.Id, t1, "client-2", Img("p"));
        var kept = request.Images[0];
        Assert.Equal(original.Id, kept.Id);
        Assert.Equal(("u", """{"v":1}"""), (kept.UserId, kept.MetadataJson));
        Assert.Equal(("client-2", Micro(t1), request.RequestGroupId), (kept.UpdatedBy, kept.UpdatedAt, kept.RequestId));
        Assert.Equal((Client, Micro(T0)), (kept.CreatedBy, kept.CreatedAt));
        Assert.Equal(original.LatestEvent, kept.LatestEvent);

        var replaced = (await AddAsync(org.Id, ds.Id, t1, Img("p", "u2", """{"v":2}""")))[0];
        Assert.Equal(original.Id, replaced.Id);
        Assert.Equal(("u2", """{"v":2}"""), (replaced.UserId, replaced.MetadataJson));
        Assert.Equal(replaced, await Catalog.Images.GetAsync(org.Id, original.Id));

        Assert.Equal(1, Scalar("SELECT COUNT(*) FROM images"));
        Assert.Equal(1, await Catalog.Queue.CountAsync()); // still the one job of the pending image
        Assert.Single((await Catalog.Images.GetEventsAsync(org.Id, original.Id))!);
    }

    [Fact]
    public async Task Re_adding_an_errored_image_queues_it_again()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var image = (await AddAsync(org.Id, ds.Id, T0, Img("p", blob: "old")))[0];
        var job = (await Catalog.Queue.ClaimAsync("w", 1, TimeSpan.FromMinutes(1), T0))[0];
        Assert.True(await Catalog.Queue.CompleteAsync(job, "w", Failed(image.Id, T0.AddSeconds(1)), T0.AddSeconds(1)));
        Assert.Equal(0, await Catalog.Queue.CountAsync());

        var t2 = T0.AddMinutes(2);
        var again = (await AddAsync(org.Id, ds.Id, t2, Img("p", blob: "new")))[0];

        Assert.Equal(image.Id, again.Id);
        Assert.Equal((ImageStatus.Pending, (string?)null, (string?)null), (again.Status, again.ErrorCode, again.ErrorReason));
        Assert.Equal("new", again.BlobSha256);
        Assert.Equal(new ImageEvent(EventTypes.Received, Micro(t2)), again.LatestEvent);
        Assert.Equal(again, await Catalog.Images.GetAsync(org.Id, image.Id));
        Assert.Equal(
            [EventTypes.Received, EventTypes.Error, EventTypes.Received],
            (await Catalog.Images.GetEventsAsync(org.Id, image.Id))!.Select(e => e.EventType));

        var retry = Assert.Single(await Catalog.Queue.ClaimAsync("w", 5, TimeSpan.FromMinutes(1), t2));
        Assert.Equal((image.Id, 1, "new"), (retry.ImageId, retry.Attempt, retry.BlobSha256));
    }

    [Fact]
    public async Task Re_adding_a_completed_image_does_not_queue_it()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var image = (await AddAsync(org.Id, ds.Id, T0, Img("p")))[0];
        var job = (await Catalog.Queue.ClaimAsync("w", 1, TimeSpan.FromMinutes(1), T0))[0];
        await Catalog.Queue.CompleteAsync(job, "w", Completed(image.Id, T0), T0);

        var again = (await AddAsync(org.Id, ds.Id, T0.AddMinutes(1), Img("p", metadata: """{"x":true}""")))[0];

        Assert.Equal((ImageStatus.Completed, """{"x":true}"""), (again.Status, again.MetadataJson));
        Assert.Equal(0, await Catalog.Queue.CountAsync());
        Assert.Equal(1, (await Catalog.Datasets.GetAsync(org.Id, ds.Id))!.ImageCount);
    }

    [Fact]
    public async Task Add_to_a_dataset_of_another_org_writes_nothing()
    {
        var (_, ds) = await OrgAndDatasetAsync("a");
        var other = await OrgAsync("b");

        Assert.Null(await Catalog.Images.AddAsync(other.Id, ds.Id, [Img("p")], (_, image) => throw new InvalidOperationException("not asked")));
        Assert.Null(await new AssetService(Catalog, new MemoryBlobStore(), new FixedTime(T0)).AddAsync(new Caller(other.Id, Client), ds.Id, [Img("p")], default));
        Assert.Null(await new AssetService(Catalog, new MemoryBlobStore(), new FixedTime(T0)).AddAsync(new Caller(other.Id, Client), ds.Id, [], default));
        Assert.Equal(0, Scalar("SELECT COUNT(*) FROM images"));
    }

    [Fact]
    public async Task GetMany_follows_the_order_asked_and_leaves_out_unknown_and_foreign_ids()
    {
        var (org, ds) = await OrgAndDatasetAsync("a");
        var (otherOrg, otherDs) = await OrgAndDatasetAsync("b");
        var mine = await AddAsync(org.Id, ds.Id, T0, Img("1"), Img("2"), Img("3"));
        var foreign = (await AddAsync(otherOrg.Id, otherDs.Id, T0, Img("1")))[0];

        var found = await Catalog.Images.GetManyAsync(org.Id, [mine[2].Id, Guid.NewGuid(), foreign.Id, mine[0].Id, mine[1].Id]);

        Assert.Equal([mine[2], mine[0], mine[1]], found);
        Assert.Null(await Catalog.Images.GetAsync(org.Id, foreign.Id));
        Assert.Null(await Catalog.Images.GetEventsAsync(org.Id, foreign.Id));
        Assert.Empty(await Catalog.Images.GetManyAsync(org.Id, []));
    }

    [Fact]
    public async Task Rows_written_are_the_images_read_in_the_order_asked_as_utf8()
    {
        var (org, ds) = await OrgAndDatasetAsync("a");
        var (otherOrg, otherDs) = await OrgAndDatasetAsync("b");
        var mine = await AddAsync(org.Id, ds.Id, T0,
            Img("s3://b/é ✓ \"q\".jpg", "u1", """{"k":"é ✓","n":1}"""), Img("2"), Img("3", "u3"));
        var job = (await Catalog.Queue.ClaimAsync("w", 1, TimeSpan.FromMinutes(1), T0))[0];
        await Catalog.Queue.CompleteAsync(job, "w", Completed(job.ImageId, T0.AddSeconds(2), """{"format":"png","w":"ü"}"""), T0.AddSeconds(2));
        var foreign = (await AddAsync(otherOrg.Id, otherDs.Id, T0, Img("1")))[0];
        var ids = new[] { mine[2].Id, Guid.NewGuid(), foreign.Id, mine[0].Id, mine[1].Id };

        var rows = new RowCapture();
        var handed = await Catalog.Images.WriteManyAsync(org.Id, ids, rows);

        var records = await Catalog.Images.GetManyAsync(org.Id, ids);
        Assert.Equal(3, handed);
        Assert.Equal(records.Select(RowCapture.Of), rows.Rows);
        Assert.Contains(rows.Rows, r => r.TechnicalMetadataJson == """{"format":"png","w":"ü"}""");

        var one = new RowCapture();
        Assert.True(await Catalog.Images.WriteAsync(org.Id, mine[0].Id, one));
        Assert.Equal([RowCapture.Of((await Catalog.Images.GetAsync(org.Id, mine[0].Id))!)], one.Rows);
        Assert.False(await Catalog.Images.WriteAsync(org.Id, foreign.Id, one));
        Assert.False(await Catalog.Images.WriteAsync(org.Id, Guid.NewGuid(), one));
        Assert.Equal(0, await Catalog.Images.WriteManyAsync(org.Id, [foreign.Id], one));
        Assert.Equal(0, await Catalog.Images.WriteManyAsync(org.Id, [], one));
        Assert.Single(one.Rows);
    }

    [Fact]
    public async Task Rows_written_follow_every_write_of_the_images_read_before()
    {
        // The SQLite engine answers these reads (and statuses) from its row cache: each write must be seen by the next read.
        var (org, ds) = await OrgAndDatasetAsync();
        var added = await AddAsync(org.Id, ds.Id, T0, Img("a", metadata: """{"v":0}"""), Img("b"));
        var ids = added.Select(i => i.Id).ToArray();

        async Task SameAsTheCatalogAsync()
        {
            var one = new RowCapture();
            Assert.True(await Catalog.Images.WriteAsync(org.Id, ids[0], one));
            var many = new RowCapture();
            Assert.Equal(2, await Catalog.Images.WriteManyAsync(org.Id, ids, many));
            var records = await Catalog.Images.GetManyAsync(org.Id, ids);
            Assert.Equal(RowCapture.Of(records[0]), Assert.Single(one.Rows));
            Assert.Equal(records.Select(RowCapture.Of), many.Rows);
            var statuses = await Catalog.Images.GetStatusesAsync(org.Id, ds.Id, ["b", "a"]);
            Assert.Equal(Enumerable.Reverse(records).Select(r => new PathStatus(r.Path, r.Status, r.Id, r.ErrorCode, r.ErrorReason, r.LatestEvent)), statuses);
        }

        await SameAsTheCatalogAsync();
        await Catalog.Images.UpdateMetadataAsync(org.Id, ds.Id, [new MetadataUpdate(ids[0], null, """{"v":1}""")], "client-2", T0.AddMinutes(1));
        await SameAsTheCatalogAsync();
        var job = (await Catalog.Queue.ClaimAsync("w", 1, TimeSpan.FromMinutes(1), T0))[0];
        await SameAsTheCatalogAsync();
        await Catalog.Queue.CompleteAsync(job, "w", Completed(job.ImageId, T0.AddSeconds(2), """{"format":"png"}"""), T0.AddSeconds(2));
        await SameAsTheCatalogAsync();
        await AddAsync(org.Id, ds.Id, T0.AddMinutes(2), Img("b", "again", """{"v":2}""")); // the same path again
        await SameAsTheCatalogAsync();
        var failing = (await Catalog.Queue.ClaimAsync("w", 1, TimeSpan.FromMinutes(1), T0.AddMinutes(3)))[0];
        await SameAsTheCatalogAsync();
        await Catalog.Queue.CompleteAsync(failing, "w", Failed(failing.ImageId, T0.AddMinutes(3)), T0.AddMinutes(3));
        await SameAsTheCatalogAsync();

        await Catalog.Images.DeleteAsync(org.Id, ds.Id, [ids[1]], []);
        var after = new RowCapture();
        Assert.Equal(1, await Catalog.Images.WriteManyAsync(org.Id, ids, after));
        Assert.False(await Catalog.Images.WriteAsync(org.Id, ids[1], after));
        Assert.Equal(ids[0], Assert.Single(after.Rows).Id);
        Assert.Equal("""{"v":1}""", after.Rows[0].MetadataJson);
        Assert.Equal([ImageStatus.NotFound, ImageStatus.Completed], (await Catalog.Images.GetStatusesAsync(org.Id, ds.Id, ["b", "a"])).Select(s => s.Status));

        await Catalog.Datasets.DeleteAsync(org.Id, ds.Id);
        Assert.False(await Catalog.Images.WriteAsync(org.Id, ids[0], after));
        Assert.Equal(0, await Catalog.Images.WriteManyAsync(org.Id, ids, after));
        Assert.Equal(ImageStatus.NotFound, Assert.Single(await Catalog.Images.GetStatusesAsync(org.Id, ds.Id, ["a"])).Status);
    }

    /// <summary>What an <see cref="IImageRowWriter"/> is handed, decoded (the spans live only during the call).</summary>
    private sealed class RowCapture : IImageRowWriter
    {
        public List<(Guid Id, Guid DatasetId, string Path, string? UserId, string? MetadataJson, string Status, string? TechnicalMetadataJson,
            string CreatedBy, DateTimeOffset CreatedAt, string UpdatedBy, DateTimeOffset UpdatedAt)> Rows { get; } = [];

        public static (Guid, Guid, string, string?, string?, string, string?, string, DateTimeOffset, string, DateTimeOffset) Of(ImageRecord r) =>
            (r.Id, r.DatasetId, r.Path, r.UserId, r.MetadataJson, r.Status, r.TechnicalMetadataJson, r.CreatedBy, r.CreatedAt, r.UpdatedBy, r.UpdatedAt);

        public void Write(in ImageRow row)
        {
            static string Text(ReadOnlySpan<byte> utf8) => System.Text.Encoding.UTF8.GetString(utf8);
            Rows.Add((row.Id, row.DatasetId, Text(row.Path), row.HasUserId ? Text(row.UserId) : null,
                row.HasMetadata ? Text(row.MetadataJson) : null, Text(row.Status),
                row.HasTechnicalMetadata ? Text(row.TechnicalMetadataJson) : null, Text(row.CreatedBy),
                CatalogTime.FromMicros(row.CreatedAtMicros), Text(row.UpdatedBy), CatalogTime.FromMicros(row.UpdatedAtMicros)));
        }
    }

    [Fact]
    public async Task Statuses_follow_the_order_asked_with_not_found_for_unknown_paths()
    {
        var (org, ds) = await OrgAndDatasetAsync("a");
        var other = await OrgAsync("b");
        var added = await AddAsync(org.Id, ds.Id, T0, Img("x"), Img("y"));
        var job = (await Catalog.Queue.ClaimAsync("w", 1, TimeSpan.FromMinutes(1), T0))[0];
        await Catalog.Queue.CompleteAsync(job, "w", Failed(job.ImageId, T0.AddSeconds(3)), T0.AddSeconds(3));

        var statuses = await Catalog.Images.GetStatusesAsync(org.Id, ds.Id, ["y", "nope", "x"]);

        Assert.Equal(["y", "nope", "x"], statuses.Select(s => s.Path));
        Assert.Equal(new PathStatus("y", ImageStatus.Pending, added[1].Id, null, null, new ImageEvent(EventTypes.Received, Micro(T0))), statuses[0]);
        Assert.Equal(new PathStatus("nope", ImageStatus.NotFound, null, null, null, null), statuses[1]);
        Assert.Equal(
            new PathStatus("x", ImageStatus.Error, added[0].Id, ErrorCodes.FileNotFound, "The file does not exist.",
                new ImageEvent(EventTypes.Error, Micro(T0.AddSeconds(3)), "missing")),
            statuses[2]);

        var foreign = await Catalog.Images.GetStatusesAsync(other.Id, ds.Id, ["x"]);
        Assert.Equal(ImageStatus.NotFound, Assert.Single(foreign).Status);
    }

    [Fact]
    public async Task UpdateMetadata_by_id_and_path_applies_all()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var added = await AddAsync(org.Id, ds.Id, T0, Img("p1", metadata: """{"v":0}"""), Img("p2", metadata: """{"v":0}"""));
        var t1 = T0.AddMinutes(1);

        var result = await Catalog.Images.UpdateMetadataAsync(org.Id, ds.Id,
            [new MetadataUpdate(added[1].Id, null, """{"v":2}"""), new MetadataUpdate(null, "p1", null)], "client-2", t1);

        Assert.Null(result.MissingIndex);
        Assert.Equal([added[1].Id, added[0].Id], result.Updated.Select(i => i.Id));
        Assert.Equal(["""{"v":2}""", null], result.Updated.Select(i => i.MetadataJson));
        Assert.All(result.Updated, i => Assert.Equal(("client-2", Micro(t1)), (i.UpdatedBy, i.UpdatedAt)));
        Assert.Equal(result.Updated[0], await Catalog.Images.GetAsync(org.Id, added[1].Id));
        Assert.Null((await Catalog.Images.GetAsync(org.Id, added[0].Id))!.MetadataJson);
    }

    [Fact]
    public async Task UpdateMetadata_is_all_or_nothing_and_names_the_first_missing_update()
    {
        var (org, ds) = await OrgAndDatasetAsync("a");
        var otherDs = await DatasetAsync(org.Id, "other");
        var (otherOrg, foreignDs) = await OrgAndDatasetAsync("b");
        var mine = (await AddAsync(org.Id, ds.Id, T0, Img("p", metadata: """{"v":0}""")))[0];
        var inOtherDataset = (await AddAsync(org.Id, otherDs.Id, T0, Img("q")))[0];
        var foreign = (await AddAsync(otherOrg.Id, foreignDs.Id, T0, Img("p")))[0];

        foreach (var missing in new[]
                 {
                     new MetadataUpdate(inOtherDataset.Id, null, "{}"),
                     new MetadataUpdate(foreign.Id, null, "{}"),
                     new MetadataUpdate(null, "not-there", "{}"),
                 })
        {
            var result = await Catalog.Images.UpdateMetadataAsync(org.Id, ds.Id,
                [new MetadataUpdate(mine.Id, null, """{"v":1}"""), missing, new MetadataUpdate(null, "also-missing", "{}")],
                Client, T0.AddMinutes(1));

            Assert.Equal(1, result.MissingIndex);
            Assert.Empty(result.Updated);
        }

        Assert.Equal(mine, await Catalog.Images.GetAsync(org.Id, mine.Id)); // rolled back
        Assert.Null((await Catalog.Images.GetAsync(otherOrg.Id, foreign.Id))!.MetadataJson);
    }

    [Fact]
    public async Task Thousands_of_images_add_and_read_back_quickly_by_index()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var images = Enumerable.Range(0, 2000).Select(i => Img($"s3://bucket/img/{i:D5}.jpg", $"u{i}", $$"""{"i":{{i}}}""")).ToArray();

        var sw = Stopwatch.StartNew();
        var added = await AddAsync(org.Id, ds.Id, T0, images);
        var addTime = sw.Elapsed;
        Assert.Equal(images.Select(i => i.Path), added.Select(i => i.Path));

        var ids = added.Select(i => i.Id).Reverse().Take(1000).ToList();
        sw.Restart();
        var many = await Catalog.Images.GetManyAsync(org.Id, ids);
        var statuses = await Catalog.Images.GetStatusesAsync(org.Id, ds.Id, images.Take(1000).Select(i => i.Path).ToList());
        var readTime = sw.Elapsed;

        Assert.Equal(ids, many.Select(i => i.Id));
        Assert.Equal(added.Take(1000).Select(i => (Guid?)i.Id), statuses.Select(s => s.ImageId));
        Assert.Equal(2000, await Catalog.Queue.CountAsync());
        // Generous bounds: the point is "no quadratic behaviour", not a benchmark.
        Assert.True(addTime < TimeSpan.FromSeconds(5), $"adding 2000 took {addTime}");
        Assert.True(readTime < TimeSpan.FromSeconds(2), $"reading 2x1000 took {readTime}");
    }

    [Fact]
    public async Task The_store_writes_what_the_admission_says_and_queues_only_when_told()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var seen = new List<(string Path, bool Existed)>();
        ImageWrite Admit(ImageRecord? existing, NewImage image)
        {
            seen.Add((image.Path, existing is not null));
            var record = existing ?? new ImageRecord(Guid.NewGuid(), org.Id, ds.Id, image.Path, null, image.MetadataJson, ImageStatus.Pending,
                null, null, null, null, Client, T0, Client, T0, null, null, new ImageEvent(EventTypes.Received, T0));
            return new ImageWrite(record with { MetadataJson = image.MetadataJson }, Enqueue: image.Path == "queued");
        }

        var first = await Catalog.Images.AddAsync(org.Id, ds.Id, [Img("queued", metadata: "{}"), Img("quiet")], Admit);
        Assert.NotNull(first);
        Assert.Equal(["queued", "quiet"], first.Select(i => i.Path));
        Assert.Equal(1, await Catalog.Queue.CountAsync());
        Assert.Equal(1, Scalar("SELECT COUNT(*) FROM image_events"));
        Assert.Equal(first[1], await Catalog.Images.GetAsync(org.Id, first[1].Id));

        var second = await Catalog.Images.AddAsync(org.Id, ds.Id, [Img("quiet", metadata: """{"k":1}""")], Admit);
        Assert.Equal(first[1].Id, second![0].Id);
        Assert.Equal("""{"k":1}""", (await Catalog.Images.GetAsync(org.Id, first[1].Id))!.MetadataJson);
        Assert.Equal([("queued", false), ("quiet", false), ("quiet", true)], seen);
        Assert.Equal(2, Scalar("SELECT COUNT(*) FROM images"));
    }

    [Fact]
    public async Task UsesBlob_looks_at_every_organization()
    {
        var (a, dsA) = await OrgAndDatasetAsync("a");
        var (b, dsB) = await OrgAndDatasetAsync("b");
        await AddAsync(a.Id, dsA.Id, T0, Img("upload://x/1.jpg", blob: "x"));
        await AddAsync(b.Id, dsB.Id, T0, Img("upload://y/1.jpg", blob: "y"));

        Assert.True(await Catalog.Images.UsesBlobAsync("x"));
        Assert.True(await Catalog.Images.UsesBlobAsync("y"));
        Assert.False(await Catalog.Images.UsesBlobAsync("z"));
        await Catalog.Datasets.DeleteAsync(a.Id, dsA.Id);
        Assert.False(await Catalog.Images.UsesBlobAsync("x"));
    }

    [Fact]
    public async Task Statuses_of_file_paths_are_looked_up_in_one_spelling_and_answered_as_asked()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var added = await AddAsync(org.Id, ds.Id, T0, Img("file:///srv/a/../photos/x.jpg"));
        Assert.Equal("file:///srv/photos/x.jpg", added[0].Path);

        var statuses = await new AssetService(Catalog, new MemoryBlobStore(), new FixedTime(T0))
            .GetStatusesAsync(org.Id, ds.Id, ["file:///srv/./photos/x.jpg", "file:///srv/photos/x.jpg", "file:///srv/other.jpg"], default);
        Assert.Equal(["file:///srv/./photos/x.jpg", "file:///srv/photos/x.jpg", "file:///srv/other.jpg"], statuses.Select(s => s.Path));
        Assert.Equal([added[0].Id, added[0].Id, (Guid?)null], statuses.Select(s => s.ImageId));
    }
}

public sealed class SqliteImageTests() : ImageTests(new SqliteTestEngine());

public sealed class PostgresImageTests() : ImageTests(new PostgresTestEngine());
