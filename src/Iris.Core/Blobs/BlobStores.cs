namespace Iris.Blobs;

/// <summary>The blob store the options name: the data folder's <c>blobs/</c> by default.</summary>
public static class BlobStores
{
    /// <summary>Refuses a --blobs Iris cannot use, before anything starts.</summary>
    public static void Check(IrisOptions options)
    {
        if (options.Blobs is not null)
            throw new SettingsException("--blobs: only the data folder is supported yet; leave it out.");
    }

    public static IBlobStore Create(IrisOptions options) => new FileBlobStore(Path.Combine(options.DataDirectory, "blobs"));
}
