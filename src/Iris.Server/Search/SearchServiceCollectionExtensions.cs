using Iris.Catalog;
using Iris.Search;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Server.Search;

public static class SearchServiceCollectionExtensions
{
    /// <summary>This node's vector indexes, fed from the catalog's embeddings, and the search service over them.</summary>
    public static IServiceCollection AddIrisSearch(this IServiceCollection services)
    {
        services.AddSingleton(provider => new DatasetIndexes(
            provider.GetRequiredService<IEmbeddingStore>(), dimensions => new AdaptiveVectorIndex(dimensions), provider.GetRequiredService<TimeProvider>(),
            (dimensions, vectors) => AdaptiveVectorIndex.Build(dimensions, vectors)));
        services.AddSingleton<ImageSearchService>();
        return services;
    }
}
