using Iris.Sources;

namespace Iris.Blobs;

/// <summary>The blob store the options name: the data folder's <c>blobs/</c> by default, an S3 bucket with <c>--blobs s3://bucket/prefix/</c>.</summary>
public static class BlobStores
{
    /// <summary>Refuses a --blobs Iris cannot use, before anything starts.</summary>
    public static void Check(IrisOptions options)
    {
        if (options.Blobs is { } url && !S3BlobStore.TryParse(url, out _, out _))
            throw new SettingsException($"--blobs must be s3://bucket/prefix/ (or left out for the data folder), not '{url}'.");
    }

    public static IBlobStore Create(IrisOptions options) =>
        options.Blobs is { } url && S3BlobStore.TryParse(url, out var bucket, out var prefix)
            ? new S3BlobStore(new S3Access(options), bucket, prefix, ownsAccess: true)
            : new FileBlobStore(Path.Combine(options.DataDirectory, "blobs"));
}
