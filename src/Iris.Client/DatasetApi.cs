using System.Net.Http.Headers;
using System.Text.Json;

namespace Iris.Client;

/// <summary>
/// Coactive's DatasetApi (<c>/api/v1/datasets</c>: create, list with filters, get, update, delete) and Iris' uploads
/// of files into a dataset. Adding images by path is an ingest job: see <see cref="IngestionApi"/>.
/// </summary>
public sealed class DatasetApi(ApiClient apiClient)
{
    /// <summary>Most datasets the server returns in one page.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>The longest name a dataset can have.</summary>
    public const int MaxNameLength = 128;

    private const string Datasets = "api/v1/datasets";

    private readonly ApiClient _api = apiClient ?? throw new ArgumentNullException(nameof(apiClient));

    /// <summary>
    /// Creates a dataset. <paramref name="name"/>: 1 to 128 of <c>[A-Za-z0-9_]</c> (422 otherwise), unique in the
    /// organization (409 otherwise); <paramref name="encoderName"/>: one of <see cref="EncoderNames.All"/> (422 otherwise).
    /// </summary>
    public Task<DatasetResponse> CreateDatasetAsync(
        string name, string encoderName = EncoderNames.Multimodal, string? description = null, CancellationToken cancellationToken = default) =>
        CreateDatasetAsync(new DatasetCreateRequest(name, encoderName) { Description = description }, cancellationToken);

    /// <summary>Creates a dataset with every setting Coactive's <c>DatasetCreateRequest</c> has (those Iris does not act on are kept and answered).</summary>
    public Task<DatasetResponse> CreateDatasetAsync(DatasetCreateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _api.SendAsync(_api.Request(HttpMethod.Post, Datasets, ApiClient.Json(request, IrisV1JsonContext.Default.DatasetCreateRequest)),
            IrisV1JsonContext.Default.DatasetResponse, cancellationToken);
    }

    /// <summary>
    /// One page of the organization's datasets, oldest first: <paramref name="limit"/> (1 to 1000) of them after the
    /// first <paramref name="skip"/>, of those <paramref name="filters"/> match; <c>meta.page.total</c> counts them all.
    /// </summary>
    public Task<DatasetGetManyResponse> ListDatasetsAsync(
        int skip = 0, int limit = 100, DatasetFilters? filters = null, CancellationToken cancellationToken = default)
    {
        var query = new QueryString(Datasets).Add("skip", skip).Add("limit", limit);
        if (filters is not null)
        {
            query.Add("dataset_ids", filters.DatasetIds)
                .Add("status", filters.Status)
                .Add("name_pattern", filters.NamePattern)
                .Add("allowed_asset_types", filters.AllowedAssetTypes)
                .Add("keyframe_sampling_method", filters.KeyframeSamplingMethod)
                .Add("store_original", filters.StoreOriginal)
                .Add("store_preview", filters.StorePreview)
                .Add("created_before", filters.CreatedBefore)
                .Add("created_after", filters.CreatedAfter)
                .Add("last_updated_before", filters.LastUpdatedBefore)
                .Add("last_updated_after", filters.LastUpdatedAfter)
                .Add("include_deleted", filters.IncludeDeleted);
        }
        return _api.SendAsync(_api.Request(HttpMethod.Get, query.ToString()), IrisV1JsonContext.Default.DatasetGetManyResponse, cancellationToken);
    }

    /// <summary>
    /// Every dataset of the organization that <paramref name="filters"/> match, oldest first, fetched
    /// <paramref name="pageSize"/> (1 to 1000) at a time as you enumerate, until <c>meta.page.total</c> are read.
    /// </summary>
    public IAsyncEnumerable<DatasetResponse> ListAllDatasetsAsync(
        int pageSize = 100, DatasetFilters? filters = null, CancellationToken cancellationToken = default) =>
        Paging.EnumerateAsync(
            (skip, limit, ct) => ListDatasetsAsync(skip, limit, filters, ct), page => page.Data, page => page.Meta,
            pageSize, MaxPageSize, cancellationToken);

