using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Iris.Client;

/// <summary>
/// Coactive's ImageApi (the metadata of one or many images, the statuses of paths) and Iris' per-image
/// extras (ingestion events, preview, duplicates). Every method has an async form taking a
/// <see cref="CancellationToken"/>; the seed's three calls also have a blocking form.
/// </summary>
public sealed class ImageApi(ApiClient apiClient)
{
    /// <summary>Most ids or paths the server takes in one call.</summary>
    public const int MaxBatchSize = 1000;

    /// <summary>A query string longer than this goes in the body of the POST twin instead (proxies often cap URLs near 8 KB).</summary>
    public const int MaxQueryLength = 6 * 1024;

    private readonly ApiClient _api = apiClient ?? throw new ArgumentNullException(nameof(apiClient));

    // GET /api/v0/images/{coactive_image_id}/metadata

    /// <summary>The metadata of one image. 404 if it does not exist (or belongs to another organization), 422 if the id is not a UUID.</summary>
    public Task<AssetResponse> GetMetadataForImageAsync(string coactiveImageId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(coactiveImageId);
        return _api.SendAsync(_api.Request(HttpMethod.Get, $"api/v0/images/{Uri.EscapeDataString(coactiveImageId)}/metadata"),
            IrisJsonContext.Default.AssetResponse, cancellationToken);
    }

    /// <inheritdoc cref="GetMetadataForImageAsync(string, CancellationToken)"/>
    public Task<AssetResponse> GetMetadataForImageAsync(Guid coactiveImageId, CancellationToken cancellationToken = default) =>
        GetMetadataForImageAsync(coactiveImageId.ToString(), cancellationToken);

    /// <inheritdoc cref="GetMetadataForImageAsync(string, CancellationToken)"/>
    public AssetResponse GetMetadataForImage(string coactiveImageId) => Wait(GetMetadataForImageAsync(coactiveImageId));

    /// <inheritdoc cref="GetMetadataForImageAsync(string, CancellationToken)"/>
    public AssetResponse GetMetadataForImage(Guid coactiveImageId) => Wait(GetMetadataForImageAsync(coactiveImageId));

    // GET /api/v0/images/metadata?coactive_image_ids=...  (POST twin for long lists)

    /// <summary>
    /// The metadata of up to 1000 images, in the order asked, each once; unknown ids are left out, and if none is
    /// found the server answers 404. A list too long for a URL is sent in the body of <c>POST /api/v0/images/metadata</c>.
    /// </summary>
    public Task<MetadataForImagesResponse> GetMetadataForImagesAsync(IEnumerable<string> coactiveImageIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(coactiveImageIds);
        var ids = coactiveImageIds.ToList();
        var query = Query("coactive_image_ids", ids);
        var request = query.Length <= MaxQueryLength
            ? _api.Request(HttpMethod.Get, "api/v0/images/metadata" + query)
            : _api.Request(HttpMethod.Post, "api/v0/images/metadata", ApiClient.Json(new ImageIdsRequest(ids), IrisJsonContext.Default.ImageIdsRequest));
        return _api.SendAsync(request, IrisJsonContext.Default.MetadataForImagesResponse, cancellationToken);
    }

    /// <inheritdoc cref="GetMetadataForImagesAsync(IEnumerable{string}, CancellationToken)"/>
    public Task<MetadataForImagesResponse> GetMetadataForImagesAsync(IEnumerable<Guid> coactiveImageIds, CancellationToken cancellationToken = default) =>
        GetMetadataForImagesAsync(Strings(coactiveImageIds), cancellationToken);

    /// <inheritdoc cref="GetMetadataForImagesAsync(IEnumerable{string}, CancellationToken)"/>
    public MetadataForImagesResponse GetMetadataForImages(IEnumerable<string> coactiveImageIds) => Wait(GetMetadataForImagesAsync(coactiveImageIds));

