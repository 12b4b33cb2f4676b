using System.Text.Json;
using Iris.Embeddings;
using Iris.Ingestion;
using Iris.Search;
using Iris.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Iris.Server.Api;

/// <summary>
/// Coactive's image-to-image search, and Iris's route that starts an embeddings job for a dataset's existing images.
/// The query image is one of the organization's images (<c>coactive_image_id</c>), a public http(s) URL
/// (<c>public_url</c>, fetched as ingestion fetches) or a file sent as multipart/form-data with the other fields.
/// </summary>
public static class SearchApi
{
    public const int MaxLimit = 1000;
    private const int MaxFilters = 100;
    private const int MaxFormFieldBytes = 64 * 1024;
    private static readonly string[] ScoreTypes = ["probability", "level"];
    private static readonly string[] AssetTypes = ["image", "video"];

    /// <summary>What the handlers use.</summary>
    public sealed record Services(ImageSearchService Search, EmbeddingJobs Jobs, TempFolder Temp, IrisOptions Options);

    public static RouteGroupBuilder MapSearchApi(this RouteGroupBuilder api)
    {
        api.MapPost("/v1/search/image-to-image", SearchImageToImage)
            .WithTags("SearchApi")
            .WithName("image-to-image")
            .WithSummary("Find the images of a dataset that look most like a query image, most similar first")
            .Accepts<ImageSearchRequest>("application/json", "multipart/form-data")
            .Produces<ErrorResponse>(StatusCodes.Status404NotFound)
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge)
            .DisableAntiforgery();

