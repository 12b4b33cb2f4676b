using Iris.Blobs;
using Iris.Embeddings;
using Iris.Ingestion;
using Iris.Models;
using Iris.Sources;

namespace Iris.Search;

/// <summary>
/// Turns a query image that is not in the catalog (a <c>public_url</c>, or a file sent with the search) into an
/// embedding, through the same steps and limits as ingestion: the http(s) source with its private-address guard, size
/// and time limits, the header probe with its pixel limits, and the strict decoder at the preview's size. A bad image
/// throws <see cref="IngestionException"/> with the code and reason ingestion would record. At most one query image per
/// core is decoded at a time, so searches by URL cannot crowd out the rest of the server.
/// </summary>
public sealed class QueryImages(IrisOptions options, IBlobStore blobs, TempFolder temp, TimeProvider time, Lazy<IImageEmbedder> embedder)
{
    private readonly FetchStage _fetch = new(
        new SourceResolver(new UploadSource(blobs, temp), [new HttpSource(options, temp)]), options, time);
    private readonly ProbeStage _probe = new(new HeaderProber(), options, time);
    private readonly IImageDecoder _decoder = RoutingImageDecoder.CreateDefault();
    private readonly SemaphoreSlim _slots = new(Environment.ProcessorCount, Environment.ProcessorCount);

    /// <summary>True for the URLs <see cref="FromUrlAsync"/> reads (http and https).</summary>
    public static bool IsWebUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    public async Task<float[]> FromUrlAsync(string url, CancellationToken ct)
    {
        if (!IsWebUrl(url))
            throw new IngestionException(ErrorCodes.UnsupportedUriScheme, $"{Reasons.Shorten(url)} is not an http:// or https:// URL.");
        var context = new IngestionContext(new IngestionJob(Guid.NewGuid(), Guid.Empty, Guid.Empty, url, null, 1, time.GetUtcNow()));
        await _slots.WaitAsync(ct);
        try
        {
            await _fetch.RunAsync(context, ct);
            return await EmbedAsync(context, ct);
        }
        finally
        {
            _slots.Release();
            if (context.Source is { } source) await source.DisposeAsync();
        }
    }

    /// <summary>The embedding of the image in <paramref name="localPath"/> (a scratch file the caller owns).</summary>
    public async Task<float[]> FromFileAsync(string localPath, CancellationToken ct)
    {
        var context = new IngestionContext(new IngestionJob(Guid.NewGuid(), Guid.Empty, Guid.Empty, "upload://query", null, 1, time.GetUtcNow()))
        {
            Source = new SourceFile(localPath, isTemporary: false),
        };
        (context.SizeBytes, context.Sha256) = await FetchStage.HashAsync(localPath, options.MaxImageBytes, ct);
        await _slots.WaitAsync(ct);
        try
        {
            return await EmbedAsync(context, ct);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<float[]> EmbedAsync(IngestionContext context, CancellationToken ct)
    {
        await _probe.RunAsync(context, ct);
        var decoded = _decoder.Decode(context.Source!.LocalPath, context.Probe!, PreviewStage.MaxSide, ct);
        return embedder.Value.Embed(decoded, ct);
    }
}
