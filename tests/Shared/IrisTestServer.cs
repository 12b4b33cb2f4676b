using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;

namespace Iris.Testing;

/// <summary>A credential printed by <c>iris admin create-client</c> or stored in <c>credentials.json</c>.</summary>
public sealed record TestCredential(string OrgId, string ClientId, string ClientSecret)
{
    public string AccessToken => $"{ClientId}:{ClientSecret}";
}

/// <summary>What a finished process printed.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>
/// One real <c>iris serve</c> process (<c>dotnet src/Iris.Cli/bin/&lt;Configuration&gt;/net10.0/iris.dll</c>) on a free
/// loopback port, with its own temporary data folder. Shared by the test projects as a linked source file.
/// </summary>
public sealed class IrisTestServer : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    private IrisTestServer(string tempRoot)
    {
        TempRoot = tempRoot;
        DataDir = Path.Combine(tempRoot, "data");
        Directory.CreateDirectory(DataDir);
    }

    public static string RepoRoot => TestEnvironment.RepoRoot;

    /// <summary>Debug or Release: the configuration the test assembly was built with (the CLI is built alongside).</summary>
    public static string BuildConfiguration => TestEnvironment.BuildConfiguration;

    public static string CliDirectory => Path.Combine(RepoRoot, "src", "Iris.Cli", "bin", BuildConfiguration, "net10.0");

    public static string IrisDll => Path.Combine(CliDirectory, "iris.dll");

    /// <summary><c>&lt;repo&gt;/../shared/corpus</c>, read in place.</summary>
    public static string CorpusRoot => TestEnvironment.CorpusRoot;

    public string TempRoot { get; }
    public string DataDir { get; }
    public Uri BaseUri { get; private set; } = new("http://127.0.0.1:1");
    public string Host => BaseUri.ToString().TrimEnd('/');

    /// <summary>The credential the tests use: from IRIS_CLIENT_ID/SECRET, or the one the first start stored.</summary>
    public TestCredential Credential { get; private set; } = new("", "", "");

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>
    /// Starts a server. With <paramref name="bootstrapCredential"/> the server gets IRIS_CLIENT_ID/SECRET; without, it
    /// creates a credential on its first start and stores it in <c>&lt;data&gt;/credentials.json</c>, which is read back.
    /// </summary>
    public static async Task<IrisTestServer> StartAsync(
        bool bootstrapCredential = true, IEnumerable<string>? allowRoots = null, IEnumerable<string>? extraArgs = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(IrisDll))
            throw new InvalidOperationException($"The CLI is not built: {IrisDll} does not exist.");
        if (!Directory.Exists(CorpusRoot))
            throw new InvalidOperationException($"The corpus is missing: {CorpusRoot}");

        var server = new IrisTestServer(Path.Combine(Path.GetTempPath(), "iris-tests-" + Guid.NewGuid().ToString("N")[..12]));
        try
        {
            await server.RunAsync(bootstrapCredential, allowRoots ?? [CorpusRoot], extraArgs ?? [], environment);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task RunAsync(bool bootstrapCredential, IEnumerable<string> allowRoots, IEnumerable<string> extraArgs, IReadOnlyDictionary<string, string>? environment)
    {
        BaseUri = new Uri($"http://127.0.0.1:{TestEnvironment.FreePort()}");
        var args = new List<string> { IrisDll, "serve", "--urls", Host, "--data", DataDir, "--workers", "2" };
        foreach (var root in allowRoots) args.AddRange(["--allow-root", root]);
        args.AddRange(extraArgs);
        var psi = DotnetStartInfo(TempRoot, args, environment?.ToDictionary());
        if (bootstrapCredential)
        {
            Credential = new TestCredential("", "tests-" + Guid.NewGuid().ToString("N")[..16], Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()));
            psi.Environment["IRIS_CLIENT_ID"] = Credential.ClientId;
            psi.Environment["IRIS_CLIENT_SECRET"] = Credential.ClientSecret;
        }

        _process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine("[stderr] " + e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilHealthyAsync();

        if (!bootstrapCredential)
        {
            var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(DataDir, "credentials.json")))!;
            Credential = new TestCredential(json["orgId"]!.ToString(), json["clientId"]!.GetValue<string>(), json["clientSecret"]!.GetValue<string>());
        }
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var probe = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        string? last = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process!.HasExited)
                throw new InvalidOperationException($"iris serve exited with code {_process.ExitCode} before it was ready.\n{Output}");
            try
            {
                using var response = await probe.GetAsync("/healthz");
                last = $"{(int)response.StatusCode}";
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"iris serve did not become healthy within 60 s (last: {last}).\n{Output}");
    }

    /// <summary>Runs <c>iris admin create-client</c> on this server's data folder.</summary>
    public async Task<TestCredential> CreateClientAsync(string organization)
    {
        var result = await RunIrisAsync(["admin", "create-client", "--data", DataDir, "--org", organization], TempRoot);
        if (result.ExitCode != 0) throw new InvalidOperationException($"create-client failed: {result}");
        var json = JsonNode.Parse(result.Stdout)!;
        return new TestCredential(json["orgId"]!.ToString(), json["clientId"]!.GetValue<string>(), json["clientSecret"]!.GetValue<string>());
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            TestEnvironment.KillAndDispose(_process);
            _process = null;
        }
        try
        {
            if (Directory.Exists(TempRoot)) Directory.Delete(TempRoot, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Runs the built <c>iris</c> (through <c>dotnet iris.dll</c>) with the given arguments and environment.</summary>
    public static Task<ProcessResult> RunIrisAsync(
        IEnumerable<string> args, string workingDirectory, IDictionary<string, string>? environment = null, TimeSpan? timeout = null) =>
        RunAsync(DotnetStartInfo(workingDirectory, [IrisDll, .. args], environment), timeout ?? TimeSpan.FromMinutes(3));

    /// <summary>The built <c>iris</c> executable (the apphost next to iris.dll), run as a user would.</summary>
    public static Task<ProcessResult> RunIrisExecutableAsync(
        IEnumerable<string> args, string workingDirectory, IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var apphost = Path.Combine(CliDirectory, OperatingSystem.IsWindows() ? "iris.exe" : "iris");
        if (!File.Exists(apphost)) return RunIrisAsync(args, workingDirectory, environment, timeout);
        var psi = DotnetStartInfo(workingDirectory, args, environment);
        psi.FileName = apphost;
        return RunAsync(psi, timeout ?? TimeSpan.FromMinutes(3));
    }

    /// <summary>Runs <c>dotnet DLL args...</c>.</summary>
    public static Task<ProcessResult> RunDotnetAsync(
        string dll, IEnumerable<string> args, string workingDirectory, IDictionary<string, string>? environment = null, TimeSpan? timeout = null) =>
        RunAsync(DotnetStartInfo(workingDirectory, [dll, .. args], environment), timeout ?? TimeSpan.FromMinutes(2));

    public static async Task<ProcessResult> RunAsync(ProcessStartInfo psi, TimeSpan timeout)
    {
        psi.RedirectStandardInput = true;
        using var process = new Process { StartInfo = psi };
        process.Start();
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} did not finish within {timeout}.\n"
                                       + $"stdout: {await stdout}\nstderr: {await stderr}");
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary><c>dotnet</c> with a clean environment: production mode, no IRIS_* or URL variables from the caller.</summary>
    public static ProcessStartInfo DotnetStartInfo(string workingDirectory, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(dotnet) || !File.Exists(dotnet)) dotnet = "dotnet";
        var psi = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var key in psi.Environment.Keys
                     .Where(k => k.StartsWith("IRIS_", StringComparison.Ordinal) || k is "ASPNETCORE_URLS" or "DOTNET_URLS" or "ASPNETCORE_HTTP_PORTS")
                     .ToList())
            psi.Environment.Remove(key);
        if (environment is not null)
            foreach (var (key, value) in environment) psi.Environment[key] = value;
        return psi;
    }
}
