using Iris.Assets;
using Iris.Catalog;
using Iris.Models;
using Iris.Catalog.Tests.Engines;

namespace Iris.Catalog.Tests;

/// <summary>Ingest jobs on every engine: created with their images, counted by claims and completions, listed, deleted with the dataset.</summary>
public abstract class IngestJobTests(TestEngine engine) : CatalogTestBase(engine)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly JobSource Source = new(IngestJobType.Assets, "image", null, "{}", "conn");

    private async Task<AddedImages> JobAsync(Guid orgId, Guid datasetId, DateTimeOffset now, params string[] paths)
    {
        var added = await new AssetService(Catalog, new MemoryBlobStore(), new FixedTime(now))
            .AddAsync(new Caller(orgId, Client), datasetId, paths.Select(p => Img(p)).ToList(), default, Source);
        Assert.NotNull(added?.Job);
        return added!;
    }

    [Fact]
    public async Task A_job_moves_pending_in_progress_completed_with_exact_counts()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var added = await JobAsync(org.Id, ds.Id, T0, "a", "b", "a", "c");
        var job = added.Job!;
        Assert.Equal((IngestJobStatus.Pending, 3L, 0L, 0L), (job.Status, job.TotalAssets!.Value, job.ProcessedAssets, job.ErroredAssets));
        Assert.Null(job.StartedAt);
        Assert.Equal(job, await Catalog.Jobs.GetAsync(org.Id, job.Id));

        var claimed = await Catalog.Queue.ClaimAsync("w", 2, Lease, T0.AddSeconds(1));
        var started = (await Catalog.Jobs.GetAsync(org.Id, job.Id))!;
        Assert.Equal(IngestJobStatus.InProgress, started.Status);
        Assert.Equal(Micro(T0.AddSeconds(1)), started.StartedAt);

        Assert.True(await Catalog.Queue.CompleteAsync(claimed[0], "w", Completed(claimed[0].ImageId, T0.AddSeconds(2)), T0.AddSeconds(2)));
        Assert.True(await Catalog.Queue.CompleteAsync(claimed[1], "w", Failed(claimed[1].ImageId, T0.AddSeconds(3)), T0.AddSeconds(3)));
        var midway = (await Catalog.Jobs.GetAsync(org.Id, job.Id))!;
        Assert.Equal((IngestJobStatus.InProgress, 1L, 1L, (DateTimeOffset?)null), (midway.Status, midway.ProcessedAssets, midway.ErroredAssets, midway.FinishedAt));

        var last = Assert.Single(await Catalog.Queue.ClaimAsync("w", 5, Lease, T0.AddSeconds(4)));
        Assert.True(await Catalog.Queue.CompleteAsync(last, "w", Completed(last.ImageId, T0.AddSeconds(5)), T0.AddSeconds(5)));
        var done = (await Catalog.Jobs.GetAsync(org.Id, job.Id))!;
        Assert.Equal((IngestJobStatus.Completed, 2L, 1L), (done.Status, done.ProcessedAssets, done.ErroredAssets));
        Assert.Equal(Micro(T0.AddSeconds(5)), done.FinishedAt);

        // Its assets in the job's order, as they are now.
        var page = (await Catalog.Jobs.ListImagesAsync(org.Id, job.Id, 0, 10))!;
        Assert.Equal(3, page.Total);
        Assert.Equal(["a", "b", "c"], page.Items.Select(i => i.Path));
        Assert.Equal(["b"], (await Catalog.Jobs.ListImagesAsync(org.Id, job.Id, 1, 1))!.Items.Select(i => i.Path));
    }

    [Fact]
    public async Task Images_already_finished_count_at_once_and_a_finished_job_never_changes()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var first = await JobAsync(org.Id, ds.Id, T0, "a");
        var job = Assert.Single(await Catalog.Queue.ClaimAsync("w", 5, Lease, T0));
        await Catalog.Queue.CompleteAsync(job, "w", Failed(job.ImageId, T0), T0);

        // "a" failed: adding it again queues it again, so the second job waits for it; "b" is new.
        var second = (await JobAsync(org.Id, ds.Id, T0.AddSeconds(1), "a", "b")).Job!;
        Assert.Equal((IngestJobStatus.Pending, 2L, 0L, 0L), (second.Status, second.TotalAssets!.Value, second.ProcessedAssets, second.ErroredAssets));
        foreach (var j in await Catalog.Queue.ClaimAsync("w", 5, Lease, T0.AddSeconds(2)))
            await Catalog.Queue.CompleteAsync(j, "w", Completed(j.ImageId, T0.AddSeconds(2)), T0.AddSeconds(2));
        var firstNow = (await Catalog.Jobs.GetAsync(org.Id, first.Job!.Id))!;
        Assert.Equal((IngestJobStatus.Completed, 0L, 1L), (firstNow.Status, firstNow.ProcessedAssets, firstNow.ErroredAssets));
        Assert.Equal(IngestJobStatus.Completed, (await Catalog.Jobs.GetAsync(org.Id, second.Id))!.Status);

        // Both finished: a third job of them is completed when it is answered.
        var third = (await JobAsync(org.Id, ds.Id, T0.AddSeconds(3), "a", "b")).Job!;
        Assert.Equal((IngestJobStatus.Completed, 2L, 0L), (third.Status, third.ProcessedAssets, third.ErroredAssets));
        Assert.Equal(third, await Catalog.Jobs.GetAsync(org.Id, third.Id));
    }

    [Fact]
    public async Task Two_jobs_waiting_for_one_image_both_count_it()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var first = (await JobAsync(org.Id, ds.Id, T0, "a")).Job!;
        var second = (await JobAsync(org.Id, ds.Id, T0.AddSeconds(1), "a")).Job!; // still pending: not queued twice
        var job = Assert.Single(await Catalog.Queue.ClaimAsync("w", 5, Lease, T0.AddSeconds(2)));
        await Catalog.Queue.CompleteAsync(job, "w", Completed(job.ImageId, T0.AddSeconds(3)), T0.AddSeconds(3));
        foreach (var id in new[] { first.Id, second.Id })
        {
            var j = (await Catalog.Jobs.GetAsync(org.Id, id))!;
            Assert.Equal((IngestJobStatus.Completed, 1L), (j.Status, j.ProcessedAssets));
        }
    }

    [Fact]
    public async Task Jobs_list_newest_first_by_dataset_and_status_and_stay_in_their_organization()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var other = await DatasetAsync(org.Id, "other");
        var a = (await JobAsync(org.Id, ds.Id, T0, "a")).Job!;
        var b = (await JobAsync(org.Id, other.Id, T0.AddSeconds(1), "b")).Job!;
        var c = (await JobAsync(org.Id, ds.Id, T0.AddSeconds(2), "a")).Job!; // "a" still pending
        var (all, total) = await Catalog.Jobs.ListAsync(org.Id, null, null, 0, 10);
        Assert.Equal(3, total);
        Assert.Equal([c.Id, b.Id, a.Id], all.Select(j => j.Id));
        Assert.Equal([c.Id, a.Id], (await Catalog.Jobs.ListAsync(org.Id, ds.Id, null, 0, 10)).Items.Select(j => j.Id));
        Assert.Equal([b.Id], (await Catalog.Jobs.ListAsync(org.Id, null, null, 1, 1)).Items.Select(j => j.Id));
        Assert.Equal(0, (await Catalog.Jobs.ListAsync(org.Id, null, IngestJobStatus.Completed, 0, 10)).Total);

        var stranger = await OrgAsync("stranger");
        Assert.Null(await Catalog.Jobs.GetAsync(stranger.Id, a.Id));
        Assert.Null(await Catalog.Jobs.ListImagesAsync(stranger.Id, a.Id, 0, 10));
        Assert.Equal(0, (await Catalog.Jobs.ListAsync(stranger.Id, null, null, 0, 10)).Total);
    }

    [Fact]
    public async Task Image_lists_and_counts_by_status_and_path()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        await JobAsync(org.Id, ds.Id, T0, "s3://b/x/1.jpg", "s3://b/x/2.jpg", "s3://b/y_%/3.jpg");
        var job = (await Catalog.Queue.ClaimAsync("w", 1, Lease, T0))[0];
        await Catalog.Queue.CompleteAsync(job, "w", Failed(job.ImageId, T0), T0);

        var counts = (await Catalog.Images.CountByStatusAsync(org.Id, ds.Id))!;
        Assert.Equal(1, counts[ImageStatus.Error]);
        Assert.Equal(2, counts[ImageStatus.Pending]);
        Assert.Equal(3, (await Catalog.Images.ListAsync(org.Id, ds.Id, new ImageQuery(), 0, 10))!.Total);
        Assert.Equal(["s3://b/x/1.jpg"], (await Catalog.Images.ListAsync(org.Id, ds.Id, new ImageQuery([ImageStatus.Error]), 0, 10))!.Items.Select(i => i.Path));
        Assert.Equal(2, (await Catalog.Images.ListAsync(org.Id, ds.Id, new ImageQuery(PathPrefix: "s3://b/x/"), 0, 10))!.Total);
        Assert.Equal(1, (await Catalog.Images.ListAsync(org.Id, ds.Id, new ImageQuery(PathPrefix: "s3://b/y_%/"), 0, 10))!.Total);
        Assert.Equal(0, (await Catalog.Images.ListAsync(org.Id, ds.Id, new ImageQuery(PathPrefix: "s3://b/y__/"), 0, 10))!.Total);
        Assert.Equal(1, (await Catalog.Images.ListAsync(org.Id, ds.Id, new ImageQuery(Path: "s3://b/x/2.jpg"), 0, 10))!.Total);
        Assert.Single((await Catalog.Images.ListAsync(org.Id, ds.Id, new ImageQuery(), 2, 10))!.Items);

        var stranger = await OrgAsync("stranger");
        Assert.Null(await Catalog.Images.ListAsync(stranger.Id, ds.Id, new ImageQuery(), 0, 10));
        Assert.Null(await Catalog.Images.CountByStatusAsync(stranger.Id, ds.Id));
    }

    [Fact]
    public async Task Deleting_the_dataset_deletes_its_jobs_and_deleting_an_image_finishes_the_jobs_waiting_for_it()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var job = (await JobAsync(org.Id, ds.Id, T0, "a", "b")).Job!;
        var deletion = await Catalog.Images.DeleteAsync(org.Id, ds.Id, [], ["a"]);
        Assert.NotNull(deletion);
        var afterDelete = (await Catalog.Jobs.GetAsync(org.Id, job.Id))!;
        Assert.Equal((IngestJobStatus.InProgress, 1L), (afterDelete.Status, afterDelete.ErroredAssets));
        var left = Assert.Single(await Catalog.Queue.ClaimAsync("w", 5, Lease, T0));
        await Catalog.Queue.CompleteAsync(left, "w", Completed(left.ImageId, T0), T0);
        Assert.Equal(IngestJobStatus.Completed, (await Catalog.Jobs.GetAsync(org.Id, job.Id))!.Status);

        Assert.NotNull(await Catalog.Datasets.DeleteAsync(org.Id, ds.Id));
        Assert.Null(await Catalog.Jobs.GetAsync(org.Id, job.Id));
        Assert.Equal(0, Scalar("SELECT COUNT(*) FROM ingest_job_assets"));
    }

    [Fact]
    public async Task A_dataset_is_renamed_and_its_status_and_settings_kept_unless_the_name_is_taken()
    {
        var org = await OrgAsync();
        var a = await DatasetAsync(org.Id, "a");
        await DatasetAsync(org.Id, "b");
        var taken = await Catalog.Datasets.UpdateAsync(a with { Name = "b" });
        Assert.True(taken.NameTaken);
        Assert.Null(taken.Dataset);
        var changed = a with { Name = "c", Status = DatasetStatus.Inactive, SettingsJson = """{"x":1}""", UpdatedBy = "other", UpdatedAt = T0.AddDays(1) };
        var updated = await Catalog.Datasets.UpdateAsync(changed);
        Assert.False(updated.NameTaken);
        Assert.Equal(Micro(changed.UpdatedAt), updated.Dataset!.UpdatedAt);
        Assert.Equal(("c", DatasetStatus.Inactive, """{"x":1}""", "other"), (updated.Dataset.Name, updated.Dataset.Status, updated.Dataset.SettingsJson, updated.Dataset.UpdatedBy));
        Assert.Equal(updated.Dataset, await Catalog.Datasets.GetAsync(org.Id, a.Id));
        var stranger = await OrgAsync("stranger");
        Assert.Equal(new DatasetUpdate(null, false), await Catalog.Datasets.UpdateAsync(changed with { OrgId = stranger.Id }));
    }
}

public sealed class SqliteIngestJobTests() : IngestJobTests(new SqliteTestEngine());

public sealed class PostgresIngestJobTests() : IngestJobTests(new PostgresTestEngine());