        api.MapPost("/v1/datasets/{dataset_id}/embeddings", StartEmbeddings)
            .WithTags("SearchApi")
            .WithName("start_embeddings_job")
            .WithSummary("Make visual embeddings for the dataset's completed images that have none, as an ingest job (from their previews)")
            .Accepts<StartEmbeddingsRequest>("application/json")
            .Produces<IngestJobResponse>(StatusCodes.Status202Accepted);
        return api;
    }

    public static async Task<Results<Ok<SearchResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> SearchImageToImage(
        HttpContext http, [AsParameters] Services services)
    {
        string? uploaded = null;
        try
        {
            if (IsMultipart(http.Request, out var boundary))
            {
                var form = await ReadFormAsync(http, boundary, services);
                uploaded = form.File; // deleted below also when the form is refused
                if (form.Problem is { } problem) return problem;
                using (form.Fields!) return await SearchAsync(http, form.Fields!.RootElement, uploaded, services);
            }
            using var body = await RequestParsing.ReadJsonAsync(http.Request, services.Options.MaxJsonBodyBytes, http.RequestAborted);
            if (body.TooLargeError is { } tooLarge) return tooLarge;
            if (body.Invalid is { } invalid) return invalid;
            return await SearchAsync(http, body.Root, null, services);
        }
        finally
        {
            if (uploaded is not null) File.Delete(uploaded);
        }
    }

    private static async Task<Results<Ok<SearchResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> SearchAsync(
        HttpContext http, JsonElement root, string? uploaded, Services services)
    {
        var errors = new ValidationErrors();
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.WrongType(JsonValueKind.Object, "body");
            return errors.ToResult();
        }
        var fields = new BodyFields(root, errors, "body");
        var datasetId = fields.Uuid("dataset_id", required: true);
        var offset = fields.Int("offset", 0, ImageSearchService.MaxWindow - 1) ?? 0;
        var limit = fields.Int("limit", 1, MaxLimit) ?? 100;
        if (offset + limit > ImageSearchService.MaxWindow)
            errors.Add($"offset + limit should be at most {ImageSearchService.MaxWindow}", "value_error", "body", "offset");
        var filter = Filter(fields);
        fields.Enum("moderation_score_type", ScoreTypes);
        var assetType = fields.Enum("asset_type", AssetTypes);
        fields.Bool("skip_moderation");
        var imageId = fields.Uuid("coactive_image_id");
        var url = fields.String("public_url", maxLength: 8192);
        if (fields.String("upload_id", maxLength: 1024) is not null)
            errors.Add("Iris has no separate upload step: send the query image as a 'file' part of a multipart/form-data search request",
                "value_error", "body", "upload_id");
        var given = (imageId is not null ? 1 : 0) + (url is not null ? 1 : 0) + (uploaded is not null ? 1 : 0);
        if (given == 0 && !errors.Any)
            errors.Add("Give the query image: coactive_image_id, public_url, or a 'file' part (multipart/form-data)", "missing", "body", "coactive_image_id");
        else if (given > 1)
            errors.Add("Give one query image, not several (coactive_image_id, public_url or a file)", "value_error", "body");
        if (errors.Any) return errors.ToResult();

        // Iris holds no videos: a search for videos finds none.
        if (assetType == "video") return TypedResults.Ok(new SearchResponse([]));

        SearchQuery query = imageId is { } id ? new SearchQuery.ByImage(id)
            : url is not null ? new SearchQuery.ByUrl(url)
            : new SearchQuery.ByFile(uploaded!);
        SearchResult result;
        try
        {
            result = await services.Search.SearchAsync(http.Caller(), datasetId!.Value, query, offset, limit, filter!, http.RequestAborted);
        }
        catch (IngestionException e)
        {
            // The query image could not be read: the reason ingestion would give, at the field that named it.
            return ValidationErrors.Single(e.Message, e.ErrorCode, "body", url is not null ? "public_url" : "file");
        }
        return result.Failure switch
        {
            null => TypedResults.Ok(new SearchResponse([.. result.Hits.Select(SearchImageResponse.From)])),
            SearchFailure.DatasetNotFound => Errors.DatasetNotFound,
            SearchFailure.ImageNotFound => Errors.ImageNotFound,
            SearchFailure.NotSearchable => ValidationErrors.Single(
                $"The dataset's encoder is '{Encoders.None}', so it has no embeddings to search; start an embeddings job with POST /api/v1/datasets/{datasetId}/embeddings",
                "value_error", "body", "dataset_id"),
            SearchFailure.ImageNotEmbedded => ValidationErrors.Single(
                $"The query image has no embedding yet (its status is {result.ImageStatus}): only completed images of datasets with an encoder have one",
                "value_error", "body", "coactive_image_id"),
            _ => throw new InvalidOperationException(),
        };
    }

    /// <summary>The metadata filter of the request (none when absent), or null with errors.</summary>
    private static MetadataFilter? Filter(BodyFields fields)
    {
        if (fields.ObjectField("metadata_filters") is not { } filters) return MetadataFilter.None;
        var inner = new BodyFields(filters, fields.Errors, fields.Loc("metadata_filters"));
        if (inner.Array("filters", MaxFilters, required: true) is not { } list) return null;
        var clauses = new List<MetadataClause>();
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var at = inner.Loc("filters", i++);
            if (item.ValueKind != JsonValueKind.Object)
            {
                fields.Errors.WrongType(JsonValueKind.Object, at);
                continue;
            }
            var clause = new BodyFields(item, fields.Errors, at);
            var key = clause.String("key", required: true, maxLength: 256);
            var op = clause.Enum("operator", ["==", "!=", "DateTimeRangeInclusive"], required: true);
            if (key is null || op is null) continue;
            if (op == "DateTimeRangeInclusive")
            {
                clauses.Add(new MetadataClause.InRange(key, clause.Number("start_utc_epoch"), clause.Number("end_utc_epoch")));
                continue;
            }
            switch (clause.Get("value", required: true))
            {
                case { ValueKind: JsonValueKind.True or JsonValueKind.False } flag when op == "==":
                    clauses.Add(new MetadataClause.IsBoolean(key, flag.GetBoolean()));
                    break;
                case { ValueKind: JsonValueKind.String } text:
                    clauses.Add(op == "==" ? new MetadataClause.Is(key, text.GetString()!) : new MetadataClause.IsNot(key, text.GetString()!));
                    break;
                case { } _:
                    fields.Errors.Add(op == "==" ? "Input should be a valid string or boolean" : "Input should be a valid string",
                        "string_type", [.. at, "value"]);
                    break;
            }
        }
        return new MetadataFilter(clauses);
    }

    private static bool IsMultipart(HttpRequest request, out string boundary)
    {
        boundary = "";
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)) return false;
        boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value ?? "";
        return true;
    }

    /// <summary>
    /// The form's fields as the JSON body they stand for (offset and limit as numbers, metadata_filters as the JSON it
    /// holds; null when the form is refused), and its one file part streamed to a scratch file (the caller deletes it,
    /// refused or not).
    /// </summary>
    private static async Task<(JsonDocument? Fields, string? File, Results<Ok<SearchResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>? Problem)> ReadFormAsync(
        HttpContext http, string boundary, Services services)
    {
        if (string.IsNullOrEmpty(boundary)) return (null, null, ValidationErrors.Single("The multipart/form-data body has no boundary", "value_error", "body"));
        var limit = services.Options.MaxImageBytes + 1024 * 1024;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string? file = null;
        try
        {
            var reader = new MultipartReader(boundary, http.Request.Body) { BodyLengthLimit = limit };
            while (await reader.ReadNextSectionAsync(http.RequestAborted) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (disposition.IsFileDisposition() && name == "file")
                {
                    if (file is not null) return (null, file, ValidationErrors.Single("Send one 'file' part, not several", "value_error", "body", "file"));
                    file = services.Temp.NewPath();
                    await using var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous);
                    await section.Body.CopyToAsync(stream, http.RequestAborted);
                }
                else
                {
                    using var text = new StreamReader(section.Body);
                    var buffer = new char[MaxFormFieldBytes + 1];
                    var read = await text.ReadBlockAsync(buffer, http.RequestAborted);
                    if (read > MaxFormFieldBytes) return (null, file, ValidationErrors.Single($"Form field '{name}' is longer than {MaxFormFieldBytes} characters", "string_too_long", "body", name));
                    values[name] = new string(buffer, 0, read);
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, file, Errors.Json(StatusCodes.Status413PayloadTooLarge, $"The query image is larger than {services.Options.MaxImageBytes} bytes."));
        }
        catch (Exception e) when (e is InvalidDataException or IOException && !http.RequestAborted.IsCancellationRequested)
        {
            return (null, file, ValidationErrors.Single($"Malformed multipart body: {e.Message}", "value_error", "body"));
        }

        var buffered = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffered))
        {
            json.WriteStartObject();
            foreach (var (name, value) in values)
            {
                json.WritePropertyName(name);
                if (name is "offset" or "limit" && long.TryParse(value, out var number)) json.WriteNumberValue(number);
                else if (name is "skip_moderation" && bool.TryParse(value, out var flag)) json.WriteBooleanValue(flag);
                else if (name is "metadata_filters" && TryParse(value) is { } parsed)
                {
                    using (parsed) parsed.RootElement.WriteTo(json);
                }
                else json.WriteStringValue(value);
            }
            json.WriteEndObject();
        }
        return (JsonDocument.Parse(buffered.WrittenMemory), file, null);
    }

    private static JsonDocument? TryParse(string text)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static async Task<Results<JsonHttpResult<IngestJobResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> StartEmbeddings(
        [FromRoute(Name = "dataset_id")] string datasetId, HttpContext http, [AsParameters] Services services)
    {
        var errors = new ValidationErrors();
        var id = RequestParsing.ParseUuid(datasetId, errors);
        string? encoder = null;
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            using var body = await RequestParsing.ReadJsonAsync(http.Request, services.Options.MaxJsonBodyBytes, http.RequestAborted);
            if (body.TooLargeError is { } tooLarge) return tooLarge;
            if (body.Invalid is { } invalid) return invalid;
            if (BodyFields.OfBody(body, errors) is { } fields) encoder = fields.Enum("encoder_name", Encoders.Coactive);
        }
        if (errors.Any) return errors.ToResult();

        var job = await services.Jobs.StartAsync(http.Caller(), id, encoder, http.RequestAborted);
        if (job is null) return Errors.DatasetNotFound;
        return TypedResults.Json(IngestJobResponse.From(job, job.DetailsJson), V1JsonContext.Default.IngestJobResponse, statusCode: StatusCodes.Status202Accepted);
    }
}
