using Iris.Blobs;
using Iris.Catalog;
using Iris.Server.Api;
using Iris.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Iris.Server;

/// <summary>Builds and runs an Iris node (API, workers or both) on the catalog and blob store its options name.</summary>
public static class IrisServer
{
    /// <param name="openCatalog">Opens the catalog engine the options choose (the one place that knows the engines).</param>
    public static async Task RunAsync(IrisOptions options, Func<IrisOptions, CancellationToken, Task<ICatalog>> openCatalog, CancellationToken ct = default)
    {
        NativeAllocator.LimitArenas();
        using var dataFolder = DataFolder.Acquire(options.DataDirectory);
        options.DataDirectory = dataFolder.Path;
        // One process per data folder (the lock above), so no scratch file belongs to anyone still running.
        var temp = new TempFolder(Path.Combine(options.DataDirectory, "tmp"));
        temp.Clean();

        await using var catalog = await openCatalog(options, ct);
        await StartupRetry.RunAsync("the catalog", () => catalog.MigrateAsync(ct), ct);
        FirstCredential? first = null;
        await StartupRetry.RunAsync("the catalog", async () => first = await CredentialBootstrap.RunAsync(catalog, options, ct), ct);

        var blobs = BlobStores.Create(options);
        await using var disposeBlobs = blobs as IAsyncDisposable ?? new DisposeLater(blobs as IDisposable);
        if (blobs is S3BlobStore s3) await StartupRetry.RunAsync("the blob store", () => s3.CheckAsync(ct), ct);

        var app = Build(options, catalog, blobs, temp);
        if (first is not null) Announce(first, options, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Iris.Credentials"));
        await app.StartAsync(ct);
        await app.WaitForShutdownAsync(ct);
    }

    public static WebApplication Build(IrisOptions options, ICatalog catalog, IBlobStore blobs, TempFolder temp)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // 1000 UUIDs (or paths) in a query string make a request line of ~60 KB and more.
            kestrel.Limits.MaxRequestLineSize = 1024 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 1024 * 1024 + 64 * 1024;
            kestrel.Limits.MaxRequestBufferSize = 4 * 1024 * 1024;
            kestrel.Limits.MaxRequestBodySize = options.MaxJsonBodyBytes; // uploads raise it per request
            kestrel.AddServerHeader = false;
            // Slow clients (slow-loris) are cut off instead of holding connections and buffers forever.
            kestrel.Limits.RequestHeadersTimeout = options.HeadersTimeout;
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(60);
            var rate = options.MinDataRate > 0 ? new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(options.MinDataRate, IrisOptions.MinDataRateGrace) : null;
            kestrel.Limits.MinRequestBodyDataRate = rate;
            kestrel.Limits.MinResponseDataRate = rate;
        });
        builder.Logging.ClearProviders();
        if (options.LogFormat == "json")
        {
            // One JSON object per line; the scopes carry the request id (ASP.NET Core's) and the image id (the worker's).
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        }
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownGrace + TimeSpan.FromSeconds(10));
        builder.Services.AddIris(options, catalog, blobs, temp);
        builder.AddIrisTelemetry(options);

        var app = builder.Build();
        app.UseIrisMetricsListener(options);
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = WriteExceptionAsync });
        app.UseStatusCodePages(context => WriteStatusAsync(context.HttpContext));
        app.UseRateLimiter();
        app.MapIris();
        return app;
    }

    // No stack trace ever reaches the wire: known client errors keep their status, anything else is a 500.
    private static Task WriteExceptionAsync(HttpContext http)
    {
        var error = http.Features.Get<IExceptionHandlerFeature>()?.Error;
        var (status, detail) = error switch
        {
            BadHttpRequestException bad => (bad.StatusCode, bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? "The request body is too large." : "The request is malformed."),
            // An outage of Iris's own storage: the client may retry, nothing was lost.
            ServiceUnavailableException unavailable => (StatusCodes.Status503ServiceUnavailable, unavailable.Message),
            _ => (StatusCodes.Status500InternalServerError, "Internal Server Error"),
        };
        http.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable) http.Response.Headers.RetryAfter = "2";
        return http.Response.WriteAsJsonAsync(new ErrorResponse(detail), IrisJsonContext.Default.ErrorResponse);
    }

    private static Task WriteStatusAsync(HttpContext http)
    {
        var phrase = ReasonPhrases.GetReasonPhrase(http.Response.StatusCode);
        return http.Response.WriteAsJsonAsync(new ErrorResponse(phrase.Length > 0 ? phrase : "Error"), IrisJsonContext.Default.ErrorResponse);
    }

    /// <summary>
    /// Tells where the first-start credential is. Its secret is printed once, and only to a person at a terminal
    /// reading the text log; a service log (redirected, or JSON) gets the client id and the file that holds it.
    /// </summary>
    private static void Announce(FirstCredential first, IrisOptions options, ILogger logger)
    {
        if (options.LogFormat == "text" && !Console.IsOutputRedirected)
        {
            Console.Out.WriteLine($"""
                First start: created a credential for the '{CredentialBootstrap.DefaultOrganization}' organization. It is shown only this once
                and kept, readable by you only, in {first.Path}.
                  IRIS_CLIENT_ID={first.Client.ClientId}
                  IRIS_CLIENT_SECRET={first.Client.ClientSecret}
                  Authorization: Bearer {first.Client.ClientId}:{first.Client.ClientSecret}
                """);
            return;
        }
        logger.LogWarning("First start: created the credential {ClientId} for the '{Organization}' organization; its secret is kept, readable by you only, in {Path}",
            first.Client.ClientId, CredentialBootstrap.DefaultOrganization, first.Path);
    }

    private sealed class DisposeLater(IDisposable? disposable) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            disposable?.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
