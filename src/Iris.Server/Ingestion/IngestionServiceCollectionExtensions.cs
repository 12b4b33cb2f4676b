using Iris.Blobs;
using Iris.Ingestion;
using Iris.Sources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Iris.Server.Ingestion;

public static class IngestionServiceCollectionExtensions
{
    /// <summary>The pipeline, its sources and the background worker pool.</summary>
    public static IServiceCollection AddIrisIngestion(this IServiceCollection services)
    {
        services.AddSingleton<IngestionSignal>();
        services.AddSingleton<IDataPathLister, FileDataPathLister>();
        services.AddSingleton(provider => new S3Access(provider.GetRequiredService<IrisOptions>()));
        services.AddSingleton<IDataPathLister, S3DataPathLister>();
        services.AddSingleton(provider => CsvManifestReader.Create(
            provider.GetRequiredService<IrisOptions>(), provider.GetRequiredService<IBlobStore>(), provider.GetRequiredService<S3Access>()));
        services.AddSingleton(provider =>
        {
            var logger = provider.GetRequiredService<ILogger<IngestionPipeline>>();
            return IngestionPipeline.CreateDefault(
                provider.GetRequiredService<IrisOptions>(),
                provider.GetRequiredService<IBlobStore>(),
                provider.GetRequiredService<TimeProvider>(),
                (job, e) => logger.LogError(e, "Unexpected error while ingesting image {ImageId} ({Path})", job.ImageId, job.Path));
        });
        services.AddHostedService<IngestionWorkerPool>();
        return services;
    }
}