    /// <inheritdoc cref="GetMetadataForImagesAsync(IEnumerable{string}, CancellationToken)"/>
    public MetadataForImagesResponse GetMetadataForImages(IEnumerable<Guid> coactiveImageIds) => Wait(GetMetadataForImagesAsync(coactiveImageIds));

    /// <summary>
    /// The metadata of any number of images, asked 1000 at a time; ids that are not found are left out
    /// (no 404). Each image once, in the order asked.
    /// </summary>
    public async IAsyncEnumerable<AssetResponse> EnumerateMetadataForImagesAsync(
        IEnumerable<Guid> coactiveImageIds, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(coactiveImageIds);
        foreach (var chunk in coactiveImageIds.Distinct().Chunk(MaxBatchSize))
        {
            MetadataForImagesResponse? page;
            try
            {
                page = await GetMetadataForImagesAsync(chunk, cancellationToken).ConfigureAwait(false);
            }
            catch (ApiException e) when (e.StatusCode == 404)
            {
                page = null; // none of this chunk exists
            }
            if (page is null) continue;
            foreach (var asset in page.Data) yield return asset;
        }
    }

    // GET /api/v0/datasets/{dataset_id}/images/statuses?paths=...  (POST twin for long lists)

    /// <summary>
    /// The ingestion status of up to 1000 paths of a dataset, one entry per distinct path in the order asked
    /// (<c>not_found</c> for a path never added). 404 for an unknown dataset. A list too long for a URL is sent in
    /// the body of the POST twin.
    /// </summary>
    public Task<StatusesForImagesResponse> GetStatusesForImagesAsync(string datasetId, IEnumerable<string> paths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(datasetId);
        ArgumentNullException.ThrowIfNull(paths);
        var list = paths.ToList();
        var route = $"api/v0/datasets/{Uri.EscapeDataString(datasetId)}/images/statuses";
        var query = Query("paths", list);
        var request = query.Length <= MaxQueryLength
            ? _api.Request(HttpMethod.Get, route + query)
            : _api.Request(HttpMethod.Post, route, ApiClient.Json(new PathsRequest(list), IrisJsonContext.Default.PathsRequest));
        return _api.SendAsync(request, IrisJsonContext.Default.StatusesForImagesResponse, cancellationToken);
    }

    /// <inheritdoc cref="GetStatusesForImagesAsync(string, IEnumerable{string}, CancellationToken)"/>
    public Task<StatusesForImagesResponse> GetStatusesForImagesAsync(Guid datasetId, IEnumerable<string> paths, CancellationToken cancellationToken = default) =>
        GetStatusesForImagesAsync(datasetId.ToString(), paths, cancellationToken);

    /// <inheritdoc cref="GetStatusesForImagesAsync(string, IEnumerable{string}, CancellationToken)"/>
    public StatusesForImagesResponse GetStatusesForImages(string datasetId, IEnumerable<string> paths) => Wait(GetStatusesForImagesAsync(datasetId, paths));

    /// <inheritdoc cref="GetStatusesForImagesAsync(string, IEnumerable{string}, CancellationToken)"/>
    public StatusesForImagesResponse GetStatusesForImages(Guid datasetId, IEnumerable<string> paths) => Wait(GetStatusesForImagesAsync(datasetId, paths));

    /// <summary>The statuses of any number of paths of a dataset, asked 1000 at a time, each path once, in the order asked.</summary>
    public async IAsyncEnumerable<ImageStatusResponse> EnumerateStatusesForImagesAsync(
        Guid datasetId, IEnumerable<string> paths, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        foreach (var chunk in paths.Distinct(StringComparer.Ordinal).Chunk(MaxBatchSize))
        {
            var page = await GetStatusesForImagesAsync(datasetId, chunk, cancellationToken).ConfigureAwait(false);
            foreach (var status in page.Data) yield return status;
        }
    }

    // Iris' per-image extras (v1).

