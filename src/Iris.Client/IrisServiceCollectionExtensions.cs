using Iris.Client;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Iris client with IHttpClientFactory.</summary>
public static class IrisServiceCollectionExtensions
{
    /// <summary>The name of the HttpClient the factory makes for Iris.</summary>
    public const string HttpClientName = "Iris.Client";

    /// <summary>
    /// Registers <see cref="ApiClient"/>, <see cref="ImageApi"/>, <see cref="DatasetApi"/>, <see cref="IngestionApi"/>,
    /// <see cref="SearchApi"/> and <see cref="AuthManagementApi"/> (transient) over a
    /// factory-made HttpClient that retries 408/429/5xx answers and failed connections with jittered exponential
    /// back-off, honouring Retry-After. Returns the HttpClient builder to add handlers of your own.
    /// </summary>
    public static IHttpClientBuilder AddIrisClient(this IServiceCollection services, Action<Iris.Client.Configuration> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var configuration = new Iris.Client.Configuration();
        configure(configuration);

        var builder = services.AddHttpClient(HttpClientName, http => http.Timeout = configuration.Timeout);
        if (configuration.MaxRetryAttempts > 0)
            builder.AddResilienceHandler("iris-retry", pipeline => pipeline.AddRetry(ApiClient.CreateRetryOptions(configuration.MaxRetryAttempts)));

        services.TryAddTransient(sp => new ApiClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName), configuration));
        services.TryAddTransient(sp => new ImageApi(sp.GetRequiredService<ApiClient>()));
        services.TryAddTransient(sp => new DatasetApi(sp.GetRequiredService<ApiClient>()));
        services.TryAddTransient(sp => new IngestionApi(sp.GetRequiredService<ApiClient>()));
        services.TryAddTransient(sp => new SearchApi(sp.GetRequiredService<ApiClient>()));
        services.TryAddTransient(sp => new AuthManagementApi(sp.GetRequiredService<ApiClient>()));
        return builder;
    }
}
