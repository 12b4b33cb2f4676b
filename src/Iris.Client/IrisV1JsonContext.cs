using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iris.Client;

/// <summary>
/// Source-generated (trim- and AOT-safe) JSON for the v1 models (datasets, ingest jobs, ingestion statuses, search) and
/// Iris' per-image events and duplicates,
/// snake_case as on the wire. The v0 models stay camelCase in <see cref="IrisJsonContext"/>. Metadata values given
/// as <see cref="object"/> may be any of the primitive types registered here.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(DatasetResponse))]
[JsonSerializable(typeof(DatasetGetManyResponse))]
[JsonSerializable(typeof(DatasetCreateRequest))]
[JsonSerializable(typeof(DatasetUpdateRequest))]
[JsonSerializable(typeof(IngestJobResponse))]
[JsonSerializable(typeof(GetManyIngestJobsResponse))]
[JsonSerializable(typeof(IngestJobStatusResponse))]
[JsonSerializable(typeof(PagedAssetsStatusResponse))]
[JsonSerializable(typeof(PagedAssetsStatusSummaryResponse))]
[JsonSerializable(typeof(DatasetAssetsStatusCountResponse))]
[JsonSerializable(typeof(DatasetIngestionStatusResponse))]
[JsonSerializable(typeof(ImageAssetStatusResponse))]
[JsonSerializable(typeof(ImageEventsResponse))]
[JsonSerializable(typeof(DuplicatesResponse))]
[JsonSerializable(typeof(CreateIngestJobFromImagesRequest))]
[JsonSerializable(typeof(CreateIngestJobFromAssetsRequest))]
[JsonSerializable(typeof(CreateIngestJobFromBucketRequest))]
[JsonSerializable(typeof(CreateIngestJobFromFileRequest))]
[JsonSerializable(typeof(CreateIngestJobForMetadataRequest))]
[JsonSerializable(typeof(GetDatasetAssetsStatusRequest))]
[JsonSerializable(typeof(ImageSearchRequest))]
[JsonSerializable(typeof(ImageSearchResponse))]
[JsonSerializable(typeof(MetadataFilters))]
[JsonSerializable(typeof(StartEmbeddingsRequest))]
[JsonSerializable(typeof(IReadOnlyList<DatasetResponse>))]
[JsonSerializable(typeof(IReadOnlyList<IngestJobResponse>))]
[JsonSerializable(typeof(IReadOnlyList<AssetStatusResponse>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(float))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(decimal))]
[JsonSerializable(typeof(DateTime))]
[JsonSerializable(typeof(DateTimeOffset))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class IrisV1JsonContext : JsonSerializerContext;

public sealed partial class IrisV1JsonContext
{
    /// <summary>The same models, written indented and with non-ASCII text as is (for printing).</summary>
    public static IrisV1JsonContext Indented { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new UtcTimestampConverter() },
    });
}
