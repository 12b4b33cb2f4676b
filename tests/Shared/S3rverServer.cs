using Iris.Testing;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Iris.Tests.Servers;

/// <summary>
/// A real S3-protocol server on loopback: <c>s3rver</c> from npm (pinned in tests/servers, installed by
/// <c>scripts/test.sh</c> with <c>npm ci</c>), started on a free port with a temporary folder and stopped on dispose.
/// Missing s3rver fails the tests that need it (never skips them). s3rver checks the access key id
/// (<see cref="AccessKey"/>; another one is 403 InvalidAccessKeyId) but not the signature, and cannot store
/// a key with an empty path segment ("a//b").
/// </summary>
public sealed class S3rverServer : IAsyncDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    public const string Region = "us-east-1";

    private readonly Process _process;
    private readonly string _dir;
    private readonly StringBuilder _output = new();

    private S3rverServer(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
        Endpoint = $"http://127.0.0.1:{port}";
        Client = new AmazonS3Client(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
        {
            ServiceURL = Endpoint,
            AuthenticationRegion = Region,
            ForcePathStyle = true,
            MaxErrorRetry = 0,
        });
    }

    public int Port { get; }

    /// <summary>http://127.0.0.1:PORT</summary>
    public string Endpoint { get; }

    /// <summary>A client for setting up test data (path-style, fixed credentials).</summary>
    public IAmazonS3 Client { get; }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static async Task<S3rverServer> StartAsync()
    {
        var root = TestEnvironment.RepoRoot;
        var bin = Path.Combine(root, "tests", "servers", "node_modules", ".bin", "s3rver");
        if (!File.Exists(bin))
            throw new InvalidOperationException(
                $"s3rver is not installed ({bin} is missing): scripts/test.sh installs it (scripts/install-test-servers.sh runs `npm ci` in tests/servers).");

        var dir = Directory.CreateTempSubdirectory("iris-s3rver-").FullName;
        var port = TestEnvironment.FreePort();
        var psi = new ProcessStartInfo(bin)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-d", dir, "-a", "127.0.0.1", "-p", port.ToString(), "-s" }) psi.ArgumentList.Add(arg);
        // s3rver makes ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 17 and later) keeps in
        // its legacy provider: without it every paged listing answers 500.
        psi.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
        var process = new Process { StartInfo = psi };
        var server = new S3rverServer(process, dir, port);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (server._output) server._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (server._output) server._output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (process.HasExited)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"s3rver exited with code {process.ExitCode} before it was ready:\n{server.Output}");
            }
            try
            {
                using var response = await probe.GetAsync(server.Endpoint + "/");
                return server;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(50);
            }
        }
        await server.DisposeAsync();
        throw new InvalidOperationException($"s3rver did not answer on {server.Endpoint} within 20 s:\n{server.Output}");
    }

    public async Task CreateBucketAsync(string bucket) =>
        await Client.PutBucketAsync(new PutBucketRequest { BucketName = bucket });

    /// <summary>
    /// Stores an object and reads it back to check it: without <c>UseChunkEncoding = false</c> s3rver keeps
    /// the aws-chunked framing as the object's bytes while answering 200.
    /// </summary>
    public async Task PutAsync(string bucket, string key, byte[] bytes, string contentType = "application/octet-stream")
    {
        await Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            InputStream = new MemoryStream(bytes),
            ContentType = contentType,
            UseChunkEncoding = false,
        });
        using var check = await Client.GetObjectAsync(bucket, key);
        using var copy = new MemoryStream();
        await check.ResponseStream.CopyToAsync(copy);
        if (!copy.ToArray().AsSpan().SequenceEqual(bytes))
            throw new InvalidOperationException($"s3rver stored s3://{bucket}/{key} wrongly ({copy.Length} bytes for {bytes.Length}).");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        TestEnvironment.KillAndDispose(_process);
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
