using Iris.Assets;
using Iris.Auth;
using Iris.Blobs;
using Iris.Catalog;
using Iris.Datasets;
using Iris.Server.Api;
using Iris.Server.Auth;
using Iris.Server.WebConsole;
using Iris.Server.Ingestion;
using Iris.Server.OpenApi;
using Iris.Server.Search;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Scalar.AspNetCore;

namespace Iris.Server;

/// <summary>All of Iris' dependency wiring and routes, in one place.</summary>
public static class Extensions
{
    public static IServiceCollection AddIris(this IServiceCollection services, IrisOptions options, ICatalog catalog, IBlobStore blobs, TempFolder temp)
    {
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton(catalog);
        services.AddSingleton(catalog.Organizations);
        services.AddSingleton(catalog.Credentials);
        services.AddSingleton(catalog.Datasets);
        services.AddSingleton(catalog.Images);
        services.AddSingleton(catalog.Queue);
        services.AddSingleton(catalog.Jobs);
        services.AddSingleton(catalog.Embeddings);

        services.AddSingleton(blobs);
        services.AddSingleton(temp);
        services.AddSingleton<AssetService>();
        services.AddSingleton<AssetDeletion>();
        services.AddSingleton<DatasetService>();
        services.AddSingleton<DatasetProgress>();
        services.AddSingleton<CredentialVerifier>();
        services.AddSingleton<CredentialRateLimiter>();
        services.AddSingleton<OutageFilter>();
        services.AddSingleton<BearerAuthenticationFilter>();

        services.AddIrisIngestion(runWorkers: options.Roles.HasFlag(IrisRoles.Workers));
        services.AddIrisSearch();
        services.AddBatchReadLimit();

        services.ConfigureHttpJsonOptions(json => IrisJsonContext.ApplyTo(json.SerializerOptions));
        services.AddIrisOpenApi();
        return services;
    }

    public static WebApplication MapIris(this WebApplication app)
    {
        app.MapHealthApi();
        // A worker node answers its probes and nothing else.
        if (!app.Services.GetRequiredService<IrisOptions>().Roles.HasFlag(IrisRoles.Api)) return app;

        var api = app.MapGroup("/api")
            .AddEndpointFilter<OutageFilter>() // outermost: the credential lookup may meet the outage too
            .AddEndpointFilter<BearerAuthenticationFilter>();
        api.MapImageApi();
        api.MapDatasetApi();
        api.MapAssetApi();
        api.MapIngestionApi();
        api.MapIngestionStatusApi();
        api.MapProgressApi();
        api.MapDeleteAssetsApi();
        api.MapImageDetailsApi();
        api.MapAuthManagementApi();
        api.MapSearchApi();

        app.MapIrisConsole();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs", scalar => scalar
            .WithTitle("Iris API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        return app;
    }
}
