using System.Diagnostics;
using System.Security.Cryptography;
using Iris.Cli.Commands;
using Iris.Client;

namespace Iris.Cli.Ingest;

/// <summary>What happened to one path in this run.</summary>
public static class IngestAction
{
    public const string Uploaded = "uploaded";
    /// <summary>Already in the dataset with the same bytes (or still being ingested): nothing sent.</summary>
    public const string Skipped = "skipped";
    /// <summary>In the dataset with other bytes: Iris keeps the first version of a path, so nothing is sent.</summary>
    public const string Changed = "changed";
    /// <summary>A remote path added by reference, in an ingest job.</summary>
    public const string Added = "added";
    /// <summary>Could not be sent (unreadable file, refused upload).</summary>
    public const string Failed = "failed";
}

/// <summary>One path of the run and what is known about its image.</summary>
public sealed class IngestItem(string path, LocalFile? file)
{
    public string Path { get; } = path;
    public LocalFile? File { get; } = file;
    public string Action { get; set; } = IngestAction.Skipped;
    public string Status { get; set; } = ImageStatus.NotFound;
    public Guid? CoactiveImageId { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorReason { get; set; }

    /// <summary>Whether this run follows the image until it is completed or error.</summary>
    public bool Followed { get; set; }

    /// <summary>The ingest job that added this remote path (the run follows the job), or null for a local file (followed by its status).</summary>
    public string? JobId { get; set; }

    public void Take(ImageStatusResponse s)
    {
        Status = s.Status;
        CoactiveImageId = s.CoactiveImageId;
        ErrorCode = s.ErrorCode;
        ErrorReason = s.ErrorReason;
    }

    /// <summary>An image as an upload's job names it: pending (or errored) until its status says more.</summary>
    public void Take(IngestJobAssetResult a)
    {
        Status = a.Error is null ? ImageStatus.Pending : ImageStatus.Error;
        CoactiveImageId = a.AssetId;
        ErrorReason = a.Error;
    }

    public void Take(AssetStatusResponse s)
    {
        Status = s.Status;
        CoactiveImageId = s.AssetId;
        ErrorCode = s.ErrorCode;
        ErrorReason = s.ErrorReason;
    }
}

/// <summary>
/// Ingests local files (uploaded in parallel, skipping what the dataset already holds with the same SHA-256) and
/// remote paths (one ingest job per 1000 paths, one bucket job per prefix ending in '/') into one dataset, and
/// optionally follows the uploads' statuses and the jobs until every image is terminal. Thread-safe counters feed a
/// progress display.
/// </summary>
public sealed class IngestRun(Session session, DatasetResponse dataset, int parallel, bool retryErrors)
{
    private const int MaxFilesPerUpload = 8;
    private const long MaxBytesPerUpload = 16 * 1024 * 1024;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(300);

    /// <summary>A job's answer lists up to 1000 of its assets, so it is asked less often than the statuses of uploads.</summary>
    private static readonly TimeSpan JobPollInterval = TimeSpan.FromMilliseconds(500);

    private readonly object _lock = new();
    private readonly List<IngestItem> _items = [];
    private readonly List<IngestJobResponse> _jobs = [];
    private readonly Stopwatch _clock = new();
    private readonly IngestionApi _ingestion = new(session.Client);
    private int _sent;
    private int _toSend;

    public DatasetResponse Dataset { get; } = dataset;
    public IReadOnlyList<IngestItem> Items => _items;
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Files and remote paths to send, and how many are sent so far.</summary>
    public (int Sent, int ToSend) SendProgress
    {
        get { lock (_lock) return (_sent, _toSend); }
    }

    /// <summary>Local files followed by their statuses, how many of them are terminal, and their counts per status.</summary>
    public (int Followed, int Terminal, Dictionary<string, int> ByStatus) StatusProgress
    {
        get
        {
            lock (_lock)
            {
                var local = _items.Where(i => i.File is not null && i.Action != IngestAction.Failed).ToList();
                var byStatus = local.GroupBy(i => i.Status).ToDictionary(g => g.Key, g => g.Count());
                var followed = local.Where(i => i.Followed).ToList();
                return (followed.Count, followed.Count(i => ImageStatus.IsTerminal(i.Status)), byStatus);
            }
        }
    }

