using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Iris.Blobs;
using Iris.Ingestion;
using Iris.Models;
using Polly;

namespace Iris.Sources;

/// <summary>
/// Downloads <c>http://</c> and <c>https://</c> images to a temporary file under the data folder, with the
/// byte cap, an idle timeout, bounded retries of transient failures (timeouts, 5xx, 429 with Retry-After)
/// and redirects followed by hand, at most <see cref="IrisOptions.MaxRedirects"/>. Every connection goes
/// through <see cref="NetworkGuard"/>, which refuses private addresses (first request and redirects alike);
/// no proxy is used, since a proxy would make the connection on the guard's behalf.
/// </summary>
public sealed class HttpSource : IImageSource, IDisposable
{
    private readonly IrisOptions _options;
    private readonly TempFolder _temp;
    private readonly HttpClient _client;
    private readonly ResiliencePipeline _retries;
    private readonly bool _imagesOnly;

    public HttpSource(IrisOptions options, TempFolder temp)
        : this(options, temp, new NetworkGuard(options.AllowPrivateNetwork))
    {
    }

    /// <param name="guard">Decides which addresses may be contacted (tests allow one loopback server).</param>
    /// <param name="imagesOnly">Refuse bodies served as clearly not an image (false for CSV manifests).</param>
    public HttpSource(IrisOptions options, TempFolder temp, NetworkGuard guard, bool imagesOnly = true)
    {
        _options = options;
        _imagesOnly = imagesOnly;
        _temp = temp;
        _retries = RemoteFetch.CreateRetryPipeline(options);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false, // each hop is checked here (scheme, downgrade, count) and connected through the guard
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None, // the cap counts the bytes stored, which are the bytes sent
            ConnectTimeout = options.HttpTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = (context, ct) => guard.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, ct),
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }; // timeouts are per attempt, below
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Iris", "1.0"));
        _client.DefaultRequestHeaders.Accept.ParseAdd("image/*, */*;q=0.5");
    }

    public bool CanRead(string path) =>
        path.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    public async ValueTask<SourceFile> FetchAsync(IngestionJob job, CancellationToken ct)
    {
        var uri = Parse(job.Path);
        var temp = _temp.NewPath();
        try
        {
            await RemoteFetch.WithRetriesAsync(_retries, token => DownloadAsync(uri, temp, token), ct);
            return new SourceFile(temp, isTemporary: true);
        }
        catch
        {
            RemoteFetch.DeleteQuietly(temp);
            throw;
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>The URL as an absolute http(s) URI without user name or password (those are refused, not stripped).</summary>
    private static Uri Parse(string path)
    {
        var shown = Reasons.Shorten(path);
        if (!Uri.TryCreate(path, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
            throw new IngestionException(ErrorCodes.UnsupportedUriScheme, $"{shown} is not a valid http(s) URL.");
        if (uri.UserInfo.Length > 0)
            throw new IngestionException(ErrorCodes.PermissionDenied,
                $"{shown} holds a user name or password; Iris does not send credentials in URLs. Remove the part before '@'.");
        return uri;
    }

    /// <summary>One attempt: the request, its redirects and the body. Throws <see cref="TransientFetchException"/> for what a retry may fix.</summary>
    private async ValueTask<bool> DownloadAsync(Uri start, string temp, CancellationToken ct)
    {
        RemoteFetch.DeleteQuietly(temp); // what an earlier attempt left
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var uri = start;
        for (var redirects = 0; ; redirects++)
        {
            idle.CancelAfter(_options.HttpTimeout); // each hop gets the whole wait for its answer
            using var response = await SendAsync(uri, idle.Token, ct);
            var status = (int)response.StatusCode;
            if (status is 301 or 302 or 303 or 307 or 308)
            {
                uri = NextHop(uri, response.Headers.Location, status, redirects, _options.MaxRedirects);
                continue;
            }
            ThrowUnlessSuccess(uri, response);

            var shown = Reasons.Shorten(uri.ToString());
            if (response.Content.Headers.ContentLength is { } length && length > _options.MaxImageBytes)
                throw Reasons.TooLarge(length, _options.MaxImageBytes);
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(idle.Token);
                await RemoteFetch.CopyToFileAsync(body, temp, _options.MaxImageBytes, idle, _options.HttpTimeout, idle.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TransientFetchException($"{shown} stopped sending data for {RemoteFetch.Seconds(_options.HttpTimeout)}");
            }
            catch (Exception e) when (e is HttpRequestException or IOException && !ct.IsCancellationRequested)
            {
                throw new TransientFetchException($"The download of {shown} broke off: {e.Message}", inner: e);
            }
            if (_imagesOnly) CheckContentType(uri, response.Content.Headers.ContentType?.MediaType, temp);
            return true;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Uri uri, CancellationToken attempt, CancellationToken ct)
    {
        var shown = Reasons.Shorten(uri.ToString());
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        try
        {
            return await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TransientFetchException($"{shown} did not answer within {RemoteFetch.Seconds(_options.HttpTimeout)}");
        }
        catch (HttpRequestException e) when (Find<NetworkGuardException>(e) is { } refused)
        {
            throw new IngestionException(ErrorCodes.PermissionDenied, $"{shown} was not fetched: {refused.Message}.");
        }
        catch (HttpRequestException e) when (Find<SocketException>(e) is { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData })
        {
            throw new IngestionException(ErrorCodes.BrokenUrl, $"The host of {shown} ({uri.Host}) is not known to DNS.");
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            throw new IngestionException(ErrorCodes.BrokenUrl, $"{shown}: the secure (TLS) connection failed: {Innermost(e).Message}");
        }
        catch (HttpRequestException e)
        {
            throw new TransientFetchException($"{shown} could not be reached: {Innermost(e).Message}", inner: e);
        }
    }

    /// <summary>The target of a redirect, if it may be followed: http(s), no downgrade from https, within the count.</summary>
    internal static Uri NextHop(Uri from, Uri? location, int status, int followed, int maxRedirects)
    {
        var shown = Reasons.Shorten(from.ToString());
        if (followed >= maxRedirects)
            throw new IngestionException(ErrorCodes.BrokenUrl,
                $"{shown} is redirect number {followed + 1}; Iris follows at most {maxRedirects} redirects.");
        if (location is null)
            throw new IngestionException(ErrorCodes.BrokenUrl, $"{shown} answered {status} (redirect) without a Location.");
        var next = location.IsAbsoluteUri ? location : new Uri(from, location);
        var target = Reasons.Shorten(next.ToString());
        if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
            throw new IngestionException(ErrorCodes.PermissionDenied, $"{shown} redirects to {target}; Iris follows redirects only to http(s) URLs.");
        if (from.Scheme == Uri.UriSchemeHttps && next.Scheme == Uri.UriSchemeHttp)
            throw new IngestionException(ErrorCodes.PermissionDenied, $"{shown} redirects from https to plain http ({target}); Iris refuses the downgrade.");
        if (next.UserInfo.Length > 0)
            throw new IngestionException(ErrorCodes.PermissionDenied, $"{shown} redirects to a URL with a user name or password; Iris does not follow it.");
        return next;
    }

    private static void ThrowUnlessSuccess(Uri uri, HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300) return;
        var shown = Reasons.Shorten(uri.ToString());
        var answered = $"{shown} answered {status} {response.ReasonPhrase}".TrimEnd();
        switch (status)
        {
            case 404 or 410:
                throw new IngestionException(ErrorCodes.FileNotFound, $"{answered}: there is no file at that URL.");
            case 401 or 403 or 407:
                throw new IngestionException(ErrorCodes.PermissionDenied, $"{answered}: the server does not let Iris read it.");
            case 408 or 425 or 429 or >= 500:
                var wait = RetryAfter(response);
                if (wait > RemoteFetch.MaxRetryAfter)
                    throw new IngestionException(ErrorCodes.BrokenUrl,
                        $"{answered} and asked to retry after {RemoteFetch.Seconds(wait.Value)}, longer than Iris waits ({RemoteFetch.Seconds(RemoteFetch.MaxRetryAfter)}).");
                throw new TransientFetchException(answered, wait);
            default:
                throw new IngestionException(ErrorCodes.BrokenUrl, $"{answered}.");
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is not { } header) return null;
        if (header.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    /// <summary>
    /// A body served as clearly not an image (text/html, JSON, PDF, audio, video...) whose first bytes are not
    /// an image's either is <c>unknown_content_type</c>; otherwise the probe decides from the bytes, since many
    /// servers label images wrongly (application/octet-stream, text/plain).
    /// </summary>
    private static void CheckContentType(Uri uri, string? mediaType, string path)
    {
        if (mediaType is null || !IsClearlyNotAnImage(mediaType)) return;
        Span<byte> head = stackalloc byte[512];
        int read;
        using (var file = File.OpenRead(path)) read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..read];
        if (read == 0 || LooksLikeImage(head)) return;
        var looks = Sniff.Describe(head) is { } kind ? $" and its bytes look like {kind}" : "";
        throw new IngestionException(ErrorCodes.UnknownContentType,
            $"{Reasons.Shorten(uri.ToString())} was served as {mediaType}{looks}, not as an image; check that the URL points at the image file itself.");
    }

    private static bool IsClearlyNotAnImage(string mediaType)
    {
        var type = mediaType.ToLowerInvariant();
        return type.StartsWith("text/", StringComparison.Ordinal) || type.StartsWith("audio/", StringComparison.Ordinal)
            || type.StartsWith("video/", StringComparison.Ordinal)
            || type is "application/json" or "application/xml" or "application/xhtml+xml" or "application/javascript" or "application/pdf";
    }

    /// <summary>The magic numbers of the formats Iris reads.</summary>
    internal static bool LooksLikeImage(ReadOnlySpan<byte> head) =>
        head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])
        || head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G'])
        || head.StartsWith("GIF8"u8)
        || (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        || head.StartsWith("II*\0"u8) || head.StartsWith("MM\0*"u8)
        || head.StartsWith("BM"u8)
        || (head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8));

    private static T? Find<T>(Exception e) where T : Exception
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is T found) return found;
        }
        return null;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is { } inner) e = inner;
        return e;
    }
}
