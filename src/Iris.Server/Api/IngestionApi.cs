using System.Text.Json;
using Iris.Assets;
using Iris.Catalog;
using Iris.Models;
using Iris.Server.Auth;
using Iris.Server.OpenApi;
using Microsoft.OpenApi;
using Iris.Sources;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Iris.Server.Api;

/// <summary>
/// Coactive's ingest jobs: each request that adds images (a list, a bucket or folder prefix, a CSV or JSON manifest) or
/// changes metadata is one job, whose counters the catalog keeps exact while the images are ingested.
/// </summary>
public static class IngestionApi
{
    public const int MaxPageLimit = 1000;
    public const int MaxConnectionNameLength = 256;

    /// <summary>How many of a job's assets its <c>details</c> list (all of them page by page on <c>/jobs/{id}/status</c>).</summary>
    public const int MaxDetailAssets = 1000;

    private static readonly string[] AssetTypes = ["unspecified", "image", "video"];
    private static readonly string[] ExplicitAssetTypes = ["image", "video"];
    private static readonly string[] FileTypes = ["unspecified", "csv", "json"];
    private static readonly string[] UpdateTypes = ["overwrite", "upsert", "remove"];
    private static readonly string[] Providers = ["aws"];
    public static readonly string[] JobStatuses = ["completed", "failed", "in_progress", "pending", "paused", "stopping", "stopped"];

    public static RouteGroupBuilder MapIngestionApi(this RouteGroupBuilder api)
    {
        var ingestion = api.MapGroup("/v1/ingestion").WithTags("IngestionApi");

        ingestion.MapPost("/images", CreateFromImages)
            .WithName("create-ingest-job-from-images-api-v-1-ingestion-images-post")
            .WithSummary("Ingest images by path (s3://, http(s)://, file:///, upload://) as one job; ingestion runs in the background")
            .Accepts<CreateIngestJobFromImagesRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge);

