using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Iris.Client;

/// <summary>
/// Coactive's SearchApi: image-to-image search (<c>POST /api/v1/search/image-to-image</c>) in a dataset, by one of the
/// organization's images, a public URL or a local file; and Iris' embeddings job
/// (<c>POST /api/v1/datasets/{id}/embeddings</c>), which makes a dataset created with <see cref="EncoderNames.None"/>
/// searchable. Errors are <see cref="ApiException"/>s: 404 for an unknown dataset or query image, 422 (with
/// <see cref="ApiException.ValidationErrors"/>) for a bad request, a query image that cannot be read or has no embedding yet.
/// </summary>
public sealed class SearchApi(ApiClient apiClient)
{
    /// <summary>Most hits one search answers.</summary>
    public const int MaxLimit = 1000;

    /// <summary>How far a search pages: offset + limit is at most this.</summary>
    public const int MaxWindow = 10_000;

    private const string ImageToImage = "api/v1/search/image-to-image";

    private readonly ApiClient _api = apiClient ?? throw new ArgumentNullException(nameof(apiClient));

    /// <summary>The images of the dataset that look most like the request's query image, most similar first.</summary>
    public Task<ImageSearchResponse> SearchImageToImageAsync(ImageSearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _api.SendAsync(_api.Request(HttpMethod.Post, ImageToImage, ApiClient.Json(request, IrisV1JsonContext.Default.ImageSearchRequest)),
            IrisV1JsonContext.Default.ImageSearchResponse, cancellationToken);
    }

    /// <summary>
    /// The images of <paramref name="datasetId"/> that look most like image <paramref name="imageId"/> (of any of the
    /// organization's datasets; itself left out), <paramref name="limit"/> of them after the first <paramref name="offset"/>.
    /// </summary>
    public Task<ImageSearchResponse> SearchByImageAsync(
        Guid datasetId, Guid imageId, int limit = 100, int offset = 0, MetadataFilters? filters = null, CancellationToken cancellationToken = default) =>
        SearchImageToImageAsync(new ImageSearchRequest(datasetId)
        {
            CoactiveImageId = imageId, Limit = limit, Offset = offset, MetadataFilters = filters,
        }, cancellationToken);

    /// <summary>
    /// The images of <paramref name="datasetId"/> that look most like the picture at <paramref name="publicUrl"/>, which
    /// the server fetches (a private address is a 422 unless the server allows private networks).
    /// </summary>
    public Task<ImageSearchResponse> SearchByUrlAsync(
        Guid datasetId, string publicUrl, int limit = 100, int offset = 0, MetadataFilters? filters = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(publicUrl);
        return SearchImageToImageAsync(new ImageSearchRequest(datasetId)
        {
            PublicUrl = publicUrl, Limit = limit, Offset = offset, MetadataFilters = filters,
        }, cancellationToken);
    }

    /// <summary>
    /// The images of <paramref name="datasetId"/> that look most like the picture in <paramref name="file"/>, sent as the
    /// <c>file</c> part of a multipart/form-data search (read, not disposed; 413 if larger than the server's image limit).
    /// </summary>
    public Task<ImageSearchResponse> SearchByFileAsync(
        Guid datasetId, Stream file, string fileName, int limit = 100, int offset = 0, MetadataFilters? filters = null,
        string? contentType = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        var form = new MultipartFormDataContent
        {
            { new StringContent(datasetId.ToString()), "dataset_id" },
            { new StringContent(offset.ToString(CultureInfo.InvariantCulture)), "offset" },
            { new StringContent(limit.ToString(CultureInfo.InvariantCulture)), "limit" },
        };
        if (filters is not null)
            form.Add(new StringContent(JsonSerializer.Serialize(filters, IrisV1JsonContext.Default.MetadataFilters)), "metadata_filters");
        var content = new StreamContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/octet-stream");
        form.Add(content, "file", fileName);
        return _api.SendAsync(_api.Request(HttpMethod.Post, ImageToImage, form), IrisV1JsonContext.Default.ImageSearchResponse, cancellationToken);
    }

    /// <summary>
    /// Starts an ingest job that makes embeddings for the dataset's completed images that have none (202; follow it with
    /// <see cref="IngestionApi.WaitForJobAsync"/>). <paramref name="encoderName"/> becomes the dataset's encoder (one of
    /// <see cref="EncoderNames.All"/> but <see cref="EncoderNames.None"/>); null keeps an encoder that makes embeddings, or
    /// gives a dataset of <see cref="EncoderNames.None"/> the default one. 404 for an unknown dataset.
    /// </summary>
    public Task<IngestJobResponse> StartEmbeddingsJobAsync(Guid datasetId, string? encoderName = null, CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Post, $"api/v1/datasets/{datasetId}/embeddings",
                ApiClient.Json(new StartEmbeddingsRequest(encoderName), IrisV1JsonContext.Default.StartEmbeddingsRequest)),
            IrisV1JsonContext.Default.IngestJobResponse, cancellationToken);
}
