using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Iris.Client;

/// <summary>
/// The connection to one Iris server: an <see cref="HttpClient"/> plus the <see cref="Configuration"/>.
/// <c>new ApiClient(configuration)</c> makes (and disposes) its own HttpClient that retries 408/429/5xx answers
/// and failed connections; <c>new ApiClient(httpClient, configuration)</c> wraps yours (e.g. from
/// IHttpClientFactory, see <c>services.AddIrisClient(...)</c>) and leaves it open.
/// </summary>
public sealed class ApiClient : IDisposable
{
    private const int MaxErrorBodyBytes = 64 * 1024;

    private readonly HttpClient _http;
    private readonly bool _ownsHttpClient;
    private readonly Uri _baseUri;
    private readonly AuthenticationHeaderValue? _authorization;

    public ApiClient(Configuration configuration)
        : this(CreateHttpClient(configuration), configuration, ownsHttpClient: true)
    {
    }

    /// <param name="httpClient">Used as is; its BaseAddress is the host when <paramref name="configuration"/> is null.</param>
    /// <param name="configuration">Host and access token; null to rely on the HttpClient's BaseAddress and default headers.</param>
    public ApiClient(HttpClient httpClient, Configuration? configuration = null)
        : this(httpClient, configuration, ownsHttpClient: false)
    {
    }

    private ApiClient(HttpClient httpClient, Configuration? configuration, bool ownsHttpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _http = httpClient;
        _ownsHttpClient = ownsHttpClient;
        Configuration = configuration ?? new Configuration
        {
            Host = httpClient.BaseAddress?.AbsoluteUri
                   ?? throw new ArgumentException("Pass a Configuration with the Host, or set the HttpClient's BaseAddress.", nameof(configuration)),
        };
        _baseUri = Configuration.BaseUri();
        _authorization = Configuration.AccessToken is { } token ? new AuthenticationHeaderValue("Bearer", token) : null;
    }

    public Configuration Configuration { get; }

    /// <summary>The HttpClient requests go through.</summary>
    public HttpClient HttpClient => _http;

    public void Dispose()
    {
        if (_ownsHttpClient) _http.Dispose();
    }

    /// <summary>The retry strategy of the HttpClients this library makes (also used by AddIrisClient).</summary>
    public static HttpRetryStrategyOptions CreateRetryOptions(int maxRetryAttempts) => new()
    {
        // Defaults kept: transient = HttpRequestException, timeouts, 408, 429 and 5xx; Retry-After honoured.
        MaxRetryAttempts = maxRetryAttempts,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = TimeSpan.FromMilliseconds(250),
        MaxDelay = TimeSpan.FromSeconds(30),
        ShouldRetryAfterHeader = true,
    };

    private static HttpClient CreateHttpClient(Configuration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        HttpMessageHandler handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (configuration.MaxRetryAttempts > 0)
        {
            var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
                .AddRetry(CreateRetryOptions(configuration.MaxRetryAttempts))
                .Build();
            handler = new ResilienceHandler(pipeline) { InnerHandler = handler };
        }
        return new HttpClient(handler) { Timeout = configuration.Timeout };
    }

    internal Uri Url(string relative) => new(_baseUri, relative);

    internal HttpRequestMessage Request(HttpMethod method, string relative, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, Url(relative)) { Content = content };
        if (_authorization is not null) request.Headers.Authorization = _authorization;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    internal static HttpContent Json<T>(T body, JsonTypeInfo<T> type) => JsonContent.Create(body, type);

    /// <summary>Sends the request; any non-success answer becomes an <see cref="ApiException"/>.</summary>
    internal async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken ct)
    {
        var response = await _http.SendAsync(request, completion, ct).ConfigureAwait(false);
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            var body = await ReadBoundedAsync(response, ct).ConfigureAwait(false);
            throw new ApiException((int)response.StatusCode, response.ReasonPhrase, body, response.Headers);
        }
    }

    internal async Task<T> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> type, CancellationToken ct)
    {
        using (request)
        using (var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false))
        {
            var value = await response.Content.ReadFromJsonAsync(type, ct).ConfigureAwait(false);
            return value ?? throw new ApiException((int)response.StatusCode, response.ReasonPhrase, "null");
        }
    }

    private static async Task<string> ReadBoundedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var buffer = new byte[MaxErrorBodyBytes];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), ct).ConfigureAwait(false)) > 0)
            total += read;
        return Encoding.UTF8.GetString(buffer, 0, total);
    }
}
