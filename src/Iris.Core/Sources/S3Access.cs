using System.Net;
using System.Net.Sockets;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Iris.Ingestion;
using Iris.Models;
using Polly;

namespace Iris.Sources;

/// <summary>
/// The S3 client that <see cref="S3Source"/> and <see cref="S3DataPathLister"/> share, configured from Iris
/// options (<c>--s3-endpoint</c>, <c>--s3-region</c>, <c>--s3-force-path-style</c>) over the standard AWS
/// settings (AWS_ENDPOINT_URL_S3, AWS_REGION, credentials from the environment, a profile or the instance),
/// and the translation of its failures into Coactive error codes.
/// </summary>
public sealed class S3Access : IDisposable
{
    /// <summary>Region for signing when an endpoint is given without one (S3-compatible stores ignore it).</summary>
    public const string DefaultSigningRegion = "us-east-1";

    private const string Scheme = "s3://";

    private readonly IrisOptions _options;
    private readonly AWSCredentials? _credentials;
    private readonly Lock _lock = new();
    private AmazonS3Client? _client;

    /// <param name="credentials">Fixed credentials (tests); null for the SDK's standard search (environment, profile, instance role).</param>
    public S3Access(IrisOptions options, AWSCredentials? credentials = null)
    {
        _options = options;
        _credentials = credentials;
        Retries = RemoteFetch.CreateRetryPipeline(options);
    }

    internal ResiliencePipeline Retries { get; }

    internal IrisOptions Options => _options;

    /// <summary>Where requests go, for reasons: the configured endpoint or "AWS S3".</summary>
    internal string EndpointName => _options.S3Endpoint ?? "AWS S3";

    /// <summary>The SDK configuration these options give. Retries are Iris's own (the SDK makes one attempt per call).</summary>
    public static AmazonS3Config CreateConfig(IrisOptions options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.S3ForcePathStyle,
            MaxErrorRetry = 0,
            Timeout = options.HttpTimeout,
        };
        if (options.S3Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = options.S3Region ?? Env("AWS_REGION") ?? Env("AWS_DEFAULT_REGION") ?? DefaultSigningRegion;
        }
        else if (options.S3Region is { } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        // Otherwise the SDK finds the endpoint and region itself (AWS_ENDPOINT_URL_S3, AWS_REGION, the profile).
        return config;
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    internal IAmazonS3 Client
    {
        get
        {
            lock (_lock)
            {
                if (_client is not null) return _client;
                var config = CreateConfig(_options);
                try
                {
                    _client = _credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(_credentials, config);
                }
                catch (AmazonClientException e)
                {
                    // Not cached: the settings may appear (a profile file written) while the server runs.
                    throw new IngestionException(ErrorCodes.BrokenUrl,
                        $"S3 is not configured on this server ({e.Message}); start it with --s3-region or --s3-endpoint, or set AWS_REGION.");
                }
                return _client;
            }
        }
    }

    public void Dispose()
    {
        lock (_lock) _client?.Dispose();
    }

    /// <summary>
    /// Splits <c>s3://bucket/key</c>. The key is taken literally, as the AWS CLI does: no percent-decoding,
    /// so every key (with <c>%</c>, <c>+</c>, spaces, <c>?</c> or <c>#</c>) has exactly one path.
    /// </summary>
    public static bool TryParse(string path, out string bucket, out string key)
    {
        bucket = key = "";
        if (!path.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)) return false;
        var rest = path.AsSpan(Scheme.Length);
        var slash = rest.IndexOf('/');
        bucket = (slash < 0 ? rest : rest[..slash]).ToString();
        key = slash < 0 ? "" : rest[(slash + 1)..].ToString();
        return bucket.Length > 0 && bucket.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');
    }

    /// <summary>The path of an object, the inverse of <see cref="TryParse"/>.</summary>
    public static string PathOf(string bucket, string key) => $"{Scheme}{bucket}/{key}";

    /// <summary>
    /// What an S3 call's failure means: an <see cref="IngestionException"/> with its code, or a
    /// <see cref="TransientFetchException"/> worth a retry. <paramref name="ct"/> tells the caller's own
    /// cancellation from a timeout.
    /// </summary>
    internal Exception Translate(Exception e, string shown, string bucket, CancellationToken ct)
    {
        switch (e)
        {
            case IngestionException or TransientFetchException:
                return e;
            case OperationCanceledException when !ct.IsCancellationRequested:
                return new TransientFetchException($"{EndpointName} did not answer within {RemoteFetch.Seconds(_options.HttpTimeout)} for {shown}");
            case AmazonS3Exception s3 when s3.ErrorCode == "NoSuchBucket":
                return new IngestionException(ErrorCodes.FileNotFound, $"The bucket '{bucket}' does not exist at {EndpointName} ({shown}).");
            case AmazonS3Exception s3 when s3.ErrorCode == "NoSuchKey" || s3.StatusCode == HttpStatusCode.NotFound:
                return new IngestionException(ErrorCodes.FileNotFound, $"{shown} does not exist.");
            case AmazonS3Exception s3 when s3.StatusCode == HttpStatusCode.Forbidden || s3.ErrorCode is "AccessDenied" or "AllAccessDisabled":
                return new IngestionException(ErrorCodes.PermissionDenied,
                    $"{EndpointName} refused to let this server read {shown} ({s3.ErrorCode ?? "403"}); check the credentials it runs with and the bucket's policy.");
            case AmazonS3Exception s3 when s3.StatusCode == HttpStatusCode.MovedPermanently || s3.ErrorCode is "PermanentRedirect" or "AuthorizationHeaderMalformed":
                return new IngestionException(ErrorCodes.BrokenUrl,
                    $"The bucket '{bucket}' is in another region or behind another endpoint than this server uses ({s3.ErrorCode}); set --s3-region or --s3-endpoint.");
            case AmazonServiceException service when (int)service.StatusCode >= 500 || service.StatusCode == HttpStatusCode.TooManyRequests
                                                     || service.ErrorCode is "SlowDown" or "RequestTimeout" or "Throttling" or "InternalError":
                return new TransientFetchException($"{EndpointName} answered {(int)service.StatusCode} {service.ErrorCode} for {shown}", inner: e);
            case AmazonServiceException service when service.StatusCode == 0 || Find<HttpRequestException>(e) is not null || Find<IOException>(e) is not null:
                return Unreachable(e, shown);
            case AmazonServiceException service:
                return new IngestionException(ErrorCodes.BrokenUrl,
                    $"{EndpointName} answered {(int)service.StatusCode} {service.ErrorCode} for {shown}: {service.Message}");
            case HttpRequestException or IOException or SocketException:
                return Unreachable(e, shown);
            case AmazonClientException client when client.Message.Contains("credentials", StringComparison.OrdinalIgnoreCase):
                return new IngestionException(ErrorCodes.PermissionDenied,
                    $"This server has no AWS credentials to read {shown}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE.");
            case AmazonClientException client when Find<HttpRequestException>(e) is not null || Find<IOException>(e) is not null:
                return Unreachable(client, shown);
            case AmazonClientException client:
                return new IngestionException(ErrorCodes.BrokenUrl, $"S3 request for {shown} failed: {client.Message}");
            default:
                return e;
        }
    }

    private TransientFetchException Unreachable(Exception e, string shown)
    {
        var inner = e;
        while (inner.InnerException is { } next) inner = next;
        return new TransientFetchException($"{EndpointName} could not be reached for {shown}: {inner.Message}", inner: e);
    }

    private static T? Find<T>(Exception e) where T : Exception
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is T found) return found;
        }
        return null;
    }
}
