using System.Security.Cryptography;
using System.Text.Json;
using Iris.Assets;
using Iris.Catalog;
using Iris.Models;
using Iris.Server.Auth;
using Iris.Sources;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Iris.Server.Api;

/// <summary>Adding images to a dataset (by path, by prefix, by upload) and replacing their metadata.</summary>
public static class AssetApi
{
    public const int MaxPathLength = 4096;
    public const int MaxUserIdLength = 1024;
    public const int MaxImagesPerDataPath = 100_000;
    private const int MaxCsvErrors = 100;
    private const int MaxFormFieldBytes = 256 * 1024;

    public static RouteGroupBuilder MapAssetApi(this RouteGroupBuilder api)
    {
        var datasets = api.MapGroup("/v1/datasets/{dataset_id}").WithTags("AssetApi");

        datasets.MapPost("/assets", AddAssets)
            .WithName("add_assets")
            .WithSummary("Add images by path (s3://, http(s)://, file:///) or every image under a dataPath; ingestion runs in the background")
            .Accepts<AddAssetsRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge);

        datasets.MapPost("/uploads", UploadAssets)
            .WithName("upload_assets")
            .WithSummary("Upload image files (multipart/form-data: file parts, optional path, id and metadata fields)")
            .Accepts<IFormFileCollection>("multipart/form-data")
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge)
            .DisableAntiforgery();

        datasets.MapPut("/assets-metadata", UpdateAssetsMetadata)
            .WithName("update_assets_metadata")
            .WithSummary("Replace the metadata of images of the dataset, by coactiveImageId or path; all or nothing")
            .Accepts<UpdateAssetsMetadataRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge);

        return api;
    }

    public static async Task<Results<Ok<AddAssetsResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> AddAssets(
        [FromRoute(Name = "dataset_id")] string datasetId, HttpContext http, IDatasetStore datasets, AssetService assets,
        IEnumerable<IDataPathLister> listers, CsvManifestReader manifests, IrisOptions options)
    {
        var errors = new ValidationErrors();
        var id = RequestParsing.ParseUuid(datasetId, errors);
        using var body = await RequestParsing.ReadJsonAsync(http.Request, options.MaxJsonBodyBytes, http.RequestAborted);
        if (body.TooLargeError is { } tooLarge) return tooLarge;
        if (body.Invalid is { } invalid) return invalid;
        if (body.Root.ValueKind != JsonValueKind.Object)
        {
            errors.WrongType(JsonValueKind.Object, "body");
            return errors.ToResult();
        }

        var requested = ParseImages(body.Root, errors);
        var dataPath = OptionalString(body.Root, "dataPath", errors);
        var csvPath = OptionalString(body.Root, "csvPath", errors);
        if (!errors.Any && requested is null && dataPath is null && csvPath is null)
            errors.Add("Provide images, dataPath or csvPath", "missing", "body", "images");
        if (errors.Any) return errors.ToResult();

        var caller = http.Caller();
        if (await datasets.GetAsync(caller.OrgId, id, http.RequestAborted) is null) return Errors.DatasetNotFound;

        var all = requested ?? [];
        if (dataPath is not null && await AddDataPathAsync(dataPath, all, listers, http.RequestAborted) is { } dataPathError) return dataPathError;
        if (csvPath is not null && await AddCsvAsync(csvPath, all, manifests, http.RequestAborted) is { } csvError) return csvError;

        return Answer(await assets.AddAsync(caller, id, all, http.RequestAborted));
    }

    /// <summary>Adds every image below <paramref name="dataPath"/> to <paramref name="all"/>; a 422 when it cannot be listed or holds too many.</summary>
    private static async Task<UnprocessableEntity<HTTPValidationError>?> AddDataPathAsync(
        string dataPath, List<NewImage> all, IEnumerable<IDataPathLister> listers, CancellationToken ct)
    {
        var lister = listers.FirstOrDefault(l => l.CanList(dataPath));
        if (lister is null)
            return ValidationErrors.Single("dataPath must be a file:/// folder below an allowed root or an s3://bucket/prefix/", "value_error", "body", "dataPath");
        var listed = 0;
        try
        {
            await foreach (var path in lister.ListAsync(dataPath, MaxImagesPerDataPath, ct))
            {
                if (++listed > MaxImagesPerDataPath)
                    return ValidationErrors.Single($"dataPath holds more than {MaxImagesPerDataPath} images; add it in parts", "too_long", "body", "dataPath");
                // A name no request could spell (control characters) would make an image no one can look up.
                if (PathProblem(path) is { } problem)
                    return ValidationErrors.Single($"dataPath holds {Shorten(path)}, which cannot be added: {problem.Msg}; rename it or add the others by images",
                        "value_error", "body", "dataPath");
                all.Add(new NewImage(path, null, null));
            }
        }
        catch (DataPathException e)
        {
            return ValidationErrors.Single(e.Message, "value_error", "body", "dataPath");
        }
        return null;
    }

    /// <summary>
    /// Adds the rows of the CSV manifest at <paramref name="csvPath"/> to <paramref name="all"/>. Every problem is
    /// a 422 at <c>["body", "csvPath"]</c> whose message names the row (at most <see cref="MaxCsvErrors"/> of them).
    /// </summary>
    private static async Task<UnprocessableEntity<HTTPValidationError>?> AddCsvAsync(
        string csvPath, List<NewImage> all, CsvManifestReader manifests, CancellationToken ct)
    {
        List<CsvManifestRow> rows;
        try
        {
            rows = await manifests.ReadAsync(csvPath, MaxImagesPerDataPath, ct);
        }
        catch (CsvManifestException e)
        {
            return ValidationErrors.Single(e.Message, e.TooManyRows ? "too_long" : "value_error", "body", "csvPath");
        }

        var errors = new ValidationErrors();
        foreach (var row in rows)
        {
            if (errors.Count >= MaxCsvErrors) break;
            if (PathProblem(row.Path) is { } problem)
            {
                errors.Add($"{row.Where}: path: {problem.Msg}", problem.Type, "body", "csvPath");
                continue;
            }
            if (row.Id is { Length: > MaxUserIdLength })
            {
                errors.Add($"{row.Where}: id: String should have at most {MaxUserIdLength} characters", "string_too_long", "body", "csvPath");
                continue;
            }
            string? metadata = null;
            if (row.Metadata is { } text)
            {
                try
                {
                    using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 32 });
                    var rowErrors = new ValidationErrors();
                    metadata = UserMetadataParser.Parse(doc.RootElement, rowErrors, ["metadata"]);
                    foreach (var error in rowErrors.ToResult().Value!.Detail)
                    {
                        var at = string.Join(".", error.Loc.Select(part => part.ToString()));
                        errors.Add($"{row.Where}: {at}: {error.Msg}", error.Type, "body", "csvPath");
                    }
                    if (rowErrors.Any) continue;
                }
                catch (JsonException e)
                {
                    errors.Add($"{row.Where}: metadata is not valid JSON ({e.Message}); write a JSON object such as {{\"k\": \"v\"}}, with the cell in double quotes",
                        "json_invalid", "body", "csvPath");
                    continue;
                }
            }
            all.Add(new NewImage(row.Path, row.Id, metadata));
        }
        return errors.Any ? errors.ToResult() : null;
    }

    private static string Shorten(string path) => path.Length <= 200 ? path : string.Concat(path.AsSpan(0, 120), "…", path.AsSpan(path.Length - 60));

    private static Results<Ok<AddAssetsResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>> Answer(AddedImages? added)
    {
        if (added is null) return Errors.DatasetNotFound; // deleted between the check and the insert
        var answer = new AddedAssetResponse[added.Images.Count];
        for (var i = 0; i < answer.Length; i++) answer[i] = AddedAssetResponse.From(added.Images[i], added.RequestGroupId, added.At);
        return TypedResults.Ok(new AddAssetsResponse(added.RequestGroupId, answer));
    }

    private static List<NewImage>? ParseImages(JsonElement root, ValidationErrors errors)
    {
        if (!root.TryGetProperty("images", out var array) || array.ValueKind == JsonValueKind.Null) return null;
        if (array.ValueKind != JsonValueKind.Array)
        {
            errors.WrongType(JsonValueKind.Array, "body", "images");
            return null;
        }
        var count = array.GetArrayLength();
        if (count > ApiLimits.MaxImagesPerAddRequest)
        {
            errors.TooLong(ApiLimits.MaxImagesPerAddRequest, count, "body", "images");
            return null;
        }
        var list = new List<NewImage>(count);
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var index = i++;
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors.WrongType(JsonValueKind.Object, "body", "images", index);
                continue;
            }
            var path = RequiredPath(item, errors, "body", "images", index, "path");
            var userId = OptionalUserId(item, errors, "body", "images", index, "id");
            string? metadata = null;
            if (item.TryGetProperty("metadata", out var metadataElement))
                metadata = UserMetadataParser.Parse(metadataElement, errors, ["body", "images", index, "metadata"]);
            if (path is not null) list.Add(new NewImage(path, userId, metadata));
        }
        return list;
    }

    private static string? RequiredPath(JsonElement item, ValidationErrors errors, params object[] loc)
    {
        var name = (string)loc[^1];
        if (!item.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            errors.Missing(loc);
            return null;
        }
        if (element.ValueKind != JsonValueKind.String)
        {
            errors.WrongType(JsonValueKind.String, loc);
            return null;
        }
        return CheckPath(element.GetString()!, errors, loc);
    }

    private static string? CheckPath(string path, ValidationErrors errors, object[] loc)
    {
        if (PathProblem(path) is not { } problem) return path;
        errors.Add(problem.Msg, problem.Type, loc);
        return null;
    }

    /// <summary>What is wrong with a path (message and FastAPI type), or null when it may be added.</summary>
    internal static (string Msg, string Type)? PathProblem(string path)
    {
        if (path.Length == 0 || string.IsNullOrWhiteSpace(path)) return ("String should have at least 1 character", "string_too_short");
        if (path.Length > MaxPathLength) return ($"String should have at most {MaxPathLength} characters", "string_too_long");
        if (path.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0) return ("Paths cannot contain control characters", "value_error");
        return null;
    }

    private static string? OptionalUserId(JsonElement item, ValidationErrors errors, params object[] loc)
    {
        if (!item.TryGetProperty((string)loc[^1], out var element) || element.ValueKind == JsonValueKind.Null) return null;
        if (element.ValueKind != JsonValueKind.String)
        {
            errors.WrongType(JsonValueKind.String, loc);
            return null;
        }
        var value = element.GetString()!;
        if (value.Length > MaxUserIdLength)
        {
            errors.Add($"String should have at most {MaxUserIdLength} characters", "string_too_long", loc);
            return null;
        }
        return value;
    }

    private static string? OptionalString(JsonElement root, string name, ValidationErrors errors)
    {
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null) return null;
        if (element.ValueKind != JsonValueKind.String)
        {
            errors.WrongType(JsonValueKind.String, "body", name);
            return null;
        }
        return CheckPath(element.GetString()!, errors, ["body", name]);
    }

    public static async Task<Results<Ok<AddAssetsResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> UploadAssets(
        [FromRoute(Name = "dataset_id")] string datasetId, HttpContext http, IDatasetStore datasets, AssetService assets,
        TempFolder temp, IrisOptions options)
    {
        var errors = new ValidationErrors();
        var id = RequestParsing.ParseUuid(datasetId, errors);
        if (errors.Any) return errors.ToResult();
        var caller = http.Caller();
        if (await datasets.GetAsync(caller.OrgId, id, http.RequestAborted) is null) return Errors.DatasetNotFound;

        var boundary = MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var mediaType)
                       && mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            ? HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value
            : null;
        if (string.IsNullOrEmpty(boundary))
            return ValidationErrors.Single("Send the files as multipart/form-data", "value_error", "body");

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = options.MaxUploadBytes;

        // Each file part is streamed to a scratch file first; they are filed under their SHA-256 only once the
        // whole request is valid, and deleted whatever happens.
        var files = new List<(string Sha256, string FileName, string Temp)>();
        try
        {
            return await ReadAndCommitUploadAsync(http, id, caller, boundary, files, assets, temp, options);
        }
        finally
        {
            foreach (var file in files) File.Delete(file.Temp);
        }
    }

    private static async Task<Results<Ok<AddAssetsResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> ReadAndCommitUploadAsync(
        HttpContext http, Guid id, Caller caller, string boundary, List<(string Sha256, string FileName, string Temp)> files,
        AssetService assets, TempFolder temp, IrisOptions options)
    {
        var errors = new ValidationErrors();
        var paths = new List<string>();
        var userIds = new List<string>();
        var metadatas = new List<string>();
        try
        {
            var reader = new MultipartReader(boundary, http.Request.Body) { BodyLengthLimit = options.MaxUploadBytes };
            while (await reader.ReadNextSectionAsync(http.RequestAborted) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                if (disposition.IsFileDisposition() && name == "file")
                {
                    var fileName = SafeFileName(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value);
                    var file = temp.NewPath();
                    files.Add(("", fileName, file)); // listed before streaming, so a part cut short is deleted too
                    files[^1] = (await StageUploadAsync(section.Body, file, http.RequestAborted), fileName, file);
                }
                else if (name is "path" or "id" or "metadata")
                {
                    var value = await ReadFieldAsync(section.Body, http.RequestAborted);
                    if (value is null)
                    {
                        errors.Add($"Form field '{name}' is longer than {MaxFormFieldBytes} bytes", "string_too_long", "body", name);
                        continue;
                    }
                    (name switch { "path" => paths, "id" => userIds, _ => metadatas }).Add(value);
                }
                else
                {
                    await section.Body.DrainAsync(http.RequestAborted); // unknown parts are ignored, like unknown JSON fields
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Errors.Json(StatusCodes.Status413PayloadTooLarge, $"The upload is larger than {options.MaxUploadBytes} bytes.");
        }
        catch (Exception e) when (e is InvalidDataException or IOException && !http.RequestAborted.IsCancellationRequested)
        {
            // A body that ends early or breaks the multipart framing (IOException: "Unexpected end of Stream").
            return ValidationErrors.Single($"Malformed multipart body: {e.Message}", "value_error", "body");
        }

        if (files.Count == 0) errors.Missing("body", "file");
        else if (files.Count > ApiLimits.MaxImagesPerAddRequest) errors.TooLong(ApiLimits.MaxImagesPerAddRequest, files.Count, "body", "file");
        CheckPairing(paths, files.Count, "path", errors, allowOneForAll: false);
        CheckPairing(userIds, files.Count, "id", errors, allowOneForAll: false);
        CheckPairing(metadatas, files.Count, "metadata", errors, allowOneForAll: true);

        var parsedMetadata = new string?[metadatas.Count];
        for (var i = 0; i < metadatas.Count; i++)
        {
            try
            {
                using var doc = JsonDocument.Parse(metadatas[i]);
                parsedMetadata[i] = UserMetadataParser.Parse(doc.RootElement, errors, ["body", "metadata", i]);
            }
            catch (JsonException)
            {
                errors.Add("Metadata must be a JSON object", "json_invalid", "body", "metadata", i);
            }
        }
        for (var i = 0; i < paths.Count; i++) paths[i] = CheckPath(paths[i], errors, ["body", "path", i]) ?? paths[i];
        if (errors.Any) return errors.ToResult();

        var staged = new List<StagedUpload>(files.Count);
        for (var i = 0; i < files.Count; i++)
        {
            var (sha, fileName, file) = files[i];
            var path = i < paths.Count ? paths[i] : $"upload://{sha}/{fileName}";
            var userId = i < userIds.Count ? userIds[i] : null;
            var metadata = parsedMetadata.Length == 1 ? parsedMetadata[0] : i < parsedMetadata.Length ? parsedMetadata[i] : null;
            staged.Add(new StagedUpload(new NewImage(path, userId, metadata), sha, file));
        }
        return Answer(await assets.AddUploadsAsync(caller, id, staged, http.RequestAborted));
    }

    private static void CheckPairing(List<string> values, int files, string name, ValidationErrors errors, bool allowOneForAll)
    {
        if (values.Count == 0 || values.Count == files || (allowOneForAll && values.Count == 1)) return;
        errors.Add($"Give one '{name}' field per file part ({files}), or none", "value_error", "body", name);
    }

    /// <summary>Streams one file part to <paramref name="temp"/> while hashing it; returns its SHA-256.</summary>
    private static async Task<string> StageUploadAsync(Stream body, string temp, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(128 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, ct)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static async Task<string?> ReadFieldAsync(Stream body, CancellationToken ct)
    {
        using var memory = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(buffer, ct)) > 0)
        {
            if (memory.Length + read > MaxFormFieldBytes)
            {
                await body.DrainAsync(ct);
                return null;
            }
            memory.Write(buffer, 0, read);
        }
        return System.Text.Encoding.UTF8.GetString(memory.GetBuffer(), 0, (int)memory.Length);
    }

    private static string SafeFileName(string? raw)
    {
        var name = Path.GetFileName((raw ?? "").Replace('\\', '/'));
        name = new string(name.Where(c => !char.IsControl(c)).ToArray()).Trim();
        if (name.Length > 255) name = name[^255..];
        return name.Length == 0 || name is "." or ".." ? "file" : name;
    }

    public static async Task<Results<Ok<UpdatedAssetsResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> UpdateAssetsMetadata(
        [FromRoute(Name = "dataset_id")] string datasetId, HttpContext http, IDatasetStore datasets, AssetService assets,
        IrisOptions options)
    {
        var errors = new ValidationErrors();
        var id = RequestParsing.ParseUuid(datasetId, errors);
        using var body = await RequestParsing.ReadJsonAsync(http.Request, options.MaxJsonBodyBytes, http.RequestAborted);
        if (body.TooLargeError is { } tooLarge) return tooLarge;
        if (body.Invalid is { } invalid) return invalid;

        var updates = new List<MetadataUpdate>();
        if (body.Root.ValueKind != JsonValueKind.Object || !body.Root.TryGetProperty("images", out var array) || array.ValueKind == JsonValueKind.Null)
            errors.Missing("body", "images");
        else if (array.ValueKind != JsonValueKind.Array)
            errors.WrongType(JsonValueKind.Array, "body", "images");
        else if (array.GetArrayLength() > ApiLimits.MaxImagesPerAddRequest)
            errors.TooLong(ApiLimits.MaxImagesPerAddRequest, array.GetArrayLength(), "body", "images");
        else
        {
            var i = 0;
            foreach (var item in array.EnumerateArray())
            {
                var index = i++;
                if (item.ValueKind != JsonValueKind.Object)
                {
                    errors.WrongType(JsonValueKind.Object, "body", "images", index);
                    continue;
                }
                var errorsBefore = errors.Count;
                Guid? imageId = null;
                string? path = null;
                if (item.TryGetProperty("coactiveImageId", out var idElement) && idElement.ValueKind != JsonValueKind.Null)
                {
                    if (idElement.ValueKind == JsonValueKind.String && Guid.TryParse(idElement.GetString(), out var parsed)) imageId = parsed;
                    else errors.NotUuid("body", "images", index, "coactiveImageId");
                }
                if (item.TryGetProperty("path", out var pathElement) && pathElement.ValueKind != JsonValueKind.Null)
                {
                    if (pathElement.ValueKind == JsonValueKind.String) path = CheckPath(pathElement.GetString()!, errors, ["body", "images", index, "path"]);
                    else errors.WrongType(JsonValueKind.String, "body", "images", index, "path");
                }
                if (imageId is null && path is null && errors.Count == errorsBefore)
                    errors.Add("Give coactiveImageId or path", "missing", "body", "images", index);
                string? metadata = null;
                if (!item.TryGetProperty("metadata", out var metadataElement)) errors.Missing("body", "images", index, "metadata");
                else metadata = UserMetadataParser.Parse(metadataElement, errors, ["body", "images", index, "metadata"]);
                updates.Add(new MetadataUpdate(imageId, imageId is null ? path : null, metadata));
            }
        }
        if (errors.Any) return errors.ToResult();

        var caller = http.Caller();
        if (await datasets.GetAsync(caller.OrgId, id, http.RequestAborted) is null) return Errors.DatasetNotFound;
        var result = await assets.UpdateMetadataAsync(caller, id, updates, http.RequestAborted);
        if (result.MissingIndex is not null) return Errors.ImageNotFound;
        return TypedResults.Ok(new UpdatedAssetsResponse(result.Updated.Select(AssetResponse.From).ToArray()));
    }
}
