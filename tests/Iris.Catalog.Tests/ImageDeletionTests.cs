using Iris.Assets;
using Iris.Blobs;
using Iris.Catalog.Tests.Engines;
using Iris.Ingestion;
using Iris.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Iris.Catalog.Tests;

/// <summary>
/// <see cref="IImageStore.DeleteAsync"/>: images of one dataset deleted by id or path with their events and jobs, the
/// completed count kept right, nothing of another dataset or organization touched; and the Core rules over it
/// (<see cref="AssetDeletion"/>): which bytes go, and a worker holding a deleted image's lease.
/// </summary>
public abstract class ImageDeletionTests(TestEngine engine) : CatalogTestBase(engine)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    private static string Sha(char c) => new(c, 64);

    /// <summary>Claims every queued job and ends each as <paramref name="end"/> says (null: leave it leased).</summary>
    private async Task EndAllAsync(Func<IngestionJob, IngestionOutcome?> end)
    {
        foreach (var job in await Catalog.Queue.ClaimAsync("w", 100, Lease, T0))
        {
            if (end(job) is { } outcome) Assert.True(await Catalog.Queue.CompleteAsync(job, "w", outcome, T0));
        }
    }

    private long EventsOf(Guid imageId) => Scalar("SELECT COUNT(*) FROM image_events WHERE image_id = @id", ("@id", imageId));

    [Fact]
    public async Task Delete_by_id_and_by_path_removes_the_images_events_and_jobs_and_returns_their_blobs_and_previews()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var added = await AddAsync(org.Id, ds.Id, T0,
            Img("upload://s/a.jpg", blob: Sha('s')), Img("upload://s/b.jpg", blob: Sha('s')), Img("s3://bucket/c.jpg"),
            Img("s3://bucket/d.jpg"), Img("s3://bucket/e.jpg"));
        var (a, b, c, d, e) = (added[0], added[1], added[2], added[3], added[4]);
        await EndAllAsync(job =>
            job.ImageId == a.Id || job.ImageId == c.Id || job.ImageId == d.Id
                ? Completed(job.ImageId, T0) with { PreviewKey = "previews/" + job.ImageId }
                : job.ImageId == b.Id ? Failed(job.ImageId, T0) : null); // e stays leased
        Assert.Equal(3, (await Catalog.Datasets.GetAsync(org.Id, ds.Id))!.ImageCount);

        // a by id and by path (deleted once), c by path, b (in error) and e (leased) by id, unknown ones passed over.
        var deletion = await Catalog.Images.DeleteAsync(org.Id, ds.Id,
            [a.Id, Guid.NewGuid(), b.Id, e.Id], ["s3://bucket/c.jpg", "upload://s/a.jpg", "s3://bucket/never.jpg"]);

        Assert.NotNull(deletion);
        Assert.Equal(new[] { a.Id, b.Id, c.Id, e.Id }.Order(), deletion.ImageIds.Order());
        Assert.Equal(deletion.ImageIds.Count, deletion.Paths.Count);
        Assert.Equal(["s3://bucket/c.jpg", "s3://bucket/e.jpg", "upload://s/a.jpg", "upload://s/b.jpg"], deletion.Paths.Order(StringComparer.Ordinal));
        Assert.Equal([Sha('s')], deletion.BlobSha256s);
        Assert.Equal(new[] { "previews/" + a.Id, "previews/" + c.Id }.Order(StringComparer.Ordinal), deletion.PreviewKeys.Order(StringComparer.Ordinal));
        foreach (var gone in new[] { a, b, c, e })
        {
            Assert.Null(await Catalog.Images.GetAsync(org.Id, gone.Id));
            Assert.Null(await Catalog.Images.GetEventsAsync(org.Id, gone.Id));
            Assert.Equal(0, EventsOf(gone.Id));
        }
        Assert.Equal(ImageStatus.Completed, (await Catalog.Images.GetAsync(org.Id, d.Id))!.Status);
        Assert.Equal(ImageStatus.NotFound, (await Catalog.Images.GetStatusesAsync(org.Id, ds.Id, ["s3://bucket/c.jpg"]))[0].Status);
        Assert.Equal(0, await Catalog.Queue.CountAsync()); // e's leased job went with it
        Assert.Equal(1, Scalar("SELECT COUNT(*) FROM images"));
        // Two of the three completed images went (b was in error, e still processing).
        Assert.Equal(1, (await Catalog.Datasets.GetAsync(org.Id, ds.Id))!.ImageCount);
        Assert.False(await Catalog.Images.UsesBlobAsync(Sha('s')));

        // Asked again: the images are gone, nothing more to do.
        var again = await Catalog.Images.DeleteAsync(org.Id, ds.Id, [a.Id], ["s3://bucket/c.jpg"]);
        Assert.Equal(new ImageDeletion([], [], [], []), again, new DeletionComparer());
        Assert.Equal(1, (await Catalog.Datasets.GetAsync(org.Id, ds.Id))!.ImageCount);
    }

    [Fact]
    public async Task Names_of_another_dataset_or_organization_delete_nothing_and_a_foreign_dataset_is_null()
    {
        var (org, first) = await OrgAndDatasetAsync("a", "first");
        var second = await DatasetAsync(org.Id, "second");
        var (otherOrg, foreign) = await OrgAndDatasetAsync("b", "foreign");
        var x = (await AddAsync(org.Id, first.Id, T0, Img("s3://b/x.jpg")))[0];
        var y = (await AddAsync(org.Id, second.Id, T0, Img("s3://b/x.jpg")))[0]; // the same path in another dataset
        var z = (await AddAsync(otherOrg.Id, foreign.Id, T0, Img("s3://b/z.jpg")))[0];
        await EndAllAsync(job => Completed(job.ImageId, T0));

        var none = await Catalog.Images.DeleteAsync(org.Id, first.Id, [y.Id, z.Id], ["s3://b/z.jpg"]);
        Assert.Equal(new ImageDeletion([], [], [], []), none, new DeletionComparer());
        Assert.Equal(new ImageDeletion([], [], [], []), await Catalog.Images.DeleteAsync(otherOrg.Id, foreign.Id, [x.Id, y.Id], ["s3://b/x.jpg"]),
            new DeletionComparer());
        Assert.Equal(new ImageDeletion([], [], [], []), await Catalog.Images.DeleteAsync(org.Id, first.Id, [], []), new DeletionComparer());
        // Another organization's dataset is no dataset at all, like an unknown one.
        Assert.Null(await Catalog.Images.DeleteAsync(otherOrg.Id, first.Id, [x.Id], ["s3://b/x.jpg"]));
        Assert.Null(await Catalog.Images.DeleteAsync(org.Id, Guid.NewGuid(), [x.Id], ["s3://b/x.jpg"]));

        foreach (var (owner, image) in new[] { (org, x), (org, y), (otherOrg, z) })
        {
            Assert.NotNull(await Catalog.Images.GetAsync(owner.Id, image.Id));
            Assert.Equal(4, EventsOf(image.Id)); // received + the three of the outcome
        }
        Assert.Equal(1, (await Catalog.Datasets.GetAsync(org.Id, first.Id))!.ImageCount);
        Assert.Equal(1, (await Catalog.Datasets.GetAsync(org.Id, second.Id))!.ImageCount);
        Assert.Equal(1, (await Catalog.Datasets.GetAsync(otherOrg.Id, foreign.Id))!.ImageCount);
    }

    [Fact]
    public async Task A_worker_holding_a_deleted_images_lease_can_no_longer_renew_release_or_complete_it()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var image = (await AddAsync(org.Id, ds.Id, T0, Img("s3://b/p.jpg")))[0];
        var job = Assert.Single(await Catalog.Queue.ClaimAsync("w", 1, Lease, T0));

        Assert.Equal([image.Id], (await Catalog.Images.DeleteAsync(org.Id, ds.Id, [image.Id], []))!.ImageIds);

        Assert.False(await Catalog.Queue.RenewAsync(job, "w", T0 + Lease));
        Assert.False(await Catalog.Queue.CompleteAsync(job, "w", Completed(job.ImageId, T0), T0));
        Assert.False(await Catalog.Queue.ReleaseAsync(job, "w", T0));
        Assert.Empty(await Catalog.Queue.ClaimAsync("w2", 1, Lease, T0 + Lease + Lease));
        Assert.Equal(0, (await Catalog.Datasets.GetAsync(org.Id, ds.Id))!.ImageCount);
        Assert.Equal(0, Scalar("SELECT COUNT(*) FROM images"));
        Assert.Equal(0, Scalar("SELECT COUNT(*) FROM image_events"));
    }

    [Fact]
    public async Task The_service_reads_uuids_as_ids_normalizes_paths_and_deletes_upload_blobs_once_no_organization_uses_them()
    {
        var (org, ds) = await OrgAndDatasetAsync("a");
        var (otherOrg, foreign) = await OrgAndDatasetAsync("b");
        var blobs = new MemoryBlobStore();
        foreach (var c in "stu") await blobs.PutAsync(BlobKeys.Upload(Sha(c)), new byte[] { 1 });
        var added = await AddAsync(org.Id, ds.Id, T0,
            Img("upload://s/a.jpg", blob: Sha('s')), Img("upload://s/b.jpg", blob: Sha('s')), Img("upload://t/c.jpg", blob: Sha('t')),
            Img("upload://u/d.jpg", blob: Sha('u')), Img("file:///srv/photos/e.jpg"));
        await AddAsync(otherOrg.Id, foreign.Id, T0, Img("upload://t/c.jpg", blob: Sha('t')));
        var service = new AssetDeletion(Catalog, blobs, new FixedTime(T0));
        var caller = new Caller(org.Id, Client);

        Assert.Null(await service.DeleteAsync(new Caller(otherOrg.Id, Client), ds.Id, [added[0].Id.ToString()], default)); // not theirs
        var first = await service.DeleteAsync(caller, ds.Id, ["upload://s/a.jpg", "upload://t/c.jpg", "upload://u/d.jpg"], default);
        Assert.Equal(3, first!.Deleted.ImageIds.Count);
        Assert.Equal([BlobKeys.Upload(Sha('s')), BlobKeys.Upload(Sha('t'))], blobs.Keys); // b still uses s, the other org t

        // A UUID in any of its spellings names the image by id; a file path in any spelling of the same file.
        var second = await service.DeleteAsync(caller, ds.Id, ["{" + added[1].Id.ToString().ToUpperInvariant() + "}", "file:///srv/tmp/../photos/./e.jpg"], default);
        Assert.Equal(new[] { added[1].Id, added[4].Id }.Order(), second!.Deleted.ImageIds.Order());
        Assert.Equal([BlobKeys.Upload(Sha('t'))], blobs.Keys);
        Assert.NotEqual(first.RequestId, second.RequestId);
        Assert.Equal(0, Scalar("SELECT COUNT(*) FROM images WHERE org_id = @org", ("@org", org.Id)));
    }

    [Fact]
    public async Task The_service_deletes_previews_and_a_worker_that_loses_the_image_drops_its_outcome_and_its_preview()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var blobs = new MemoryBlobStore();
        var done = (await AddAsync(org.Id, ds.Id, T0, Img("s3://b/done.jpg")))[0];
        await EndAllAsync(job => Completed(job.ImageId, T0) with { PreviewKey = BlobKeys.Preview(job.ImageId) });
        await blobs.PutAsync(BlobKeys.Preview(done.Id), new byte[] { 1 });
        var service = new AssetDeletion(Catalog, blobs, new FixedTime(T0));
        await service.DeleteAsync(new Caller(org.Id, Client), ds.Id, [done.Id.ToString()], default);
        Assert.Empty(blobs.Keys);

        // A worker writes the preview, then the image is deleted before the worker records the outcome.
        var busy = (await AddAsync(org.Id, ds.Id, T0, Img("s3://b/busy.jpg")))[0];
        using var previewWritten = new SemaphoreSlim(0);
        using var finish = new SemaphoreSlim(0);
        var stage = new ScriptedStage(async (context, ct) =>
        {
            context.PreviewKey = BlobKeys.Preview(context.Job.ImageId);
            await blobs.PutAsync(context.PreviewKey, new byte[] { 2 }, ct);
            previewWritten.Release();
            await finish.WaitAsync(ct);
        });
        var worker = new IngestionWorker(Catalog.Queue, Catalog.Images, blobs, new IngestionPipeline([stage], TimeProvider.System),
            new IrisOptions { LeaseDuration = TimeSpan.FromSeconds(30) }, TimeProvider.System, NullLogger<IngestionWorker>.Instance);
        using var stop = new CancellationTokenSource();
        var running = worker.RunAsync("w", stop.Token);
        Assert.True(await previewWritten.WaitAsync(TimeSpan.FromSeconds(20)), "the worker never reached the stage");
        Assert.Equal([BlobKeys.Preview(busy.Id)], blobs.Keys);

        await service.DeleteAsync(new Caller(org.Id, Client), ds.Id, ["s3://b/busy.jpg"], default);
        finish.Release();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (blobs.Keys.Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(20);
        await stop.CancelAsync();
        await running;

        Assert.Empty(blobs.Keys); // the dropped outcome's preview went too
        Assert.Null(await Catalog.Images.GetAsync(org.Id, busy.Id));
        Assert.Equal(0, (await Catalog.Datasets.GetAsync(org.Id, ds.Id))!.ImageCount);
        Assert.Equal(0, await Catalog.Queue.CountAsync());
    }

    /// <summary>A stage that runs what the test says, then passes for a well-formed JPEG.</summary>
    private sealed class ScriptedStage(Func<IngestionContext, CancellationToken, Task> run) : IIngestionStage
    {
        public string EventType => EventTypes.Stored;

        public async ValueTask RunAsync(IngestionContext context, CancellationToken ct)
        {
            await run(context, ct);
            context.Sha256 = new string('a', 64);
            context.Probe = new ImageProbe("jpeg", "image/jpeg", 1, 1);
        }
    }

    private sealed class DeletionComparer : IEqualityComparer<ImageDeletion?>
    {
        public bool Equals(ImageDeletion? x, ImageDeletion? y) =>
            x is not null && y is not null && x.ImageIds.SequenceEqual(y.ImageIds) && x.Paths.SequenceEqual(y.Paths)
            && x.BlobSha256s.SequenceEqual(y.BlobSha256s) && x.PreviewKeys.SequenceEqual(y.PreviewKeys);

        public int GetHashCode(ImageDeletion? obj) => 0;
    }
}

public sealed class SqliteImageDeletionTests() : ImageDeletionTests(new SqliteTestEngine());

public sealed class PostgresImageDeletionTests() : ImageDeletionTests(new PostgresTestEngine());
