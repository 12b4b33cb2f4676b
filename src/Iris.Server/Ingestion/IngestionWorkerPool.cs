using Iris.Ingestion;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Iris.Server.Ingestion;

/// <summary>Runs <see cref="IrisOptions.Workers"/> <see cref="IngestionWorker"/> loops in this process, until it stops.</summary>
public sealed class IngestionWorkerPool(IngestionWorker worker, IrisOptions options, ILogger<IngestionWorkerPool> logger) : BackgroundService
{
    private readonly string _instance = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var workers = Math.Max(1, options.Workers);
        logger.LogInformation("Starting {Workers} ingestion workers", workers);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(i => Task.Run(() => worker.RunAsync($"{_instance}/{i}", stoppingToken), CancellationToken.None)));
    }
}
