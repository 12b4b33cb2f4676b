using System.Collections.Concurrent;
using Iris.Models;

namespace Iris.Catalog.Sqlite.Tests;

public sealed class QueueTests : CatalogTestBase
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Claim_leases_the_oldest_jobs_and_marks_their_images_started()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var first = await AddAsync(org.Id, ds.Id, T0, Img("a", blob: "sha-a"), Img("b"));
        var later = await AddAsync(org.Id, ds.Id, T0.AddSeconds(1), Img("c"));

        var jobs = await Catalog.Queue.ClaimAsync("w1", 2, Lease, 3, T0);

        Assert.Equal([first[0].Id, first[1].Id], jobs.Select(j => j.ImageId));
        Assert.Equal(new IngestionJob(first[0].Id, org.Id, ds.Id, "a", "sha-a", 1, Micro(T0 + Lease)), jobs[0]);
        var image = await Catalog.Images.GetAsync(org.Id, first[0].Id);
        Assert.Equal(ImageStatus.ProcessingStarted, image!.Status);
        Assert.Equal(EventTypes.Received, image.LatestEvent!.EventType); // no event for the claim
        Assert.Equal(ImageStatus.Pending, (await Catalog.Images.GetAsync(org.Id, later[0].Id))!.Status);
        Assert.Equal(3, await Catalog.Queue.CountAsync()); // leased jobs are still jobs
    }

    [Fact]
    public async Task A_second_claim_skips_leased_jobs_until_the_lease_expires()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var added = await AddAsync(org.Id, ds.Id, T0, Img("a"), Img("b"));
        var a = Assert.Single(await Catalog.Queue.ClaimAsync("w1", 1, Lease, 3, T0));

        var b = Assert.Single(await Catalog.Queue.ClaimAsync("w2", 5, Lease, 3, T0));
        Assert.Equal((added[0].Id, added[1].Id), (a.ImageId, b.ImageId));
        Assert.Empty(await Catalog.Queue.ClaimAsync("w3", 5, Lease, 3, T0 + Lease - TimeSpan.FromMicroseconds(1)));

        // at the expiry instant both leases are free again, and the attempt counts up
        var again = await Catalog.Queue.ClaimAsync("w3", 5, Lease, 3, T0 + Lease);
        Assert.Equal([(added[0].Id, 2), (added[1].Id, 2)], again.Select(j => (j.ImageId, j.Attempt)));
    }

    [Fact]
    public async Task Complete_records_the_outcome_events_and_count_and_removes_the_job()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var image = (await AddAsync(org.Id, ds.Id, T0, Img("a")))[0];
        var job = (await Catalog.Queue.ClaimAsync("w", 1, Lease, 3, T0))[0];
        var done = T0.AddSeconds(2);
        const string Tech = """{"format":"jpeg","mimeType":"image/jpeg","width":4000,"exif":{"Make":"Canon"}}""";
        var outcome = Completed(image.Id, done, Tech);

        Assert.True(await Catalog.Queue.CompleteAsync(job, "w", outcome, done));

        var stored = await Catalog.Images.GetAsync(org.Id, image.Id);
        Assert.Equal((ImageStatus.Completed, Tech, (string?)null), (stored!.Status, stored.TechnicalMetadataJson, stored.ErrorCode));
        Assert.Equal(Micro(done), stored.UpdatedAt);
        Assert.Equal(Client, stored.UpdatedBy);
        var events = await Catalog.Images.GetEventsAsync(org.Id, image.Id);
        Assert.NotNull(events);
        Assert.Equal(
            [EventTypes.Received, EventTypes.FileDownloaded, EventTypes.MetadataStored, EventTypes.Completed],
            events.Select(e => e.EventType));
        Assert.Equal(events[^1], stored.LatestEvent);
        Assert.Equal(new ImageEvent(EventTypes.Completed, Micro(done.AddTicks(20)), "done"), stored.LatestEvent);
        Assert.Equal(1, (await Catalog.Datasets.GetAsync(org.Id, ds.Id))!.ImageCount);
        Assert.Equal(0, await Catalog.Queue.CountAsync());
        Assert.False(await Catalog.Queue.CompleteAsync(job, "w", outcome, done)); // the job is gone
        Assert.Equal(4, events.Count);
    }

    [Fact]
    public async Task Completed_count_counts_completed_images_only()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        await AddAsync(org.Id, ds.Id, T0, Img("a"), Img("b"), Img("c"));
        var jobs = await Catalog.Queue.ClaimAsync("w", 3, Lease, 3, T0);

        await Catalog.Queue.CompleteAsync(jobs[0], "w", Completed(jobs[0].ImageId, T0), T0);
        await Catalog.Queue.CompleteAsync(jobs[1], "w", Failed(jobs[1].ImageId, T0), T0);
        await Catalog.Queue.CompleteAsync(jobs[2], "w", Completed(jobs[2].ImageId, T0), T0);

        Assert.Equal(2, (await Catalog.Datasets.GetAsync(org.Id, ds.Id))!.ImageCount);
        Assert.Equal(2, (await Catalog.Datasets.ListAsync(org.Id, 0, 10)).Items[0].ImageCount);
        var failed = await Catalog.Images.GetAsync(org.Id, jobs[1].ImageId);
        Assert.Equal((ImageStatus.Error, ErrorCodes.FileNotFound, "The file does not exist."), (failed!.Status, failed.ErrorCode, failed.ErrorReason));
    }

    [Fact]
    public async Task Complete_with_a_stale_lease_or_another_worker_changes_nothing()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var image = (await AddAsync(org.Id, ds.Id, T0, Img("a")))[0];
        var stale = (await Catalog.Queue.ClaimAsync("w1", 1, Lease, 3, T0))[0];
        var t1 = T0 + Lease + TimeSpan.FromSeconds(1);
        var fresh = (await Catalog.Queue.ClaimAsync("w2", 1, Lease, 3, t1))[0];
        Assert.Equal(2, fresh.Attempt);

        Assert.False(await Catalog.Queue.CompleteAsync(stale, "w1", Completed(image.Id, t1), t1));
        Assert.False(await Catalog.Queue.CompleteAsync(stale, "w2", Completed(image.Id, t1), t1)); // old attempt
        Assert.False(await Catalog.Queue.CompleteAsync(fresh, "w1", Completed(image.Id, t1), t1)); // not its lease

        var unchanged = await Catalog.Images.GetAsync(org.Id, image.Id);
        Assert.Equal(ImageStatus.ProcessingStarted, unchanged!.Status);
        Assert.Single((await Catalog.Images.GetEventsAsync(org.Id, image.Id))!);
        Assert.Equal(0, (await Catalog.Datasets.GetAsync(org.Id, ds.Id))!.ImageCount);

        Assert.True(await Catalog.Queue.CompleteAsync(fresh, "w2", Completed(image.Id, t1), t1));
    }

    [Fact]
    public async Task A_lease_that_expired_may_still_complete_if_nobody_claimed_it()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var image = (await AddAsync(org.Id, ds.Id, T0, Img("a")))[0];
        var job = (await Catalog.Queue.ClaimAsync("w", 1, Lease, 3, T0))[0];
        var late = T0 + Lease * 3;

        Assert.True(await Catalog.Queue.CompleteAsync(job, "w", Completed(image.Id, late), late));
        Assert.Equal(ImageStatus.Completed, (await Catalog.Images.GetAsync(org.Id, image.Id))!.Status);
    }

    [Fact]
    public async Task Complete_after_the_dataset_was_deleted_returns_false()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var image = (await AddAsync(org.Id, ds.Id, T0, Img("a")))[0];
        var job = (await Catalog.Queue.ClaimAsync("w", 1, Lease, 3, T0))[0];
        await Catalog.Datasets.DeleteAsync(org.Id, ds.Id);

        Assert.False(await Catalog.Queue.CompleteAsync(job, "w", Completed(image.Id, T0), T0));
        Assert.Equal(0, Scalar("SELECT COUNT(*) FROM image_events"));
    }

    [Fact]
    public async Task A_job_claimed_max_attempts_times_ends_its_image_in_error_unknown()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var added = await AddAsync(org.Id, ds.Id, T0, Img("crashes"));
        var other = await AddAsync(org.Id, ds.Id, T0.AddSeconds(1), Img("fine"));
        var now = T0;
        for (int attempt = 1; attempt <= 2; attempt++)
        {
            var job = Assert.Single(await Catalog.Queue.ClaimAsync("w", 1, Lease, 2, now));
            Assert.Equal((added[0].Id, attempt), (job.ImageId, job.Attempt));
            now += Lease; // the worker died: the lease runs out
        }

        // the third claim ends the exhausted job and hands out the next one instead
        var next = Assert.Single(await Catalog.Queue.ClaimAsync("w", 1, Lease, 2, now));
        Assert.Equal(other[0].Id, next.ImageId);

        var image = await Catalog.Images.GetAsync(org.Id, added[0].Id);
        const string Reason = "Processing did not finish after 2 attempts; the file may crash or hang the decoder.";
        Assert.Equal((ImageStatus.Error, ErrorCodes.Unknown, Reason), (image!.Status, image.ErrorCode, image.ErrorReason));
        Assert.Equal(Micro(now), image.UpdatedAt);
        var events = await Catalog.Images.GetEventsAsync(org.Id, added[0].Id);
        Assert.NotNull(events);
        Assert.Equal([EventTypes.Received, EventTypes.Error], events.Select(e => e.EventType));
        Assert.Equal(events[^1], image.LatestEvent);
        Assert.Equal(Micro(now), image.LatestEvent!.At);
        Assert.Equal(1, await Catalog.Queue.CountAsync());
    }

    [Fact]
    public async Task An_exhausted_job_still_leased_is_left_alone_until_its_lease_ends()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var image = (await AddAsync(org.Id, ds.Id, T0, Img("a")))[0];
        var job = Assert.Single(await Catalog.Queue.ClaimAsync("w", 1, Lease, 1, T0));

        Assert.Empty(await Catalog.Queue.ClaimAsync("w2", 1, Lease, 1, T0.AddSeconds(30)));
        Assert.Equal(ImageStatus.ProcessingStarted, (await Catalog.Images.GetAsync(org.Id, image.Id))!.Status);
        Assert.True(await Catalog.Queue.CompleteAsync(job, "w", Completed(image.Id, T0.AddSeconds(40)), T0.AddSeconds(40)));
    }

    [Fact]
    public async Task ReleaseAllLeases_frees_every_lease_and_sets_images_back_to_pending()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var added = await AddAsync(org.Id, ds.Id, T0, Img("a"), Img("b"), Img("c"));
        await Catalog.Queue.ClaimAsync("w", 2, Lease, 5, T0);

        Assert.Equal(2, await Catalog.Queue.ReleaseAllLeasesAsync());

        Assert.All(await Catalog.Images.GetManyAsync(org.Id, added.Select(i => i.Id).ToList()),
            i => Assert.Equal(ImageStatus.Pending, i.Status));
        var reclaimed = await Catalog.Queue.ClaimAsync("w", 5, Lease, 5, T0); // same instant: no expiry needed
        Assert.Equal([(added[0].Id, 2), (added[1].Id, 2), (added[2].Id, 1)], reclaimed.Select(j => (j.ImageId, j.Attempt)));
        Assert.Equal(3, await Catalog.Queue.ReleaseAllLeasesAsync());
    }

    [Fact]
    public async Task A_released_job_that_used_all_attempts_is_ended_on_the_next_claim()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var image = (await AddAsync(org.Id, ds.Id, T0, Img("a")))[0];
        await Catalog.Queue.ClaimAsync("w", 1, Lease, 1, T0);
        await Catalog.Queue.ReleaseAllLeasesAsync(); // a restart

        Assert.Empty(await Catalog.Queue.ClaimAsync("w", 1, Lease, 1, T0));
        Assert.Equal(ErrorCodes.Unknown, (await Catalog.Images.GetAsync(org.Id, image.Id))!.ErrorCode);
        Assert.Equal(0, await Catalog.Queue.CountAsync());
    }

    [Fact]
    public async Task Two_concurrent_claimers_never_get_the_same_job()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        const int Count = 300;
        await AddAsync(org.Id, ds.Id, T0, Enumerable.Range(0, Count).Select(i => Img($"p{i}")).ToArray());
        var claimed = new ConcurrentBag<(string Worker, Guid ImageId)>();

        async Task Drain(string worker)
        {
            while (true)
            {
                var jobs = await Catalog.Queue.ClaimAsync(worker, 7, Lease, 3, T0);
                if (jobs.Count == 0)
                {
                    return;
                }

                foreach (var job in jobs)
                {
                    claimed.Add((worker, job.ImageId));
                }
            }
        }

        await Task.WhenAll(Task.Run(() => Drain("w1")), Task.Run(() => Drain("w2")));

        Assert.Equal(Count, claimed.Count);
        Assert.Equal(Count, claimed.Select(c => c.ImageId).Distinct().Count());
        Assert.Equal(Count, Scalar("SELECT COUNT(*) FROM ingestion_jobs WHERE attempts = 1 AND lease_owner IS NOT NULL"));
        Assert.Equal(Count, Scalar("SELECT COUNT(*) FROM images WHERE status = 'processing_started'"));
    }

    [Fact]
    public void The_claim_scans_the_queue_in_order_without_sorting()
    {
        using var connection = RawConnection();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            EXPLAIN QUERY PLAN
            SELECT j.seq, j.image_id, j.attempts, i.org_id, i.dataset_id, i.path, i.blob_sha256
            FROM ingestion_jobs j JOIN images i ON i.id = j.image_id
            WHERE j.lease_expires_at IS NULL OR j.lease_expires_at <= 0
            ORDER BY j.seq LIMIT 10
            """;
        var plan = new List<string>();
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                plan.Add(r.GetString(3));
            }
        }

        Assert.DoesNotContain(plan, line => line.Contains("TEMP B-TREE", StringComparison.Ordinal));
        Assert.Contains(plan, line => line.Contains("SEARCH i USING INDEX sqlite_autoindex_images_1", StringComparison.Ordinal));
    }
}
