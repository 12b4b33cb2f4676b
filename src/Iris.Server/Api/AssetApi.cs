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

/// <summary>Uploading image files into a dataset, as one ingest job (the other ways in are <see cref="IngestionApi"/>).</summary>
public static class AssetApi
{
    private const int MaxFormFieldBytes = 256 * 1024;

    public static RouteGroupBuilder MapAssetApi(this RouteGroupBuilder api)
    {
        var datasets = api.MapGroup("/v1/datasets/{dataset_id}").WithTags("AssetApi");

        datasets.MapPost("/uploads", UploadAssets)
            .WithName("upload_assets")
            .WithSummary("Upload image files (multipart/form-data: file parts, optional path, id and metadata fields) as one ingest job")
            .Accepts<IFormFileCollection>("multipart/form-data")
            .Produces<IngestJobResponse>()
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge)
            .DisableAntiforgery();

        return api;
    }

    public static async Task<Results<Ok<IngestJobResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> UploadAssets(
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

    private static async Task<Results<Ok<IngestJobResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> ReadAndCommitUploadAsync(
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
        for (var i = 0; i < paths.Count; i++) paths[i] = IngestionSources.CheckPath(paths[i], errors, ["body", "path", i]) ?? paths[i];
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
        var job = JobSource.Images(connectionName: null);
        var added = await assets.AddUploadsAsync(caller, id, staged, http.RequestAborted, job);
        if (added?.Job is not { } created) return Errors.DatasetNotFound; // deleted between the check and the insert
        return TypedResults.Ok(IngestJobResponse.From(created, IngestionApi.AssetDetails(added.Images)));
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
}