        ingestion.MapPost("/assets", CreateFromAssets)
            .WithName("create-ingest-job-from-assets-api-v-1-ingestion-assets-post")
            .WithSummary("Ingest assets by path as one job (Iris ingests images; a video is refused)")
            .Accepts<CreateIngestJobFromAssetsRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge);

        ingestion.MapPost("/buckets", CreateFromBucket)
            .WithName("create-ingest-job-from-bucket-api-v-1-ingestion-buckets-post")
            .WithSummary("Ingest every image below an s3:// or file:/// prefix (max_depth folders deep; 0 for all) as one job")
            .Accepts<CreateIngestJobFromBucketRequest>("application/json")
            .Produces<IngestJobResponse>(StatusCodes.Status202Accepted)
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge);

        ingestion.MapPost("/files", CreateFromFile)
            .WithName("create-ingest-job-from-file-api-v-1-ingestion-files-post")
            .WithSummary("Ingest the images a CSV or JSON manifest lists (s3://, http(s):// or file:///) as one job")
            .Accepts<CreateIngestJobFromFileRequest>("application/json")
            .Produces<IngestJobResponse>(StatusCodes.Status202Accepted)
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge);

        ingestion.MapPost("/metadata", CreateForMetadata)
            .WithName("create-ingest-job-for-metadata-api-v-1-ingestion-metadata-post")
            .WithSummary("Overwrite, upsert or remove metadata of ingested images, by asset_id or source_path, as one job")
            .Accepts<CreateIngestJobForMetadataRequest>("application/json")
            .Produces<IngestJobResponse>(StatusCodes.Status202Accepted)
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge);

        ingestion.MapGet("/jobs", ListJobs)
            .WithName("get-ingest-jobs-api-v-1-ingestion-jobs-get")
            .WithSummary("The organization's ingest jobs, newest first, optionally of one dataset or in one status")
            .WithQuery(
                new QueryParameter("dataset_id", JsonSchemaType.String, "Only this dataset's jobs.", Format: "uuid"),
                new QueryParameter("status", JsonSchemaType.String, "Only jobs in this status.", Values: JobStatuses),
                QueryParameter.Offset, QueryParameter.Limit(MaxPageLimit));

        ingestion.MapGet("/jobs/{ingest_job_id}", GetJob)
            .WithName("get-by-ingest-job-id-api-v-1-ingestion-jobs-ingest-job-id-get")
            .WithSummary("One ingest job with its counters");

        ingestion.MapGet("/jobs/{ingest_job_id}/status", GetJobStatus)
            .WithName("get-job-status-api-v-1-ingestion-jobs-ingest-job-id-status-get")
            .WithSummary("A job's status and its assets' statuses, a page at a time")
            .WithQuery(QueryParameter.Offset, QueryParameter.Limit(MaxPageLimit));

        return api;
    }

    public static async Task<Results<Ok<IngestJobResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> CreateFromImages(
        HttpContext http, [AsParameters] IngestionDependencies deps) =>
        await CreateFromListAsync(http, deps, "images", assetTypes: false);

    public static async Task<Results<Ok<IngestJobResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> CreateFromAssets(
        HttpContext http, [AsParameters] IngestionDependencies deps) =>
        await CreateFromListAsync(http, deps, "assets", assetTypes: true);

    private static async Task<Results<Ok<IngestJobResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> CreateFromListAsync(
        HttpContext http, IngestionDependencies deps, string listName, bool assetTypes)
    {
        using var body = await RequestParsing.ReadJsonAsync(http.Request, deps.Options.MaxJsonBodyBytes, http.RequestAborted);
        if (body.TooLargeError is { } tooLarge) return tooLarge;
        if (body.Invalid is { } invalid) return invalid;
        var errors = new ValidationErrors();
        if (BodyFields.OfBody(body, errors) is not { } fields) return errors.ToResult();
        var datasetId = fields.Uuid("dataset_id", required: true);
        var connection = fields.String("connection_name", maxLength: MaxConnectionNameLength);
        var images = new List<NewImage>();
        if (fields.Array(listName, ApiLimits.MaxImagesPerAddRequest, required: true) is { } array)
        {
            var i = 0;
            foreach (var item in array.EnumerateArray())
            {
                var index = i++;
                if (item.ValueKind != JsonValueKind.Object)
                {
                    errors.WrongType(JsonValueKind.Object, "body", listName, index);
                    continue;
                }
                var asset = new BodyFields(item, errors, "body", listName, index);
                var path = SourcePath(asset, "source_path", required: true);
                string? metadata = null;
                if (asset.Get("metadata") is { } m) metadata = UserMetadataParser.Parse(m, errors, asset.Loc("metadata"));
                if (assetTypes && asset.Enum("asset_type", AssetTypes) == "video")
                    errors.Add("Iris ingests images only; videos are not supported", "value_error", asset.Loc("asset_type"));
                if (path is not null) images.Add(new NewImage(path, null, metadata));
            }
        }
        if (errors.Any) return errors.ToResult();

        var job = JobSource.Images(connection);
        var added = await deps.Assets.AddAsync(http.Caller(), datasetId!.Value, images, http.RequestAborted, job);
        if (added?.Job is not { } created) return Errors.DatasetNotFound;
        return TypedResults.Ok(IngestJobResponse.From(created, AssetDetails(added.Images)));
    }

    public static async Task<Results<JsonHttpResult<IngestJobResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> CreateFromBucket(
        HttpContext http, [AsParameters] IngestionDependencies deps)
    {
        using var body = await RequestParsing.ReadJsonAsync(http.Request, deps.Options.MaxJsonBodyBytes, http.RequestAborted);
        if (body.TooLargeError is { } tooLarge) return tooLarge;
        if (body.Invalid is { } invalid) return invalid;
        var errors = new ValidationErrors();
        if (BodyFields.OfBody(body, errors) is not { } fields) return errors.ToResult();
        var datasetId = fields.Uuid("dataset_id", required: true);
        var connection = fields.String("connection_name", maxLength: MaxConnectionNameLength);
        var maxDepth = fields.Int("max_depth", 0, 1000) ?? 0;
        // Coactive names the prefix four ways: path or spec, source_path or source_spec; exactly one is needed.
        var given = new List<(string Field, string Path)>();
        foreach (var name in new[] { "path", "source_path" })
        {
            if (SourcePath(fields, name, required: false) is { } p) given.Add((name, p));
        }
        foreach (var name in new[] { "spec", "source_spec" })
        {
            if (fields.ObjectField(name) is not { } spec) continue;
            var specFields = new BodyFields(spec, errors, "body", name);
            var bucket = specFields.String("bucket", required: true, maxLength: 255);
            var prefix = specFields.String("prefix", maxLength: IngestionSources.MaxPathLength) ?? "/";
            specFields.Enum("provider", Providers);
            if (bucket is not null) given.Add((name, $"s3://{bucket}/{prefix.TrimStart('/')}"));
        }
        if (!errors.Any && given.Count == 0) errors.Add("Provide path (s3://bucket/prefix/ or file:///folder/) or spec", "missing", "body", "path");
        if (!errors.Any && given.Count > 1) errors.Add($"Provide one of {string.Join(", ", given.Select(g => g.Field))}, not several", "value_error", "body", given[1].Field);
        if (errors.Any) return errors.ToResult();

        var caller = http.Caller();
        if (await deps.Datasets.GetAsync(caller.OrgId, datasetId!.Value, http.RequestAborted) is null) return Errors.DatasetNotFound;
        var (field, path) = given[0];
        var images = new List<NewImage>();
        if (await IngestionSources.AddDataPathAsync(path, images, deps.Listers, http.RequestAborted, ["body", field], maxDepth) is { } listError) return listError;

        var job = new JobSource(IngestJobType.Bucket, "s3_prefix", path, BucketDetails(path, maxDepth), connection);
        var added = await deps.Assets.AddAsync(caller, datasetId.Value, images, http.RequestAborted, job);
        if (added?.Job is not { } created) return Errors.DatasetNotFound;
        return Accepted(IngestJobResponse.From(created, created.DetailsJson));
    }

    public static async Task<Results<JsonHttpResult<IngestJobResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> CreateFromFile(
        HttpContext http, [AsParameters] IngestionDependencies deps)
    {
        using var body = await RequestParsing.ReadJsonAsync(http.Request, deps.Options.MaxJsonBodyBytes, http.RequestAborted);
        if (body.TooLargeError is { } tooLarge) return tooLarge;
        if (body.Invalid is { } invalid) return invalid;
        var errors = new ValidationErrors();
        if (BodyFields.OfBody(body, errors) is not { } fields) return errors.ToResult();
        var datasetId = fields.Uuid("dataset_id", required: true);
        var sourcePath = SourcePath(fields, "source_path", required: true);
        var connection = fields.String("connection_name", maxLength: MaxConnectionNameLength);
        var fileType = fields.Enum("file_type", FileTypes) ?? "unspecified";
        if (errors.Any) return errors.ToResult();

        var caller = http.Caller();
        if (await deps.Datasets.GetAsync(caller.OrgId, datasetId!.Value, http.RequestAborted) is null) return Errors.DatasetNotFound;
        var json = fileType == "json"
                   || fileType == "unspecified" && Uri.TryCreate(sourcePath, UriKind.Absolute, out var uri) && uri.AbsolutePath.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        var images = new List<NewImage>();
        if (await IngestionSources.AddCsvAsync(sourcePath!, images, deps.Manifests, http.RequestAborted, ["body", "source_path"], json) is { } manifestError) return manifestError;

        var details = JsonText.Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("file");
            w.WriteString("dataset_id", datasetId.Value);
            w.WriteString("source_path", sourcePath);
            if (connection is null) w.WriteNull("connection_name"); else w.WriteString("connection_name", connection);
            w.WriteString("file_type", fileType);
            w.WriteEndObject();
            w.WriteEndObject();
        });
        var job = new JobSource(IngestJobType.File, json ? "json" : "csv", sourcePath, details, connection);
        var added = await deps.Assets.AddAsync(caller, datasetId.Value, images, http.RequestAborted, job);
        if (added?.Job is not { } created) return Errors.DatasetNotFound;
        return Accepted(IngestJobResponse.From(created, created.DetailsJson));
    }

    public static async Task<Results<JsonHttpResult<IngestJobResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>, JsonHttpResult<ErrorResponse>>> CreateForMetadata(
        HttpContext http, [AsParameters] IngestionDependencies deps)
    {
        using var body = await RequestParsing.ReadJsonAsync(http.Request, deps.Options.MaxJsonBodyBytes, http.RequestAborted);
        if (body.TooLargeError is { } tooLarge) return tooLarge;
        if (body.Invalid is { } invalid) return invalid;
        var errors = new ValidationErrors();
        if (BodyFields.OfBody(body, errors) is not { } fields) return errors.ToResult();
        var datasetId = fields.Uuid("dataset_id", required: true);
        var updateType = fields.Enum("update_type", UpdateTypes) ?? "upsert";
        var sourcePath = SourcePath(fields, "source_path", required: false);
        var changes = new List<MetadataChange>();
        if (fields.Array("update_assets", ApiLimits.MaxImagesPerAddRequest) is { } array)
        {
            var i = 0;
            foreach (var item in array.EnumerateArray())
            {
                var index = i++;
                if (item.ValueKind != JsonValueKind.Object)
                {
                    errors.WrongType(JsonValueKind.Object, "body", "update_assets", index);
                    continue;
                }
                var asset = new BodyFields(item, errors, "body", "update_assets", index);
                var id = asset.Uuid("asset_id");
                var path = SourcePath(asset, "source_path", required: false);
                var type = asset.Enum("asset_type", ExplicitAssetTypes, required: true);
                string? metadata = null;
                if (asset.Get("metadata") is { } m) metadata = UserMetadataParser.Parse(m, errors, asset.Loc("metadata"));
                if (id is null && path is null && !errors.Any) errors.Add("Provide asset_id or source_path", "missing", asset.Loc("asset_id"));
                changes.Add(new MetadataChange(id, path, type ?? "image", metadata, item.GetRawText()));
            }
        }
        if (sourcePath is not null)
            errors.Add("Iris takes metadata updates in update_assets; a source_path manifest of updates is not supported", "value_error", "body", "source_path");
        else if (!errors.Any && changes.Count == 0)
            errors.Add("Provide update_assets", "missing", "body", "update_assets");
        if (errors.Any) return errors.ToResult();

        var result = await deps.Assets.ChangeMetadataAsync(http.Caller(), datasetId!.Value,
            changes.Select(c => (c.AssetId, c.SourcePath)).ToList(),
            (index, current) => MetadataMerge.Apply(updateType, current, changes[index].MetadataJson),
            http.RequestAborted, MetadataJob(changes));
        return result is null ? Errors.DatasetNotFound : Accepted(IngestJobResponse.From(result, result.DetailsJson));
    }

    private sealed record MetadataChange(Guid? AssetId, string? SourcePath, string AssetType, string? MetadataJson, string RawJson);

    /// <summary>The details of a metadata job: the updates applied (with the asset each reached) and the ones that named no image.</summary>
    private static Func<IReadOnlyList<(int Index, ImageRecord Image)>, IReadOnlyList<int>, string> MetadataJob(List<MetadataChange> changes) =>
        (accepted, invalid) => JsonText.Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("accepted");
            foreach (var (index, image) in accepted)
            {
                w.WriteStartObject();
                w.WriteString("asset_id", image.Id);
                w.WriteString("source_path", image.Path);
                w.WriteString("asset_type", changes[index].AssetType);
                w.WritePropertyName("metadata");
                if (changes[index].MetadataJson is { } m) w.WriteRawValue(m, skipInputValidation: true); else w.WriteNullValue();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("invalid_assets");
            foreach (var index in invalid) w.WriteRawValue(changes[index].RawJson);
            w.WriteEndArray();
            w.WriteEndObject();
        });

    public static async Task<Results<Ok<GetManyIngestJobsResponse>, UnprocessableEntity<HTTPValidationError>>> ListJobs(HttpContext http, IIngestJobStore jobs)
    {
        var errors = new ValidationErrors();
        var query = new QueryFields(http.Request.Query, errors);
        var datasetId = query.Uuid("dataset_id");
        var status = query.Enum("status", JobStatuses);
        var offset = query.Int("offset", 0, 0, int.MaxValue);
        var limit = query.Int("limit", 100, 1, MaxPageLimit);
        if (errors.Any) return errors.ToResult();
        var (items, total) = await jobs.ListAsync(http.Caller().OrgId, datasetId, status, offset, limit, http.RequestAborted);
        var answers = new List<IngestJobResponse>(items.Count);
        foreach (var job in items) answers.Add(await AnswerAsync(http, jobs, job, detailAssets: 10));
        return TypedResults.Ok(new GetManyIngestJobsResponse(answers, PagedMeta.For(offset, limit, total)));
    }

    public static async Task<Results<Ok<IngestJobResponse>, NotFound<ErrorResponse>>> GetJob(
        [FromRoute(Name = "ingest_job_id")] string jobId, HttpContext http, IIngestJobStore jobs)
    {
        if (!Guid.TryParse(jobId, out var id)) return Errors.JobNotFound;
        var job = await jobs.GetAsync(http.Caller().OrgId, id, http.RequestAborted);
        return job is null ? Errors.JobNotFound : TypedResults.Ok(await AnswerAsync(http, jobs, job, MaxDetailAssets));
    }

    public static async Task<Results<Ok<IngestJobStatusResponse>, NotFound<ErrorResponse>, UnprocessableEntity<HTTPValidationError>>> GetJobStatus(
        [FromRoute(Name = "ingest_job_id")] string jobId, HttpContext http, IIngestJobStore jobs)
    {
        var errors = new ValidationErrors();
        var query = new QueryFields(http.Request.Query, errors);
        var offset = query.Int("offset", 0, 0, int.MaxValue);
        var limit = query.Int("limit", 100, 1, MaxPageLimit);
        if (errors.Any) return errors.ToResult();
        if (!Guid.TryParse(jobId, out var id)) return Errors.JobNotFound;
        var orgId = http.Caller().OrgId;
        // The page first, then the job: a job that finishes in between is answered finished with its last statuses.
        if (await jobs.ListImagesAsync(orgId, id, offset, limit, http.RequestAborted) is not { } page) return Errors.JobNotFound;
        if (await jobs.GetAsync(orgId, id, http.RequestAborted) is not { } job) return Errors.JobNotFound;
        var assets = new PagedAssetsStatusResponse(PagedMeta.For(offset, limit, page.Total), page.Items.Select(AssetStatusResponse.From).ToArray());
        return TypedResults.Ok(new IngestJobStatusResponse(new JobStatus(job.Status, assets)));
    }

    /// <summary>A job as answered: a job of listed assets shows its first <paramref name="detailAssets"/> as they are now.</summary>
    private static async Task<IngestJobResponse> AnswerAsync(HttpContext http, IIngestJobStore jobs, IngestJob job, int detailAssets)
    {
        if (job.JobType != IngestJobType.Assets) return IngestJobResponse.From(job, job.DetailsJson);
        var page = await jobs.ListImagesAsync(job.OrgId, job.Id, 0, detailAssets, http.RequestAborted);
        return IngestJobResponse.From(job, AssetDetails(page?.Items ?? []));
    }

    /// <summary>Coactive's <c>AssetsJobDetails</c> for these images.</summary>
    internal static string AssetDetails(IReadOnlyList<ImageRecord> images) => JsonText.Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("assets");
        foreach (var image in images)
        {
            w.WriteStartObject();
            w.WriteStartObject("asset");
            w.WriteString("source_path", image.Path);
            w.WritePropertyName("metadata");
            if (image.MetadataJson is { } m) w.WriteRawValue(m, skipInputValidation: true); else w.WriteNullValue();
            w.WriteString("asset_type", "image");
            w.WriteEndObject();
            w.WriteString("asset_id", image.Id);
            if (image.Status == ImageStatus.Error) w.WriteString("error", image.ErrorReason); else w.WriteNull("error");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>Coactive's <c>BucketJobDetails</c>; a file:/// folder has no bucket or provider, so its spec names the folder.</summary>
    private static string BucketDetails(string path, int maxDepth) => JsonText.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("path", path);
        w.WriteStartObject("spec");
        if (path.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            var rest = path["s3://".Length..];
            var slash = rest.IndexOf('/');
            w.WriteString("bucket", slash < 0 ? rest : rest[..slash]);
            w.WriteString("prefix", slash < 0 ? "/" : rest[slash..]);
            w.WriteString("provider", "aws");
        }
        else
        {
            w.WriteString("bucket", "");
            w.WriteString("prefix", path);
        }
        w.WriteEndObject();
        w.WriteNumber("max_depth", maxDepth);
        w.WriteEndObject();
    });

    private static JsonHttpResult<IngestJobResponse> Accepted(IngestJobResponse job) =>
        TypedResults.Json(job, V1JsonContext.Default.IngestJobResponse, statusCode: StatusCodes.Status202Accepted);

    private static string? SourcePath(BodyFields fields, string name, bool required)
    {
        var path = fields.String(name, required, IngestionSources.MaxPathLength + 1);
        return path is null ? null : IngestionSources.CheckPath(path, fields.Errors, fields.Loc(name));
    }
}

/// <summary>What the ingestion handlers need, bundled.</summary>
public sealed record IngestionDependencies(
    AssetService Assets, IDatasetStore Datasets, IEnumerable<IDataPathLister> Listers, CsvManifestReader Manifests, IrisOptions Options);
