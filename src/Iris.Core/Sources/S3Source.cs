using Amazon.S3.Model;
using Iris.Ingestion;
using Iris.Models;

namespace Iris.Sources;

/// <summary>
/// Downloads <c>s3://bucket/key</c> objects to a scratch file of the <see cref="TempFolder"/>: the size from the
/// answer's Content-Length is checked first and the bytes are counted again while they arrive (a store may
/// not send a length, or lie). Transient failures are retried like HTTP's, then end as <c>broken_url</c>.
/// </summary>
public sealed class S3Source(S3Access s3, TempFolder temp) : IImageSource
{
    public bool CanRead(string path) => path.StartsWith("s3://", StringComparison.OrdinalIgnoreCase);

    public async ValueTask<SourceFile> FetchAsync(IngestionJob job, CancellationToken ct)
    {
        var shown = Reasons.Shorten(job.Path);
        if (!S3Access.TryParse(job.Path, out var bucket, out var key) || key.Length == 0)
            throw new IngestionException(ErrorCodes.UnsupportedUriScheme,
                $"{shown} is not a valid S3 path; write s3://bucket/key (bucket names are letters, digits, '.', '-' and '_').");

        var file = temp.NewPath();
        try
        {
            await RemoteFetch.WithRetriesAsync(s3.Retries, token => DownloadAsync(bucket, key, shown, file, token), ct);
            return new SourceFile(file, isTemporary: true);
        }
        catch
        {
            RemoteFetch.DeleteQuietly(file);
            throw;
        }
    }

    private async ValueTask<bool> DownloadAsync(string bucket, string key, string shown, string temp, CancellationToken ct)
    {
        RemoteFetch.DeleteQuietly(temp);
        var options = s3.Options;
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        idle.CancelAfter(options.HttpTimeout);
        try
        {
            using var response = await s3.Client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }, idle.Token);
            if (response.ContentLength > options.MaxImageBytes) throw Reasons.TooLarge(response.ContentLength, options.MaxImageBytes);
            await using var body = response.ResponseStream;
            await RemoteFetch.CopyToFileAsync(body, temp, options.MaxImageBytes, idle, options.HttpTimeout, idle.Token);
            return true;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var translated = s3.Translate(e, shown, bucket, ct);
            if (ReferenceEquals(translated, e)) throw;
            throw translated;
        }
    }
}
