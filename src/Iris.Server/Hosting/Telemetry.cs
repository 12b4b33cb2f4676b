using Iris.Catalog;
using Iris.Ingestion;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Iris.Server.Hosting;

/// <summary>
/// Metrics for Prometheus on a listener of their own (<c>--metrics-urls</c>): ASP.NET Core's HTTP server metrics and
/// Iris's ingestion instruments (<see cref="IngestionMetrics"/>); traces through OTLP when the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. Nothing is collected when neither is asked for.
/// </summary>
public static class Telemetry
{
    public const string MetricsPath = "/metrics";

    /// <summary>The ports of <c>--metrics-urls</c>; a request arriving on one of them is served /metrics or 404.</summary>
    public static IReadOnlySet<int> MetricsPorts(IrisOptions options)
    {
        var ports = new HashSet<int>();
        foreach (var url in (options.MetricsUrls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(url, @"^http://[^/:]+:\d{1,5}/?$") || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
                throw new SettingsException($"--metrics-urls: '{url}' is not an http:// address with a port, such as http://127.0.0.1:9464.");
            ports.Add(uri.Port);
        }
        var api = (options.Urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri.Port : -1);
        if (api.Any(ports.Contains)) throw new SettingsException("--metrics-urls must use other ports than --urls: metrics have a listener of their own.");
        return ports;
    }

    public static void AddIrisTelemetry(this WebApplicationBuilder builder, IrisOptions options)
    {
        var metrics = options.MetricsUrls is not null;
        var traces = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));
        if (!metrics && !traces) return;
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("iris", serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"));
        if (metrics)
        {
            Microsoft.AspNetCore.Hosting.HostingAbstractionsWebHostBuilderExtensions.UseUrls(builder.WebHost, $"{options.Urls};{options.MetricsUrls}");
            telemetry.WithMetrics(m => m
                .AddMeter(IngestionMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                .AddPrometheusExporter());
            builder.Services.AddHostedService<QueueDepthSampler>();
        }
        if (traces)
        {
            telemetry.WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = http => http.Request.Path != MetricsPath)
                .AddSource(IngestionMetrics.Activities.Name)
                .AddOtlpExporter());
        }
    }

    /// <summary>On the metrics listener: /metrics and nothing else; on the others: no /metrics.</summary>
    public static void UseIrisMetricsListener(this WebApplication app, IrisOptions options)
    {
        if (options.MetricsUrls is null) return;
        var ports = MetricsPorts(options);
        app.UseOpenTelemetryPrometheusScrapingEndpoint(http => ports.Contains(http.Connection.LocalPort) && http.Request.Path == MetricsPath);
        app.Use((http, next) =>
        {
            if (!ports.Contains(http.Connection.LocalPort)) return next(http);
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    }

    /// <summary>Reads how many images wait in the catalog every few seconds, for the queue-depth gauge.</summary>
    private sealed class QueueDepthSampler(IIngestionQueue queue, TimeProvider time, ILogger<QueueDepthSampler> logger) : BackgroundService
    {
        private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    IngestionMetrics.SetQueueDepth(await queue.CountWaitingAsync(time.GetUtcNow(), stoppingToken));
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    logger.LogDebug(e, "Reading the queue depth failed");
                }
                try
                {
                    await Task.Delay(Every, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