    /// <summary>
    /// A page of the ingestion events of an image, oldest first (<c>GET /api/v1/images/{asset_id}/events</c>); the server's
    /// defaults (offset 0, limit 100) when not given. 404 if the image does not exist.
    /// </summary>
    public Task<ImageEventsResponse> GetImageEventsAsync(Guid assetId, int? offset = null, int? limit = null, CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Get, new QueryString($"api/v1/images/{assetId}/events").Add("offset", offset).Add("limit", limit).ToString()),
            IrisV1JsonContext.Default.ImageEventsResponse, cancellationToken);

    /// <summary>
    /// Completed images of the same dataset that look like this one (<c>GET /api/v1/images/{asset_id}/duplicates</c>): exact
    /// copies first, then by perceptual-hash distance up to <paramref name="maxDistance"/> (0 to 64, default 8); a page of
    /// <paramref name="limit"/> (1 to 1000, default 100) from <paramref name="offset"/> (0 to 10000).
    /// </summary>
    public Task<DuplicatesResponse> GetDuplicatesAsync(Guid assetId, int? maxDistance = null, int? limit = null, int? offset = null,
        CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Get,
                new QueryString($"api/v1/images/{assetId}/duplicates").Add("max_distance", maxDistance).Add("offset", offset).Add("limit", limit).ToString()),
            IrisV1JsonContext.Default.DuplicatesResponse, cancellationToken);

    /// <summary>
    /// Opens the preview of a completed image (JPEG, or WebP with transparency; longest side 256 px) as a stream to
    /// read and dispose (<c>GET /api/v1/images/{asset_id}/preview</c>); 404 while the image has none.
    /// </summary>
    public async Task<ImagePreview> OpenPreviewAsync(Guid coactiveImageId, CancellationToken cancellationToken = default)
    {
        var request = _api.Request(HttpMethod.Get, $"api/v1/images/{coactiveImageId}/preview");
        request.Headers.Accept.Clear();
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("image/*"));
        using (request)
        {
            var response = await _api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            try
            {
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                return new ImagePreview(response, stream);
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }
    }

    /// <summary>The thumbnail of a completed image, as bytes.</summary>
    public async Task<byte[]> GetPreviewAsync(Guid coactiveImageId, CancellationToken cancellationToken = default)
    {
        using var preview = await OpenPreviewAsync(coactiveImageId, cancellationToken).ConfigureAwait(false);
        using var memory = new MemoryStream();
        await preview.Content.CopyToAsync(memory, cancellationToken).ConfigureAwait(false);
        return memory.ToArray();
    }

    private static string Query(string name, IReadOnlyCollection<string> values)
    {
        if (values.Count == 0) return "";
        var builder = new System.Text.StringBuilder("?");
        foreach (var value in values)
        {
            if (builder.Length > 1) builder.Append('&');
            builder.Append(name).Append('=').Append(Uri.EscapeDataString(value));
            if (builder.Length > MaxQueryLength) break; // going to POST anyway
        }
        return builder.ToString();
    }

    private static List<string> Strings(IEnumerable<Guid> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return ids.Select(id => id.ToString()).ToList();
    }

    // The blocking forms are for scripts and console programs (there is no synchronization context to deadlock on).
    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();
}

/// <summary>A preview being downloaded: its media type and its bytes as a stream. Dispose it when done.</summary>
public sealed class ImagePreview : IDisposable
{
    private readonly HttpResponseMessage _response;

    internal ImagePreview(HttpResponseMessage response, Stream content)
    {
        _response = response;
        Content = content;
    }

    /// <summary>The media type the server sent, e.g. <c>image/jpeg</c>.</summary>
    public string? MediaType => _response.Content.Headers.ContentType?.MediaType;

    /// <summary>The length the server announced, if it did.</summary>
    public long? Length => _response.Content.Headers.ContentLength;

    public Stream Content { get; }

    public void Dispose()
    {
        Content.Dispose();
        _response.Dispose();
    }
}
