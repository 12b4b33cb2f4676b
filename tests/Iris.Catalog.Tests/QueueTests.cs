using System.Collections.Concurrent;
using Iris.Models;

using Iris.Catalog.Tests.Engines;

namespace Iris.Catalog.Tests;

public abstract class QueueTests(TestEngine engine) : CatalogTestBase(engine)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Claim_leases_the_oldest_jobs_and_marks_their_images_started()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var first = await AddAsync(org.Id, ds.Id, T0, Img("a", blob: "sha-a"), Img("b"));
        var later = await AddAsync(org.Id, ds.Id, T0.AddSeconds(1), Img("c"));

        var jobs = await Catalog.Queue.ClaimAsync("w1", 2, Lease, T0);

        Assert.Equal([first[0].Id, first[1].Id], jobs.Select(j => j.ImageId));
        Assert.Equal(new IngestionJob(first[0].Id, org.Id, ds.Id, "a", "sha-a", 1, Micro(T0 + Lease), ds.EncoderName), jobs[0]);
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
        var a = Assert.Single(await Catalog.Queue.ClaimAsync("w1", 1, Lease, T0));

        var b = Assert.Single(await Catalog.Queue.ClaimAsync("w2", 5, Lease, T0));
        Assert.Equal((added[0].Id, added[1].Id), (a.ImageId, b.ImageId));
        Assert.Empty(await Catalog.Queue.ClaimAsync("w3", 5, Lease, T0 + Lease - TimeSpan.FromMicroseconds(1)));

        // at the expiry instant both leases are free again, and the attempt counts up
        var again = await Catalog.Queue.ClaimAsync("w3", 5, Lease, T0 + Lease);
        Assert.Equal([(added[0].Id, 2), (added[1].Id, 2)], again.Select(j => (j.ImageId, j.Attempt)));
    }

    [Fact]
    public async Task Complete_records_the_outcome_events_and_count_and_removes_the_job()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var image = (await AddAsync(org.Id, ds.Id, T0, Img("a")))[0];
        var job = (await Catalog.Queue.ClaimAsync("w", 1, Lease, T0))[0];
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
        var jobs = await Catalog.Queue.ClaimAsync("w", 3, Lease, T0);

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
        var stale = (await Catalog.Queue.ClaimAsync("w1", 1, Lease, T0))[0];
        var t1 = T0 + Lease + TimeSpan.FromSeconds(1);
        var fresh = (await Catalog.Queue.ClaimAsync("w2", 1, Lease, t1))[0];
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
        var job = (await Catalog.Queue.ClaimAsync("w", 1, Lease, T0))[0];
        var late = T0 + Lease * 3;

        Assert.True(await Catalog.Queue.CompleteAsync(job, "w", Completed(image.Id, late), late));
        Assert.Equal(ImageStatus.Completed, (await Catalog.Images.GetAsync(org.Id, image.Id))!.Status);
    }

    [Fact]
    public async Task Complete_after_the_dataset_was_deleted_returns_false()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var image = (await AddAsync(org.Id, ds.Id, T0, Img("a")))[0];
        var job = (await Catalog.Queue.ClaimAsync("w", 1, Lease, T0))[0];
        await Catalog.Datasets.DeleteAsync(org.Id, ds.Id);

        Assert.False(await Catalog.Queue.CompleteAsync(job, "w", Completed(image.Id, T0), T0));
        Assert.Equal(0, Scalar("SELECT COUNT(*) FROM image_events"));
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
                var jobs = await Catalog.Queue.ClaimAsync(worker, 7, Lease, T0);
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
    public async Task Waiting_jobs_are_those_no_live_lease_holds()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        await AddAsync(org.Id, ds.Id, T0, Img("a"), Img("b"), Img("c"));
        Assert.Equal(3, await Catalog.Queue.CountWaitingAsync(T0));
        var held = await Catalog.Queue.ClaimAsync("w", 2, Lease, T0);
        Assert.Equal(1, await Catalog.Queue.CountWaitingAsync(T0));
        Assert.Equal(3, await Catalog.Queue.CountAsync());
        Assert.Equal(3, await Catalog.Queue.CountWaitingAsync(T0 + Lease)); // the leases ran out
        Assert.True(await Catalog.Queue.ReleaseAsync(held[0], "w", T0 + Lease * 2)); // handed back, not before then
        Assert.Equal(1, await Catalog.Queue.CountWaitingAsync(T0 + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Renew_extends_only_the_lease_this_worker_holds()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        await AddAsync(org.Id, ds.Id, T0, Img("a"));
        var job = Assert.Single(await Catalog.Queue.ClaimAsync("w1", 1, Lease, T0));

        Assert.True(await Catalog.Queue.RenewAsync(job, "w1", T0 + Lease * 2));
        Assert.False(await Catalog.Queue.RenewAsync(job, "w2", T0 + Lease * 3)); // not its lease
        Assert.Empty(await Catalog.Queue.ClaimAsync("w2", 1, Lease, T0 + Lease + TimeSpan.FromSeconds(1))); // renewed: still held

        var taken = Assert.Single(await Catalog.Queue.ClaimAsync("w2", 1, Lease, T0 + Lease * 2));
        Assert.Equal(2, taken.Attempt);
        Assert.False(await Catalog.Queue.RenewAsync(job, "w1", T0 + Lease * 4)); // taken over
        Assert.True(await Catalog.Queue.RenewAsync(taken, "w2", T0 + Lease * 4));
    }

    [Fact]
    public async Task Release_hands_a_job_back_pending_without_counting_the_attempt()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var added = await AddAsync(org.Id, ds.Id, T0, Img("a"), Img("b"));
        var jobs = await Catalog.Queue.ClaimAsync("w", 2, Lease, T0);

        Assert.True(await Catalog.Queue.ReleaseAsync(jobs[0], "w", T0)); // claimable at once
        Assert.True(await Catalog.Queue.ReleaseAsync(jobs[1], "w", T0.AddSeconds(30))); // not before then
        Assert.False(await Catalog.Queue.ReleaseAsync(jobs[1], "w", T0)); // no longer held
        Assert.All(await Catalog.Images.GetManyAsync(org.Id, added.Select(i => i.Id).ToList()), i => Assert.Equal(ImageStatus.Pending, i.Status));
        Assert.False(await Catalog.Queue.CompleteAsync(jobs[0], "w", Completed(jobs[0].ImageId, T0), T0));

        var again = Assert.Single(await Catalog.Queue.ClaimAsync("w2", 5, Lease, T0.AddSeconds(1)));
        Assert.Equal((added[0].Id, 1), (again.ImageId, again.Attempt));
        var later = Assert.Single(await Catalog.Queue.ClaimAsync("w2", 5, Lease, T0.AddSeconds(30)));
        Assert.Equal((added[1].Id, 1), (later.ImageId, later.Attempt));
        Assert.Equal(2, await Catalog.Queue.CountAsync());
    }

    [Fact]
    public async Task Waiting_for_jobs_returns_when_images_are_queued()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        // Wake-ups are hints: an engine may wake its first waiter once (PostgreSQL does when it starts listening).
        await Catalog.Queue.WaitForJobsAsync(TimeSpan.FromSeconds(2));
        var waiting = Catalog.Queue.WaitForJobsAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        await AddAsync(org.Id, ds.Id, T0, Img("a"));
        Assert.Same(waiting, await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(10))));
        await Catalog.Queue.WaitForJobsAsync(TimeSpan.FromMilliseconds(10)); // a timeout is not an error
    }
}

public sealed class SqliteQueueTests() : QueueTests(new SqliteTestEngine());

public sealed class PostgresQueueTests() : QueueTests(new PostgresTestEngine());
