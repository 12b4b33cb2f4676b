using System.Diagnostics;
using Iris.Assets;
using Iris.Catalog;
using Iris.Models;

namespace Iris.Bench.Catalog;

/// <summary>What the queue alone costs on one engine: images queued per second, and claims plus completions per second.</summary>
public sealed record QueueResult(string Engine, int Jobs, int Workers, double EnqueuedPerSecond, double CompletedPerSecond, double CpuMsPerJob);

/// <summary>
/// The queue's own cost, without any image work: N images are added (1000 per request, through the Core rules, as the
/// API adds them), then two workers each claim one job at a time and complete it at once with a small outcome
/// (technical metadata and three events, as a real completion writes), until the queue is empty.
/// </summary>
public static class QueueBench
{
    public static async Task<QueueResult> RunAsync(string engine, ICatalog catalog, int jobs, int workers, TextWriter log)
    {
        var now = DateTimeOffset.UtcNow;
        var org = await catalog.Organizations.GetOrCreateAsync("queue-bench", now);
        var dataset = await catalog.Datasets.TryCreateAsync(new Dataset(Guid.CreateVersion7(now), org.Id, $"q{Guid.NewGuid():N}", null, "bench", now, "bench", now, 0))
            ?? throw new InvalidOperationException("The queue benchmark's dataset exists already.");
        var assets = new AssetService(catalog, new Iris.Blobs.FileBlobStore(Path.Combine(Path.GetTempPath(), $"iris-queue-bench-{Environment.ProcessId}")), TimeProvider.System);
        var caller = new Caller(org.Id, "bench");

        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < jobs; i += 1000)
        {
            var batch = Enumerable.Range(i, Math.Min(1000, jobs - i)).Select(n => new NewImage($"s3://queue-bench/{n:D8}.jpg", null, null)).ToList();
            if (await assets.AddAsync(caller, dataset.Id, batch, default) is null) throw new InvalidOperationException("The dataset vanished.");
        }
        var enqueueSeconds = clock.Elapsed.TotalSeconds;

        const string Tech = """{"format":"jpeg","mimeType":"image/jpeg","width":4000,"height":3000,"sizeBytes":3145728,"sha256":"0000000000000000000000000000000000000000000000000000000000000000","orientation":1,"exif":{}}""";
        var done = 0;
        clock.Restart();
        var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var worker = $"bench-{w}";
            while (true)
            {
                var claimed = await catalog.Queue.ClaimAsync(worker, 1, TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow);
                if (claimed.Count == 0) return;
                foreach (var job in claimed)
                {
                    var at = DateTimeOffset.UtcNow;
                    var outcome = new IngestionOutcome(job.ImageId, ImageStatus.Completed, Tech, null, null,
                        [new ImageEvent(EventTypes.FileDownloaded, at), new ImageEvent(EventTypes.Stored, at), new ImageEvent(EventTypes.Completed, at)],
                        Sha256: new string('0', 64), PerceptualHash: 42);
                    if (!await catalog.Queue.CompleteAsync(job, worker, outcome, at)) throw new InvalidOperationException("A lease was lost.");
                    Interlocked.Increment(ref done);
                }
            }
        })));
        var completeSeconds = clock.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu1).TotalMilliseconds;
        if (done != jobs) throw new InvalidOperationException($"{done} of {jobs} jobs completed.");
        var result = new QueueResult(engine, jobs, workers, jobs / enqueueSeconds, jobs / completeSeconds, cpu / jobs);
        log.WriteLine($"  queue on {engine}: {result.EnqueuedPerSecond:N0} images queued/s; {result.CompletedPerSecond:N0} claims+completions/s with {workers} workers ({result.CpuMsPerJob:0.00} ms benchmark-process CPU per job; {(cpu1 - cpu0).TotalMilliseconds / jobs:0.00} ms per image queued)");
        return result;
    }
}
