using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Iris.Client;

/// <summary>Datasets (create, list, get, delete) and adding images to them (by path, by upload) or changing their metadata.</summary>
public sealed class DatasetApi(ApiClient apiClient)
{
    /// <summary>Most datasets the server returns in one page.</summary>
    public const int MaxPageSize = 1000;

    private readonly ApiClient _api = apiClient ?? throw new ArgumentNullException(nameof(apiClient));

    /// <summary>Creates a dataset. <paramref name="name"/>: 1 to 128 of <c>[A-Za-z0-9_]</c> (422 otherwise), unique in the organization (409 otherwise).</summary>
    public Task<DatasetResponse> CreateDatasetAsync(string name, string? description = null, CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Post, "api/v1/datasets",
                ApiClient.Json(new CreateDatasetRequest(name, description), IrisJsonContext.Default.CreateDatasetRequest)),
            IrisJsonContext.Default.DatasetResponse, cancellationToken);

    /// <summary>One page of the organization's datasets, oldest first.</summary>
    public Task<DatasetListResponse> ListDatasetsAsync(int offset = 0, int limit = 10, CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Get, $"api/v1/datasets?offset={offset}&limit={limit}"),
            IrisJsonContext.Default.DatasetListResponse, cancellationToken);

    /// <summary>Every dataset of the organization, oldest first, fetched a page at a time as you enumerate.</summary>
    public async IAsyncEnumerable<DatasetResponse> ListAllDatasetsAsync(
        int pageSize = 100, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);
        var offset = 0;
        while (true)
        {
            var page = await ListDatasetsAsync(offset, pageSize, cancellationToken).ConfigureAwait(false);
            foreach (var dataset in page.Data) yield return dataset;
            offset += page.Data.Count;
            if (page.Meta.Links.Next is null || page.Data.Count == 0) yield break;
        }
    }

    /// <summary>One dataset; 404 if it does not exist (or belongs to another organization).</summary>
    public Task<DatasetResponse> GetDatasetAsync(Guid datasetId, CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Get, $"api/v1/datasets/{datasetId}"), IrisJsonContext.Default.DatasetResponse, cancellationToken);

    /// <summary>The dataset with this name, or null (searches the organization's datasets page by page).</summary>
    public async Task<DatasetResponse?> FindDatasetByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        await foreach (var dataset in ListAllDatasetsAsync(MaxPageSize, cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(dataset.Name, name, StringComparison.Ordinal)) return dataset;
        }
        return null;
    }

    /// <summary>Deletes a dataset with its images and the files Iris stored for them; returns it as it was.</summary>
    public Task<DatasetResponse> DeleteDatasetAsync(Guid datasetId, CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Delete, $"api/v1/datasets/{datasetId}"), IrisJsonContext.Default.DatasetResponse, cancellationToken);

    /// <summary>
    /// Adds images by path (up to 1000) and/or every image under <see cref="AddAssetsRequest.DataPath"/>. Each is
    /// recorded as <c>pending</c> and ingested in the background; a path the dataset already has keeps its image.
    /// </summary>
    public Task<AddAssetsResponse> AddAssetsAsync(Guid datasetId, AddAssetsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _api.SendAsync(_api.Request(HttpMethod.Post, $"api/v1/datasets/{datasetId}/assets",
                ApiClient.Json(request, IrisJsonContext.Default.AddAssetsRequest)),
            IrisJsonContext.Default.AddAssetsResponse, cancellationToken);
    }

    /// <summary>Adds images by path, without ids or metadata.</summary>
    public Task<AddAssetsResponse> AddAssetsAsync(Guid datasetId, IEnumerable<string> paths, CancellationToken cancellationToken = default) =>
        AddAssetsAsync(datasetId, new AddAssetsRequest(paths.Select(p => new AssetInput(p)).ToList()), cancellationToken);

    /// <summary>Replaces the metadata of images of the dataset, found by id or path; all or nothing (404 if one is missing).</summary>
    public Task<UpdatedAssetsResponse> UpdateAssetsMetadataAsync(Guid datasetId, UpdateAssetsMetadataRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _api.SendAsync(_api.Request(HttpMethod.Put, $"api/v1/datasets/{datasetId}/assets-metadata",
                ApiClient.Json(request, IrisJsonContext.Default.UpdateAssetsMetadataRequest)),
            IrisJsonContext.Default.UpdatedAssetsResponse, cancellationToken);
    }

    /// <summary>
    /// Uploads files in one multipart request (<c>POST /api/v1/datasets/{id}/uploads</c>) and adds them as images.
    /// <see cref="UploadFile.Path"/>, <see cref="UploadFile.Id"/> and <see cref="UploadFile.Metadata"/> must each be
    /// given for every file or for none; a file without a path is named <c>upload://&lt;sha256&gt;/&lt;file name&gt;</c>.
    /// The streams are read, not disposed. 413 if the request is larger than the server takes.
    /// </summary>
    public Task<AddAssetsResponse> UploadFilesAsync(Guid datasetId, IReadOnlyList<UploadFile> files, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0) throw new ArgumentException("Give at least one file.", nameof(files));
        CheckAllOrNone(files, f => f.Path, "Path");
        CheckAllOrNone(files, f => f.Id, "Id");
        CheckAllOrNone(files, f => f.Metadata, "Metadata");

        var form = new MultipartFormDataContent();
        foreach (var file in files)
        {
            var content = new StreamContent(file.Content);
            content.Headers.ContentType = new MediaTypeHeaderValue(file.ContentType ?? "application/octet-stream");
            form.Add(content, "file", file.FileName);
            if (file.Path is not null) form.Add(new StringContent(file.Path), "path");
            if (file.Id is not null) form.Add(new StringContent(file.Id), "id");
            if (file.Metadata is not null)
                form.Add(new StringContent(JsonSerializer.Serialize(file.Metadata, IrisJsonContext.Default.IReadOnlyDictionaryStringObject)), "metadata");
        }
        return _api.SendAsync(_api.Request(HttpMethod.Post, $"api/v1/datasets/{datasetId}/uploads", form),
            IrisJsonContext.Default.AddAssetsResponse, cancellationToken);
    }

    /// <summary>Uploads one file.</summary>
    public Task<AddAssetsResponse> UploadFileAsync(Guid datasetId, UploadFile file, CancellationToken cancellationToken = default) =>
        UploadFilesAsync(datasetId, [file], cancellationToken);

    private static void CheckAllOrNone<T>(IReadOnlyList<UploadFile> files, Func<UploadFile, T?> field, string name)
    {
        var given = files.Count(f => field(f) is not null);
        if (given != 0 && given != files.Count)
            throw new ArgumentException($"UploadFile.{name} must be given for every file or for none ({given} of {files.Count}).", nameof(files));
    }
}

/// <summary>A file to upload: its bytes and name, and optionally the path, user id and metadata of the image it becomes.</summary>
public sealed record UploadFile(Stream Content, string FileName)
{
    /// <summary>The image's path in the dataset (e.g. the file's <c>file://</c> URI); default <c>upload://&lt;sha256&gt;/&lt;file name&gt;</c>.</summary>
    public string? Path { get; init; }

    public string? Id { get; init; }

    public IReadOnlyDictionary<string, object?>? Metadata { get; init; }

    public string? ContentType { get; init; }
}