    /// <summary>The ingest jobs of this run as last heard of, in the order they were created.</summary>
    public IReadOnlyList<IngestJobResponse> Jobs
    {
        get { lock (_lock) return [.. _jobs]; }
    }

    /// <summary>Finds out what the dataset already holds and decides, per file, whether to send it.</summary>
    public async Task PlanAsync(IReadOnlyList<LocalFile> local, IReadOnlyList<string> remote, CancellationToken ct)
    {
        _clock.Start();
        var byPath = new Dictionary<string, IngestItem>(StringComparer.Ordinal);
        foreach (var file in local)
        {
            var item = new IngestItem(file.IrisPath, file) { Action = IngestAction.Uploaded };
            _items.Add(item);
            byPath[item.Path] = item;
        }
        foreach (var path in remote) _items.Add(new IngestItem(path, null) { Action = IngestAction.Added });

        // One statuses call per 1000 paths tells which files are there; one metadata call per 1000 images gives their SHA-256.
        if (local.Count > 0)
        {
            await foreach (var status in session.Images.EnumerateStatusesForImagesAsync(Dataset.Id, local.Select(f => f.IrisPath), ct))
                byPath[status.Path].Take(status);
        }
        var existing = _items.Where(i => i.File is not null && i.CoactiveImageId is not null).ToDictionary(i => i.CoactiveImageId!.Value);
        var toHash = new List<(IngestItem Item, string Sha256)>();
        await foreach (var asset in session.Images.EnumerateMetadataForImagesAsync(
                           existing.Values.Where(i => ImageStatus.IsTerminal(i.Status)).Select(i => i.CoactiveImageId!.Value), ct))
        {
            var item = existing[asset.CoactiveImageId];
            if (asset.Status == ImageStatus.Completed && asset.TechnicalMetadata is { } technical)
                toHash.Add((item, technical.Sha256));
            else if (asset.Status == ImageStatus.Error)
                item.Action = retryErrors || System.IO.File.GetLastWriteTimeUtc(item.File!.FullPath) > asset.UpdatedDt.UtcDateTime
                    ? IngestAction.Uploaded // changed since it failed (or asked to): another try
                    : IngestAction.Skipped;
        }
        foreach (var item in existing.Values.Where(i => !ImageStatus.IsTerminal(i.Status)))
        {
            item.Action = IngestAction.Skipped; // being ingested right now
            item.Followed = true;
        }

        await Parallel.ForEachAsync(toHash, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct },
            async (entry, token) =>
            {
                var sha = await Sha256Async(entry.Item.File!.FullPath, token);
                entry.Item.Action = sha is null || sha == entry.Sha256 ? IngestAction.Skipped : IngestAction.Changed;
                if (sha is null) MarkFailed(entry.Item, $"Cannot read {entry.Item.File.FullPath}.");
            });

        foreach (var item in _items.Where(i => i.Action is IngestAction.Uploaded or IngestAction.Added))
        {
            item.Followed = true;
            item.Status = ImageStatus.Pending; // until the server answers
            item.CoactiveImageId = null;
            item.ErrorCode = item.ErrorReason = null;
            _toSend++;
        }
    }

    /// <summary>
    /// Sends what the plan says, in parallel: uploads, and one ingest job per batch of remote paths. With
    /// <paramref name="wait"/> also polls the uploads' statuses and waits for every job until each image is terminal.
    /// </summary>
    public async Task RunAsync(bool wait, CancellationToken ct)
    {
        var uploads = UploadAsync(ct);
        var remote = AddRemoteAsync(ct);
        var sending = Task.WhenAll(uploads, remote);
        if (!wait)
        {
            await sending;
            return;
        }
        var polling = PollAsync(uploads, ct);
        var jobs = FollowJobsAsync(remote, ct);
        await sending;
        await polling;
        await jobs;
    }

