using Iris.Blobs;
using Iris.Embeddings;
using Iris.Ingestion;
using Iris.Search;
using Iris.Sources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Iris.Server.Ingestion;

public static class IngestionServiceCollectionExtensions
{
    /// <summary>The sources, the pipeline and the worker; <paramref name="runWorkers"/> adds the background worker pool.</summary>
    public static IServiceCollection AddIrisIngestion(this IServiceCollection services, bool runWorkers)
    {
        services.AddSingleton<IDataPathLister, FileDataPathLister>();
        services.AddSingleton(provider => new S3Access(provider.GetRequiredService<IrisOptions>()));
        services.AddSingleton<IDataPathLister, S3DataPathLister>();
        services.AddSingleton(provider => CsvManifestReader.Create(
            provider.GetRequiredService<IrisOptions>(), provider.GetRequiredService<IBlobStore>(),
            provider.GetRequiredService<TempFolder>(), provider.GetRequiredService<S3Access>()));
        // The model loads on first use: a server whose datasets all say encoder "none" never loads it.
        services.AddSingleton(_ => new Lazy<IImageEmbedder>(() => new ResNetEmbedder(), LazyThreadSafetyMode.ExecutionAndPublication));
        services.AddSingleton<QueryImages>();
        services.AddSingleton<EmbeddingJobs>();
        services.AddSingleton(provider =>
        {
            var logger = provider.GetRequiredService<ILogger<IngestionPipeline>>();
            return IngestionPipeline.CreateDefault(
                provider.GetRequiredService<IrisOptions>(),
                provider.GetRequiredService<IBlobStore>(),
                provider.GetRequiredService<TempFolder>(),
                provider.GetRequiredService<S3Access>(),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<Lazy<IImageEmbedder>>(),
                (job, e) => logger.LogError(e, "Unexpected error while ingesting image {ImageId} ({Path})", job.ImageId, job.Path));
        });
        services.AddSingleton<IngestionWorker>();
        if (runWorkers)
        {
            services.AddHostedService<IngestionWorkerPool>();
            services.AddHostedService<EmbeddingJobsService>();
        }
        return services;
    }
}
