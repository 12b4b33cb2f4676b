using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Iris.Sources;

namespace Iris.Blobs;

/// <summary>
/// Blobs as objects under <c>s3://bucket/prefix/</c> (<c>--blobs</c>), through the same client settings as <c>s3://</c>
/// sources. Every failure to reach the bucket (network, 5xx, throttling, refused credentials) is a
/// <see cref="BlobStoreUnavailableException"/>: an outage of Iris's own store, never an image's fault.
/// </summary>
public sealed class S3BlobStore : IBlobStore, IDisposable
{
    private readonly S3Access _s3;
    private readonly bool _ownsAccess;

    public S3BlobStore(S3Access s3, string bucket, string prefix, bool ownsAccess = false)
    {
        _s3 = s3;
        _ownsAccess = ownsAccess;
        Bucket = bucket;
        Prefix = prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/";
    }

    public string Bucket { get; }
    public string Prefix { get; }

    /// <summary>Keys per listing request (S3's own maximum by default; tests make it small to cross pages).</summary>
    internal int PageSize { get; init; } = 1000;

    /// <summary>Reads <c>s3://bucket/prefix/</c>; false if <paramref name="url"/> is not one.</summary>
    public static bool TryParse(string url, out string bucket, out string prefix)
    {
        prefix = "";
        if (!S3Access.TryParse(url, out bucket, out var key)) return false;
        if (key.Split('/').Any(part => part is "." or "..")) return false;
        prefix = key.Length == 0 || key.EndsWith('/') ? key : key + "/";
        return true;
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken ct = default)
    {
        try
        {
            await Call(c => c.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = Prefix + key }, ct), key, ct);
            return true;
        }
        catch (AmazonS3Exception e) when (IsMissing(e))
        {
            return false;
        }
    }

    public async Task PutFileAsync(string key, string localFile, CancellationToken ct = default)
    {
        // s3rver stores aws-chunked framing as the object's bytes unless chunk encoding is off (NOTES.md); real S3 takes either.
        await Call(c => c.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = Prefix + key, FilePath = localFile, UseChunkEncoding = false }, ct), key, ct);
        File.Delete(localFile);
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken ct = default)
    {
        using var body = new MemoryStream(bytes.ToArray(), writable: false);
        await Call(c => c.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = Prefix + key, InputStream = body, UseChunkEncoding = false }, ct), key, ct);
    }

    public async Task<Stream?> OpenReadAsync(string key, CancellationToken ct = default)
    {
        try
        {
            var response = await Call(c => c.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = Prefix + key }, ct), key, ct);
            return response.ResponseStream; // disposing it closes the answer
        }
        catch (AmazonS3Exception e) when (IsMissing(e))
        {
            return null;
        }
    }

    public Task DeleteAsync(string key, CancellationToken ct = default) =>
        Call(c => c.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = Prefix + key }, ct), key, ct);

    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        string? token = null;
        do
        {
            var page = await Call(c => c.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = Bucket,
                Prefix = Prefix + prefix,
                ContinuationToken = token,
                MaxKeys = PageSize,
            }, ct), prefix, ct);
            foreach (var o in page.S3Objects ?? [])
                yield return new BlobInfo(o.Key[Prefix.Length..], o.Size ?? 0, o.LastModified is { } at ? new DateTimeOffset(at.ToUniversalTime()) : DateTimeOffset.UnixEpoch);
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
    }

    /// <summary>Writes, reads back and deletes a small object: a store that cannot be used is refused at start, not at the first upload.</summary>
    public async Task CheckAsync(CancellationToken ct)
    {
        var key = $"iris-check/{Guid.NewGuid():N}";
        var probe = "iris"u8.ToArray();
        await PutAsync(key, probe, ct);
        await using (var back = await OpenReadAsync(key, ct))
        {
            using var copy = new MemoryStream();
            if (back is not null) await back.CopyToAsync(copy, ct);
            if (!copy.ToArray().AsSpan().SequenceEqual(probe))
                throw new BlobStoreUnavailableException($"s3://{Bucket}/{Prefix} gave back other bytes than were written; is it an S3-compatible store?");
        }
        await DeleteAsync(key, ct);
    }

    public void Dispose()
    {
        if (_ownsAccess) _s3.Dispose();
    }

    private static bool IsMissing(AmazonS3Exception e) => e.StatusCode == HttpStatusCode.NotFound || e.ErrorCode is "NoSuchKey" or "NotFound";

    /// <summary>Runs one S3 call; everything but "no such object" becomes <see cref="BlobStoreUnavailableException"/>.</summary>
    private async Task<T> Call<T>(Func<IAmazonS3, Task<T>> call, string key, CancellationToken ct)
    {
        try
        {
            return await call(_s3.Client);
        }
        catch (AmazonS3Exception e) when (IsMissing(e) && e.ErrorCode != "NoSuchBucket")
        {
            throw;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException
                                      or OperationCanceledException or Ingestion.IngestionException)
        {
            var why = e switch
            {
                AmazonServiceException service => $"{(int)service.StatusCode} {service.ErrorCode}".Trim(),
                OperationCanceledException => "no answer in time",
                _ => e.GetBaseException().Message,
            };
            throw new BlobStoreUnavailableException($"The blob store s3://{Bucket}/{Prefix} cannot be used right now ({why}).", e);
        }
    }
}