    private async Task UploadAsync(CancellationToken ct)
    {
        var files = _items.Where(i => i.Action == IngestAction.Uploaded).ToList();
        await Parallel.ForEachAsync(Batches(files), new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct },
            async (batch, token) => await UploadBatchAsync(batch, token));
    }

    private static IEnumerable<List<IngestItem>> Batches(List<IngestItem> files)
    {
        var batch = new List<IngestItem>();
        long bytes = 0;
        foreach (var item in files)
        {
            long size;
            try
            {
                size = new FileInfo(item.File!.FullPath).Length;
            }
            catch (IOException)
            {
                size = 0; // reported when it is opened
            }
            if (batch.Count > 0 && (batch.Count == MaxFilesPerUpload || bytes + size > MaxBytesPerUpload))
            {
                yield return batch;
                batch = [];
                bytes = 0;
            }
            batch.Add(item);
            bytes += size;
        }
        if (batch.Count > 0) yield return batch;
    }

    private async Task UploadBatchAsync(List<IngestItem> batch, CancellationToken ct)
    {
        var streams = new List<FileStream>();
        var sent = new List<IngestItem>();
        try
        {
            var files = new List<UploadFile>();
            foreach (var item in batch)
            {
                try
                {
                    var stream = new FileStream(item.File!.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous);
                    streams.Add(stream);
                    files.Add(new UploadFile(stream, Path.GetFileName(item.File.FullPath)) { Path = item.Path });
                    sent.Add(item);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    MarkFailed(item, $"Cannot read the file: {e.Message}");
                    CountSent(1);
                }
            }
            if (files.Count == 0) return;
            var answer = await session.Datasets.UploadFilesAsync(Dataset.Id, files, ct);
            var byPath = answer.DetailAssets().ToDictionary(i => i.SourcePath, StringComparer.Ordinal);
            lock (_lock)
            {
                foreach (var item in sent)
                {
                    if (byPath.TryGetValue(item.Path, out var image)) item.Take(image);
                    else MarkFailed(item, "The server's answer did not mention this file.");
                }
            }
            CountSent(sent.Count);
        }
        catch (ApiException e) when (e.StatusCode == 413 && sent.Count > 1)
        {
            // Too large together: each on its own, so only a file too large by itself fails.
            foreach (var item in sent) await UploadBatchAsync([item], ct);
        }
        catch (ApiException e) when (e.StatusCode is not (401 or 403 or 404))
        {
            var reason = e.StatusCode == 413
                ? $"The file is larger than the server accepts ({e.Detail ?? e.Message})."
                : $"The server refused the upload: {e.Message}";
            foreach (var item in sent) MarkFailed(item, reason);
            CountSent(sent.Count);
        }
        finally
        {
            foreach (var stream in streams) await stream.DisposeAsync();
        }
    }

    private async Task AddRemoteAsync(CancellationToken ct)
    {
        List<IngestItem> remote;
        lock (_lock) remote = _items.Where(i => i.Action == IngestAction.Added).ToList();
        // A trailing '/' names a prefix: a bucket job adds every image under it.
        foreach (var prefix in remote.Where(i => i.Path.EndsWith('/')))
        {
            try
            {
                var job = await _ingestion.CreateJobFromBucketAsync(Dataset.Id, prefix.Path, cancellationToken: ct);
                Track(job);
                lock (_lock) _items.Remove(prefix);
                await TakeJobAssetsAsync(job.Id, ct);
            }
            catch (ApiException e) when (e.StatusCode == 422)
            {
                MarkFailed(prefix, $"The server cannot list {prefix.Path}: {string.Join("; ", e.ValidationErrors.Select(v => v.Msg))}");
            }
            CountSent(1);
        }
        // The other paths: one job per batch the server takes at once.
        foreach (var chunk in remote.Where(i => !i.Path.EndsWith('/')).Chunk(IngestionApi.MaxBatchSize))
        {
            var job = await _ingestion.CreateJobFromImagesAsync(Dataset.Id, chunk.Select(i => i.Path), ct);
            Track(job);
            lock (_lock)
            {
                foreach (var item in chunk) item.JobId = job.Id;
            }
            await TakeJobAssetsAsync(job.Id, ct);
            CountSent(chunk.Length);
        }
    }

    /// <summary>Waits for each job of the run (once they are all created), then reads where each of its images ended.</summary>
    private async Task FollowJobsAsync(Task creating, CancellationToken ct)
    {
        await creating;
        var progress = new Reporter(Track);
        foreach (var job in Jobs)
        {
            if (IngestJobStatus.IsTerminal(job.Status)) continue;
            await _ingestion.WaitForJobAsync(job.Id, JobPollInterval, timeout: null, progress, ct);
            await TakeJobAssetsAsync(job.Id, ct);
        }
    }

    /// <summary>The statuses of a job's assets, onto the run's items (a bucket job's images become items here).</summary>
    private async Task TakeJobAssetsAsync(string jobId, CancellationToken ct)
    {
        var statuses = new List<AssetStatusResponse>();
        await foreach (var status in _ingestion.ListAllJobAssetsAsync(jobId, IngestionApi.MaxPageSize, ct)) statuses.Add(status);
        lock (_lock)
        {
            var byPath = _items.Where(i => i.JobId == jobId).ToDictionary(i => i.Path, StringComparer.Ordinal);
            foreach (var status in statuses)
            {
                var path = status.SourcePath ?? "";
                if (!byPath.TryGetValue(path, out var item))
                {
                    item = new IngestItem(path, null) { Action = IngestAction.Added, Followed = true, JobId = jobId };
                    _items.Add(item);
                    byPath[path] = item;
                }
                item.Take(status);
            }
        }
    }

    private void Track(IngestJobResponse job)
    {
        lock (_lock)
        {
            var index = _jobs.FindIndex(j => j.Id == job.Id);
            if (index < 0) _jobs.Add(job);
            else _jobs[index] = job;
        }
    }

    /// <summary>Hears of a job's progress at once, on the polling thread (<see cref="Progress{T}"/> would post it later).</summary>
    private sealed class Reporter(Action<IngestJobResponse> report) : IProgress<IngestJobResponse>
    {
        public void Report(IngestJobResponse value) => report(value);
    }

    /// <summary>Polls the statuses of the uploaded (and already pending) files until each is terminal; remote paths are followed by their jobs.</summary>
    private async Task PollAsync(Task sending, CancellationToken ct)
    {
        while (true)
        {
            var done = sending.IsCompleted;
            List<IngestItem> open;
            lock (_lock) open = _items.Where(i => i.Followed && i.JobId is null && i.CoactiveImageId is not null && !ImageStatus.IsTerminal(i.Status)).ToList();
            if (open.Count == 0 && done) return;
            if (sending.IsFaulted || sending.IsCanceled) return; // the send's own error is reported
            if (open.Count > 0)
            {
                var byPath = open.ToDictionary(i => i.Path, StringComparer.Ordinal);
                await foreach (var status in session.Images.EnumerateStatusesForImagesAsync(Dataset.Id, byPath.Keys, ct))
                {
                    lock (_lock) byPath[status.Path].Take(status);
                }
            }
            await Task.WhenAny(Task.Delay(PollInterval, ct), done ? Task.Delay(PollInterval, ct) : sending);
            ct.ThrowIfCancellationRequested();
        }
    }

    private void MarkFailed(IngestItem item, string reason)
    {
        lock (_lock)
        {
            item.Action = IngestAction.Failed;
            item.Followed = false;
            item.ErrorReason = reason;
        }
    }

    private void CountSent(int count)
    {
        lock (_lock) _sent += count;
    }

    private static async Task<string?> Sha256Async(string path, CancellationToken ct)
    {
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 128 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
