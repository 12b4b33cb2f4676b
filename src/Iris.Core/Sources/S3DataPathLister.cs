using System.Runtime.CompilerServices;
using Amazon.S3.Model;
using Iris.Ingestion;

namespace Iris.Sources;

/// <summary>
/// Lists the image objects under an <c>s3://bucket/prefix/</c> dataPath with paged ListObjectsV2, in the
/// store's key order (UTF-8 binary), keeping keys with an image extension. The prefix is an S3 prefix:
/// <c>s3://b/photos</c> also matches <c>photos2/...</c>; end it with '/' for one folder. Each key comes back
/// as the <c>s3://bucket/key</c> path <see cref="S3Source"/> reads, unchanged.
/// </summary>
public sealed class S3DataPathLister : IDataPathLister
{
    private readonly S3Access _s3;
    private readonly int _pageSize;

    public S3DataPathLister(S3Access s3)
        : this(s3, pageSize: 1000)
    {
    }

    /// <param name="pageSize">Keys per ListObjectsV2 call (1000, S3's maximum; tests use less to see paging).</param>
    internal S3DataPathLister(S3Access s3, int pageSize)
    {
        _s3 = s3;
        _pageSize = pageSize;
    }

    public bool CanList(string dataPath) => dataPath.StartsWith("s3://", StringComparison.OrdinalIgnoreCase);

    public async IAsyncEnumerable<string> ListAsync(string dataPath, int max, [EnumeratorCancellation] CancellationToken ct)
    {
        var shown = Reasons.Shorten(dataPath);
        if (!S3Access.TryParse(dataPath, out var bucket, out var prefix))
            throw new DataPathException($"{shown} is not a valid S3 prefix; write s3://bucket/prefix/.");

        var found = 0;
        string? continuation = null;
        do
        {
            var page = await ListPageAsync(bucket, prefix, continuation, shown, ct);
            foreach (var item in page.S3Objects ?? [])
            {
                if (!FileDataPathLister.ImageExtensions.Contains(Path.GetExtension(item.Key))) continue;
                yield return S3Access.PathOf(bucket, item.Key);
                if (++found > max) yield break;
            }
            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (!string.IsNullOrEmpty(continuation));
    }

    private async Task<ListObjectsV2Response> ListPageAsync(string bucket, string prefix, string? continuation, string shown, CancellationToken ct)
    {
        var request = new ListObjectsV2Request
        {
            BucketName = bucket,
            Prefix = prefix.Length == 0 ? null : prefix,
            ContinuationToken = continuation,
            MaxKeys = _pageSize,
        };
        try
        {
            return await RemoteFetch.WithRetriesAsync(_s3.Retries, async token =>
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                timeout.CancelAfter(_s3.Options.HttpTimeout);
                try
                {
                    return await _s3.Client.ListObjectsV2Async(request, timeout.Token);
                }
                catch (Exception e) when (!token.IsCancellationRequested)
                {
                    var translated = _s3.Translate(e, shown, bucket, token);
                    if (ReferenceEquals(translated, e)) throw;
                    throw translated;
                }
            }, ct);
        }
        catch (IngestionException e)
        {
            throw new DataPathException(e.Message);
        }
    }
}