    /// <summary>One dataset; 404 if it does not exist (or belongs to another organization).</summary>
    public Task<DatasetResponse> GetDatasetAsync(Guid datasetId, CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Get, $"{Datasets}/{datasetId}"), IrisV1JsonContext.Default.DatasetResponse, cancellationToken);

    /// <summary>
    /// The dataset with exactly this name, or null: asks for the datasets whose name contains it (<c>name_pattern</c>)
    /// and picks the one whose name is equal.
    /// </summary>
    public async Task<DatasetResponse?> FindDatasetByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > MaxNameLength) return null; // no dataset can have it
        await foreach (var dataset in ListAllDatasetsAsync(MaxPageSize, new DatasetFilters { NamePattern = name }, cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(dataset.Name, name, StringComparison.Ordinal)) return dataset;
        }
        return null;
    }

    /// <summary>
    /// Changes a dataset's name, description, status (<see cref="DatasetStatus.Active"/> or <see cref="DatasetStatus.Inactive"/>)
    /// or settings: the fields of <paramref name="request"/> that are not null. Returns it as it now is; 404 if it does
    /// not exist, 409 if the new name is taken.
    /// </summary>
    public Task<DatasetResponse> UpdateDatasetAsync(Guid datasetId, DatasetUpdateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _api.SendAsync(_api.Request(HttpMethod.Patch, $"{Datasets}/{datasetId}", ApiClient.Json(request, IrisV1JsonContext.Default.DatasetUpdateRequest)),
            IrisV1JsonContext.Default.DatasetResponse, cancellationToken);
    }

    /// <summary>
    /// Deletes a dataset with its images, its ingest jobs and the files Iris stored for them; returns it as it was, with
    /// <c>status</c> <see cref="DatasetStatus.Deleted"/> and <c>deleted_dt</c>/<c>deleted_by</c> set. 404 if it does not exist.
    /// </summary>
    public Task<DatasetResponse> DeleteDatasetAsync(Guid datasetId, CancellationToken cancellationToken = default) =>
        _api.SendAsync(_api.Request(HttpMethod.Delete, $"{Datasets}/{datasetId}"), IrisV1JsonContext.Default.DatasetResponse, cancellationToken);

    /// <summary>
    /// Uploads files in one multipart request (<c>POST /api/v1/datasets/{id}/uploads</c>) and adds them as images, as one
    /// ingest job: the answer is the job, its <see cref="IngestJobResponse.DetailAssets"/> the images in the order sent.
    /// <see cref="UploadFile.Path"/>, <see cref="UploadFile.Id"/> and <see cref="UploadFile.Metadata"/> must each be
    /// given for every file or for none; a file without a path is named <c>upload://&lt;sha256&gt;/&lt;file name&gt;</c>.
    /// The streams are read, not disposed. 413 if the request is larger than the server takes.
    /// </summary>
    public Task<IngestJobResponse> UploadFilesAsync(Guid datasetId, IReadOnlyList<UploadFile> files, CancellationToken cancellationToken = default)
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
        return _api.SendAsync(_api.Request(HttpMethod.Post, $"{Datasets}/{datasetId}/uploads", form),
            IrisV1JsonContext.Default.IngestJobResponse, cancellationToken);
    }

    /// <summary>Uploads one file (see <see cref="UploadFilesAsync"/>).</summary>
    public Task<IngestJobResponse> UploadFileAsync(Guid datasetId, UploadFile file, CancellationToken cancellationToken = default) =>
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

    /// <summary>The user-provided id of the image (<c>id</c> in its metadata answer).</summary>
    public string? Id { get; init; }

    /// <summary>The image's metadata: strings, numbers, booleans or timestamps.</summary>
    public IReadOnlyDictionary<string, object?>? Metadata { get; init; }

    /// <summary>The media type sent with the bytes (default <c>application/octet-stream</c>; the server reads the format from the bytes).</summary>
    public string? ContentType { get; init; }
}
