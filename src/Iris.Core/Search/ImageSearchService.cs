using Iris.Catalog;
using Iris.Embeddings;
using Iris.Models;

namespace Iris.Search;

/// <summary>
/// Image-to-image search: the query image's embedding (stored, or made from a URL or a file) against the vectors of one
/// dataset of the caller's organization, best first. Every candidate is checked against the catalog before it is
/// answered (of the dataset, completed, passing the metadata filter), so a node's index that still holds a deleted
/// image never shows it; the query image itself is left out.
/// </summary>
public sealed class ImageSearchService(ICatalog catalog, DatasetIndexes indexes, QueryImages queries, Lazy<IImageEmbedder> embedder)
{
    /// <summary>The deepest result a search reaches (offset + limit).</summary>
    public const int MaxWindow = 10_000;

    private const int ReadChunk = 1000;

    public async Task<SearchResult> SearchAsync(
        Caller caller, Guid datasetId, SearchQuery query, int offset, int limit, MetadataFilter filter, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + limit, MaxWindow);
        if (await catalog.Datasets.GetAsync(caller.OrgId, datasetId, ct) is not { } dataset) return SearchResult.Failed(SearchFailure.DatasetNotFound);
        if (!Encoders.Embeds(dataset.EncoderName)) return SearchResult.Failed(SearchFailure.NotSearchable);

        var model = embedder.Value;
        Guid? queryImage = null;
        float[] vector;
        switch (query)
        {
            case SearchQuery.ByImage byImage:
                var stored = await catalog.Embeddings.GetAsync(caller.OrgId, byImage.ImageId, ct);
                if (stored is null || stored.Model != model.Model)
                {
                    var image = await catalog.Images.GetAsync(caller.OrgId, byImage.ImageId, ct);
                    return image is null
                        ? SearchResult.Failed(SearchFailure.ImageNotFound)
                        : SearchResult.Failed(SearchFailure.ImageNotEmbedded, image.Status);
                }
                queryImage = byImage.ImageId;
                vector = EmbeddingVectors.FromBytes(stored.Vector);
                break;
            case SearchQuery.ByUrl byUrl:
                vector = await queries.FromUrlAsync(byUrl.Url, ct);
                break;
            case SearchQuery.ByFile byFile:
                vector = await queries.FromFileAsync(byFile.LocalPath, ct);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(query));
        }

        var index = await indexes.GetCurrentAsync(datasetId, model.Model, model.Dimensions, ct);
        var window = offset + limit;
        var hits = new List<SearchHit>(window);
        // Ask the index for more than the window when a filter may turn candidates away, and again for more while
        // candidates fail the catalog check, until the window is full or the index has no more.
        var wanted = filter.IsEmpty ? window : window * 4;
        var seen = new HashSet<Guid>();
        while (true)
        {
            var matches = index.Search(vector, Math.Min(wanted, MaxWindow * 4), queryImage is { } self ? id => id != self : null);
            // An approximate index may order a longer answer a little differently: each image is checked once.
            var fresh = matches.Where(m => seen.Add(m.Id)).ToList();
            for (var start = 0; start < fresh.Count && hits.Count < window; start += ReadChunk)
            {
                var chunk = fresh.GetRange(start, Math.Min(ReadChunk, fresh.Count - start));
                var records = await catalog.Images.GetManyAsync(caller.OrgId, [.. chunk.Select(m => m.Id)], ct);
                var byId = records.ToDictionary(r => r.Id);
                foreach (var match in chunk)
                {
                    if (!byId.TryGetValue(match.Id, out var record) || record.DatasetId != datasetId || record.Status != ImageStatus.Completed)
                    {
                        indexes.Remove(datasetId, model.Model, match.Id); // deleted, or ingested again without completing
                        continue;
                    }
                    if (filter.Matches(record.MetadataJson)) hits.Add(new SearchHit(record, match.Score));
                    if (hits.Count == window) break;
                }
            }
            if (hits.Count >= window || matches.Count < wanted || wanted >= MaxWindow * 4) break;
            wanted *= 4;
        }
        hits.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Image.Id.CompareTo(b.Image.Id));
        return new SearchResult(null, null, hits.Skip(offset).Take(limit).ToList());
    }
}

/// <summary>The query image: one of the organization's images, a public http(s) URL, or a scratch file sent with the request.</summary>
public abstract record SearchQuery
{
    public sealed record ByImage(Guid ImageId) : SearchQuery;
    public sealed record ByUrl(string Url) : SearchQuery;
    public sealed record ByFile(string LocalPath) : SearchQuery;
}

public enum SearchFailure
{
    DatasetNotFound,
    /// <summary>The dataset's encoder is <see cref="Encoders.None"/>.</summary>
    NotSearchable,
    ImageNotFound,
    /// <summary>The query image has no embedding (not completed yet, in error, or of a dataset without one).</summary>
    ImageNotEmbedded,
}

/// <summary>The hits, best first, or why there are none (<see cref="ImageStatus"/> is the query image's, for <see cref="SearchFailure.ImageNotEmbedded"/>).</summary>
public sealed record SearchResult(SearchFailure? Failure, string? ImageStatus, IReadOnlyList<SearchHit> Hits)
{
    public static SearchResult Failed(SearchFailure failure, string? imageStatus = null) => new(failure, imageStatus, []);
}

public sealed record SearchHit(ImageRecord Image, float Score);
