using Iris.Blobs;
using Iris.Catalog.Tests.Engines;
using Iris.Ingestion;
using Iris.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Iris.Catalog.Tests;

/// <summary>
/// The Core worker's rules over the engine's queue: used-up attempts end an image as <c>unknown</c>, an outage of
/// Iris's storage and a stop hand the image back without counting the attempt, a renewed lease is never taken over.
/// </summary>
public abstract class WorkerTests(TestEngine engine) : CatalogTestBase(engine)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>A stage that does what the test tells it, then passes for a well-formed JPEG.</summary>
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

    private IngestionWorker Worker(Func<IngestionContext, CancellationToken, Task> stage, IrisOptions options) =>
        new(Catalog.Queue, Catalog.Images, new MemoryBlobStore(), new IngestionPipeline([new ScriptedStage(stage)], TimeProvider.System),
            options, TimeProvider.System, NullLogger<IngestionWorker>.Instance);

    private static IrisOptions Options(TimeSpan? lease = null) => new()
    {
        LeaseDuration = lease ?? TimeSpan.FromSeconds(30),
        MaxAttempts = 2,
        ShutdownGrace = TimeSpan.FromMilliseconds(200),
    };

    private async Task<ImageRecord> WaitForAsync(Guid orgId, Guid imageId, Func<ImageRecord, bool> done)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var image = (await Catalog.Images.GetAsync(orgId, imageId))!;
            if (done(image)) return image;
            Assert.True(clock.Elapsed < Wait, $"Image {imageId} is still {image.Status} after {Wait.TotalSeconds} s.");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_job_that_used_up_its_attempts_ends_its_image_in_error_unknown_without_running()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var image = (await AddAsync(org.Id, ds.Id, T0, Img("crashes")))[0];
        // Two workers died holding it: their leases ran out (claims in the past).
        var past = DateTimeOffset.UtcNow.AddHours(-1);
        Assert.Single(await Catalog.Queue.ClaimAsync("dead-1", 1, TimeSpan.FromSeconds(1), past));
        Assert.Single(await Catalog.Queue.ClaimAsync("dead-2", 1, TimeSpan.FromSeconds(1), past.AddSeconds(2)));

        var ran = false;
        using var stop = new CancellationTokenSource();
        var worker = Worker((_, _) => { ran = true; return Task.CompletedTask; }, Options());
        var running = worker.RunAsync("w", stop.Token);
        var ended = await WaitForAsync(org.Id, image.Id, i => i.Status == ImageStatus.Error);
        await stop.CancelAsync();
        await running;

        Assert.False(ran);
        Assert.Equal((ErrorCodes.Unknown, "Processing did not finish after 2 attempts; the file may crash or hang the decoder."),
            (ended.ErrorCode, ended.ErrorReason));
        Assert.Equal([EventTypes.Received, EventTypes.Error], (await Catalog.Images.GetEventsAsync(org.Id, image.Id))!.Select(e => e.EventType));
        Assert.Equal(0, await Catalog.Queue.CountAsync());
    }

    [Fact]
    public async Task An_outage_of_the_blob_store_hands_the_image_back_and_it_completes_once_the_store_is_back()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var image = (await AddAsync(org.Id, ds.Id, T0, Img("p")))[0];
        var outages = 3;
        var runs = 0;
        using var stop = new CancellationTokenSource();
        var worker = Worker((_, _) =>
        {
            runs++;
            if (outages-- > 0) throw new BlobStoreUnavailableException("The blob store is unreachable.");
            return Task.CompletedTask;
        }, Options());

        // Handed back with a short wait each time; the attempts are not used up (MaxAttempts is 2).
        var running = worker.RunAsync("w", stop.Token);
        var done = await WaitForAsync(org.Id, image.Id, i => i.Status is ImageStatus.Completed or ImageStatus.Error);
        await stop.CancelAsync();
        await running;

        Assert.Equal(ImageStatus.Completed, done.Status);
        Assert.Equal(4, runs);
        Assert.True(IngestionWorker.OutageRetryDelay * 3 <= TimeSpan.FromSeconds(15), "the test waits for three hand-backs");
    }

    [Fact]
    public async Task A_worker_renews_its_lease_so_nobody_takes_a_long_image_over()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var image = (await AddAsync(org.Id, ds.Id, T0, Img("slow")))[0];
        // Renewed every second: two seconds of slack before a late renewal would let the lease run out.
        var lease = TimeSpan.FromSeconds(3);
        using var release = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();
        var worker = Worker(async (_, ct) => await release.WaitAsync(ct), Options(lease));
        var running = worker.RunAsync("w", stop.Token);
        await WaitForAsync(org.Id, image.Id, i => i.Status == ImageStatus.ProcessingStarted);

        // Twice past the lease's first expiry, another worker finds nothing to claim.
        for (var i = 0; i < 6; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Empty(await Catalog.Queue.ClaimAsync("thief", 1, lease, DateTimeOffset.UtcNow));
        }
        release.Release();
        var done = await WaitForAsync(org.Id, image.Id, i => i.Status == ImageStatus.Completed);
        await stop.CancelAsync();
        await running;
        Assert.Equal(ImageStatus.Completed, done.Status);
    }

    [Fact]
    public async Task A_stopping_worker_hands_its_image_back_after_the_grace_without_counting_the_attempt()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var image = (await AddAsync(org.Id, ds.Id, T0, Img("forever")))[0];
        using var stop = new CancellationTokenSource();
        var worker = Worker((_, ct) => Task.Delay(Timeout.Infinite, ct), Options());
        var running = worker.RunAsync("w", stop.Token);
        await WaitForAsync(org.Id, image.Id, i => i.Status == ImageStatus.ProcessingStarted);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await stop.CancelAsync();
        await running;
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"Stopping took {clock.Elapsed}.");

        Assert.Equal(ImageStatus.Pending, (await Catalog.Images.GetAsync(org.Id, image.Id))!.Status);
        var again = Assert.Single(await Catalog.Queue.ClaimAsync("next", 1, TimeSpan.FromSeconds(30), DateTimeOffset.UtcNow));
        Assert.Equal(1, again.Attempt);
    }

    [Fact]
    public async Task An_image_that_takes_too_long_ends_in_error_unknown()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var image = (await AddAsync(org.Id, ds.Id, T0, Img("hangs")))[0];
        using var stop = new CancellationTokenSource();
        var options = Options();
        options.ImageTimeout = TimeSpan.FromMilliseconds(300);
        var running = Worker((_, ct) => Task.Delay(Timeout.Infinite, ct), options).RunAsync("w", stop.Token);
        var ended = await WaitForAsync(org.Id, image.Id, i => i.Status == ImageStatus.Error);
        await stop.CancelAsync();
        await running;
        Assert.Equal(ErrorCodes.Unknown, ended.ErrorCode);
        Assert.Contains("longer than", ended.ErrorReason);
    }
}

public sealed class SqliteWorkerTests() : WorkerTests(new SqliteTestEngine());

public sealed class PostgresWorkerTests() : WorkerTests(new PostgresTestEngine());
