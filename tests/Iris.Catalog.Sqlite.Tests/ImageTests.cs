using System.Diagnostics;
using Iris.Models;

namespace Iris.Catalog.Sqlite.Tests;

public sealed class ImageTests : CatalogTestBase
{
    [Fact]
    public async Task Add_records_new_images_pending_with_a_received_event_and_a_job()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var request = Guid.NewGuid();
        const string Meta = """{"b":1,"a":"é ✓","t":"2026-01-01T00:00:00Z"}""";

        var added = await Catalog.Images.AddAsync(org.Id, ds.Id,
            [Img("s3://b/1.jpg", "u1", Meta), Img("s3://b/2.jpg", blob: "sha")], Client, request, T0);

        Assert.Equal(2, added.Count);
        Assert.NotEqual(added[0].Id, added[1].Id);
        var first = added[0];
        Assert.Equal(("s3://b/1.jpg", "u1", Meta), (first.Path, first.UserId, first.MetadataJson));
        Assert.Equal((ImageStatus.Pending, (string?)null, (string?)null), (first.Status, first.ErrorCode, first.TechnicalMetadataJson));
        Assert.Equal((org.Id, ds.Id, Client, Client), (first.OrgId, first.DatasetId, first.CreatedBy, first.UpdatedBy));
        Assert.Equal((Micro(T0), Micro(T0)), (first.CreatedAt, first.UpdatedAt));
        Assert.Equal((request, Micro(T0)), (first.RequestId, first.RequestAt!.Value));
        Assert.Equal(new ImageEvent(EventTypes.Received, Micro(T0)), first.LatestEvent);
        Assert.Equal("sha", added[1].BlobSha256);

        Assert.Equal(first, await Catalog.Images.GetAsync(org.Id, first.Id)); // stored exactly as returned
        Assert.Equal([new ImageEvent(EventTypes.Received, Micro(T0))], await Catalog.Images.GetEventsAsync(org.Id, first.Id));
        Assert.Equal(2, await Catalog.Queue.CountAsync());
    }

    [Fact]
    public async Task Ids_are_stored_as_16_byte_blobs_and_times_as_unix_microseconds()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var image = (await AddAsync(org.Id, ds.Id, T0, Img("p")))[0];

        Assert.Equal(1, Scalar("SELECT COUNT(*) FROM images WHERE typeof(id) = 'blob' AND length(id) = 16 AND id = @id",
            ("@id", image.Id.ToByteArray())));
        long micros = (T0.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        Assert.Equal(micros, Scalar("SELECT created_at FROM images"));
        Assert.Equal(micros, Scalar("SELECT at FROM image_events"));
        Assert.Equal(T0.ToUnixTimeSeconds(), micros / 1_000_000);
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
        var request = Guid.NewGuid();

        var kept = (await Catalog.Images.AddAsync(org.Id, ds.Id, [Img("p")], "client-2", request, t1))[0];
        Assert.Equal(original.Id, kept.Id);
        Assert.Equal(("u", """{"v":1}"""), (kept.UserId, kept.MetadataJson));
        Assert.Equal(("client-2", Micro(t1), request), (kept.UpdatedBy, kept.UpdatedAt, kept.RequestId));
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
        var job = (await Catalog.Queue.ClaimAsync("w", 1, TimeSpan.FromMinutes(1), 3, T0))[0];
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

        var retry = Assert.Single(await Catalog.Queue.ClaimAsync("w", 5, TimeSpan.FromMinutes(1), 3, t2));
        Assert.Equal((image.Id, 1, "new"), (retry.ImageId, retry.Attempt, retry.BlobSha256));
    }

    [Fact]
    public async Task Re_adding_a_completed_image_does_not_queue_it()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var image = (await AddAsync(org.Id, ds.Id, T0, Img("p")))[0];
        var job = (await Catalog.Queue.ClaimAsync("w", 1, TimeSpan.FromMinutes(1), 3, T0))[0];
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

        await Assert.ThrowsAsync<KeyNotFoundException>(() => AddAsync(other.Id, ds.Id, T0, Img("p")));
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
    public async Task Statuses_follow_the_order_asked_with_not_found_for_unknown_paths()
    {
        var (org, ds) = await OrgAndDatasetAsync("a");
        var other = await OrgAsync("b");
        var added = await AddAsync(org.Id, ds.Id, T0, Img("x"), Img("y"));
        var job = (await Catalog.Queue.ClaimAsync("w", 1, TimeSpan.FromMinutes(1), 3, T0))[0];
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

    [Theory]
    [InlineData("SELECT id FROM images WHERE id = @a AND org_id = @b", "USING INDEX sqlite_autoindex_images_1")]
    [InlineData("SELECT id FROM images WHERE dataset_id = @a AND path = @c AND org_id = @b", "USING INDEX sqlite_autoindex_images_2")]
    [InlineData("SELECT e.seq FROM images i LEFT JOIN image_events e ON e.image_id = i.id WHERE i.id = @a AND i.org_id = @b ORDER BY e.seq", "ix_image_events_image")]
    public void Point_reads_search_an_index(string sql, string expected)
    {
        using var connection = RawConnection();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "EXPLAIN QUERY PLAN " + sql;
        cmd.Parameters.AddWithValue("@a", Guid.NewGuid());
        cmd.Parameters.AddWithValue("@b", Guid.NewGuid());
        cmd.Parameters.AddWithValue("@c", "p");
        var plan = new List<string>();
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                plan.Add(r.GetString(3));
            }
        }

        Assert.Contains(plan, line => line.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.StartsWith("SCAN", StringComparison.Ordinal));
    }
}
