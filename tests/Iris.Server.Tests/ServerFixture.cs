using Iris.Testing;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Iris.Server.Tests;

/// <summary>All server tests share one running <c>iris serve</c> process (see <see cref="ServerFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class IrisServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "Iris server";
}

/// <summary>A credential printed by <c>iris admin create-client</c>.</summary>
public sealed record OrgCredential(string OrgId, string ClientId, string ClientSecret)
{
    public string BearerToken => $"{ClientId}:{ClientSecret}";
}

/// <summary>
/// Starts the real CLI (<c>dotnet src/Iris.Cli/bin/&lt;Configuration&gt;/net10.0/iris.dll serve ...</c>) on a free
/// loopback port with a temporary data folder, a known bootstrap credential and two allowed roots: the shared
/// corpus and a temporary folder holding deliberately bad files.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private readonly StringBuilder _output = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<object>>> _memo = new();
    private readonly SemaphoreSlim _otherOrgLock = new(1, 1);
    private OrgCredential? _otherOrg;
    private Process? _process;
    private readonly IReadOnlyList<string> _extraArgs;
    private readonly IReadOnlyDictionary<string, string> _extraEnv;

    public ServerFixture()
        : this([], new Dictionary<string, string>())
    {
    }

    /// <param name="extraArgs">More <c>iris serve</c> flags (the remote-sources fixture adds --s3-endpoint and others).</param>
    /// <param name="extraEnv">More environment variables of the server process.</param>
    internal ServerFixture(IReadOnlyList<string> extraArgs, IReadOnlyDictionary<string, string> extraEnv)
    {
        _extraArgs = extraArgs;
        _extraEnv = extraEnv;
        RepoRoot = TestEnvironment.RepoRoot;
        Configuration = TestEnvironment.BuildConfiguration;
        IrisDll = Path.Combine(RepoRoot, "src", "Iris.Cli", "bin", Configuration, "net10.0", "iris.dll");
        CorpusRoot = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "corpus"));
        TempRoot = Path.Combine(Path.GetTempPath(), "iris-server-tests-" + Guid.NewGuid().ToString("N")[..12]);
        DataDir = Path.Combine(TempRoot, "data");
        FilesDir = Path.Combine(TempRoot, "files");
        ClientId = "tests-" + Guid.NewGuid().ToString("N")[..16];
        ClientSecret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
    }

    public string RepoRoot { get; }
    public string Configuration { get; }
    public string IrisDll { get; }
    /// <summary>Full path of <c>&lt;repo&gt;/../shared/corpus</c> (an allowed root).</summary>
    public string CorpusRoot { get; }
    public string TempRoot { get; }
    public string DataDir { get; }
    /// <summary>Per-fixture allowed root where tests write bad files.</summary>
    public string FilesDir { get; }
    public string ClientId { get; }
    public string ClientSecret { get; }
    public Uri BaseUri { get; private set; } = new("http://127.0.0.1:1");

    /// <summary>Authorized as the bootstrap credential (default organization).</summary>
    public IrisHttp Http { get; private set; } = null!;

    /// <summary>No Authorization header at all.</summary>
    public IrisHttp Anonymous { get; private set; } = null!;

    public string ServerOutput
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Bad files in <see cref="FilesDir"/>, made once.</summary>
    public string TextAsJpg => Path.Combine(FilesDir, "text.jpg");
    public string ZeroByteJpg => Path.Combine(FilesDir, "zero.jpg");
    public string SymlinkEscape => Path.Combine(FilesDir, "escape.jpg");

    public string Corpus(string relative) => Path.Combine(CorpusRoot, relative);
    public string CorpusUri(string relative) => FileUri(Corpus(relative));
    public static string FileUri(string absolutePath) => "file://" + absolutePath;

    public async Task InitializeAsync()
    {
        if (!File.Exists(IrisDll))
            throw new InvalidOperationException(
                $"The CLI is not built: {IrisDll} does not exist (build tests/Iris.Server.Tests, which builds src/Iris.Cli).");
        if (!Directory.Exists(CorpusRoot))
            throw new InvalidOperationException($"The corpus is missing: {CorpusRoot}");

        Directory.CreateDirectory(DataDir);
        Directory.CreateDirectory(FilesDir);
        await File.WriteAllTextAsync(TextAsJpg, "This is plain text, not a JPEG.\n");
        await File.WriteAllBytesAsync(ZeroByteJpg, []);
        File.CreateSymbolicLink(SymlinkEscape, "/etc/hostname");

        try
        {
            await StartServerAsync();
        }
        catch
        {
            StopServer();
            throw;
        }
    }

    private async Task StartServerAsync()
    {
        var port = TestEnvironment.FreePort();
        BaseUri = new Uri($"http://127.0.0.1:{port}");
        var psi = DotnetStartInfo(
            "serve", "--urls", BaseUri.ToString().TrimEnd('/'), "--data", DataDir,
            "--allow-root", CorpusRoot, "--allow-root", FilesDir);
        psi.Environment["IRIS_CLIENT_ID"] = ClientId;
        psi.Environment["IRIS_CLIENT_SECRET"] = ClientSecret;
        foreach (var arg in _extraArgs) psi.ArgumentList.Add(arg);
        foreach (var (name, value) in _extraEnv) psi.Environment[name] = value;

        _process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine("[stderr] " + e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        Http = new IrisHttp(BaseUri, $"Bearer {ClientId}:{ClientSecret}");
        Anonymous = new IrisHttp(BaseUri, null);

        using var probe = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        string? last = null;
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
                throw new InvalidOperationException(
                    $"iris serve exited with code {_process.ExitCode} before it was ready.\n{ServerOutput}");
            try
            {
                using var response = await probe.GetAsync("/healthz");
                var text = await response.Content.ReadAsStringAsync();
                last = $"{(int)response.StatusCode} {text}";
                if (response.StatusCode == HttpStatusCode.OK && JsonNode.Parse(text)?["status"]?.GetValue<string>() == "ok")
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                last = e.Message;
            }
            await Task.Delay(100);
        }
        throw new InvalidOperationException(
            $"iris serve did not answer GET /healthz with 200 {{\"status\":\"ok\"}} within 30 s (last: {last}).\n{ServerOutput}");
    }

    public Task DisposeAsync()
    {
        Http?.Dispose();
        Anonymous?.Dispose();
        StopServer();
        try
        {
            if (Directory.Exists(TempRoot)) Directory.Delete(TempRoot, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return Task.CompletedTask;
    }

    private void StopServer()
    {
        if (_process is null) return;
        TestEnvironment.KillAndDispose(_process);
        _process = null;
    }

    /// <summary>An authorized client for another credential.</summary>
    public IrisHttp ClientFor(OrgCredential credential) => new(BaseUri, "Bearer " + credential.BearerToken);

    /// <summary>The second organization ("other"), created once with <c>iris admin create-client</c>.</summary>
    public async Task<OrgCredential> OtherOrgAsync()
    {
        await _otherOrgLock.WaitAsync();
        try
        {
            return _otherOrg ??= await CreateClientAsync("other");
        }
        finally
        {
            _otherOrgLock.Release();
        }
    }

    /// <summary>Runs <c>iris admin create-client --data DIR --org NAME</c> against the running server's data folder.</summary>
    public async Task<OrgCredential> CreateClientAsync(string org)
    {
        var psi = DotnetStartInfo("admin", "create-client", "--data", DataDir, "--org", org);
        using var process = new Process { StartInfo = psi };
        process.Start();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"iris admin create-client --org {org} did not finish within 30 s.");
        }
        var output = await stdout;
        var errors = await stderr;
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"iris admin create-client --org {org} exited with {process.ExitCode}.\nstdout: {output}\nstderr: {errors}");
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(output.Trim());
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidOperationException(
                $"iris admin create-client did not print one JSON object on stdout ({e.Message}).\nstdout: {output}\nstderr: {errors}");
        }
        string Field(string name) =>
            json?[name] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0
                ? s
                : throw new InvalidOperationException($"create-client output lacks string \"{name}\": {output}");
        return new OrgCredential(Field("orgId"), Field("clientId"), Field("clientSecret"));
    }

    /// <summary>Runs a setup once per fixture (e.g. data shared by the tests of one class).</summary>
    public async Task<T> OnceAsync<T>(string key, Func<Task<T>> create) where T : class =>
        (T)await _memo.GetOrAdd(key, _ => new Lazy<Task<object>>(async () => await create())).Value;

    /// <summary>Production behaviour: no developer exception pages, no stray URLs or IRIS_* settings from the environment.</summary>
    private ProcessStartInfo DotnetStartInfo(params string[] args) => IrisTestServer.DotnetStartInfo(TempRoot, [IrisDll, .. args]);
}
