using Iris.Embeddings;
using Microsoft.Extensions.Hosting;

namespace Iris.Server.Ingestion;

/// <summary>Runs the open embeddings jobs (<see cref="EmbeddingJobs"/>) on a worker node, next to the ingestion workers.</summary>
public sealed class EmbeddingJobsService(EmbeddingJobs jobs) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(() => jobs.RunAsync(stoppingToken), CancellationToken.None);
}
