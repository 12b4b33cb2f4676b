namespace Iris.Client;

/// <summary>
/// Where the Iris server is and how to authenticate, as in the Coactive SDK:
/// <c>new Configuration { Host = "http://127.0.0.1:8080", AccessToken = $"{clientId}:{clientSecret}" }</c>.
/// </summary>
public sealed class Configuration
{
    /// <summary>The server's default address (<c>iris serve</c> without <c>--urls</c>).</summary>
    public const string DefaultHost = "http://127.0.0.1:8080";

    public Configuration()
    {
    }

    public Configuration(string host, string? accessToken = null)
    {
        Host = host;
        AccessToken = accessToken;
    }

    /// <summary>Base address of the server, e.g. <c>http://127.0.0.1:8080</c> (a path prefix is kept).</summary>
    public string Host { get; set; } = DefaultHost;

    /// <summary><c>CLIENT_ID:CLIENT_SECRET</c>, sent as <c>Authorization: Bearer ...</c>; null sends no header.</summary>
    public string? AccessToken { get; set; }

    /// <summary>How long one HTTP attempt may take when <see cref="ApiClient"/> makes its own HttpClient (default 100 s).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Retries of a 408, 429 or 5xx answer or a failed connection, with jittered exponential back-off honouring Retry-After (default 3).</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    internal Uri BaseUri()
    {
        if (!Uri.TryCreate(Host, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new InvalidOperationException($"Configuration.Host must be an absolute http(s) address, not '{Host}'.");
        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }
}
