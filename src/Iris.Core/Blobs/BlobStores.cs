namespace Iris.Blobs;

/// <summary>The blob store the options name: the data folder's <c>blobs/</c> by default.</summary>
public static class BlobStores
{
    public static IBlobStore Create(IrisOptions options) => new FileBlobStore(Path.Combine(options.DataDirectory, "blobs"));
}
