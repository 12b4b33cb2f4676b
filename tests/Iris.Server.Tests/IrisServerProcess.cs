using Iris.Testing;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;

namespace Iris.Server.Tests;

/// <summary>
/// One <c>iris serve</c> process that a test starts, kills with SIGKILL or stops with SIGTERM itself
/// (the shared <see cref="ServerFixture"/> server must never be killed). The process is the dotnet host
/// running iris.dll, not a shell: killing it kills the server.
/// </summary>
public sealed class IrisServerProcess : IDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Process _process;

    private IrisServerProcess(Process process, Uri baseUri)
    {
        _process = process;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Starts <c>iris serve</c> on a free loopback port and waits for <c>GET /healthz</c> (30 s at most).</summary>
    public static Task<IrisServerProcess> StartAsync(
        string dataDir, IEnumerable<string> allowRoots, string clientId, string clientSecret, string workingDirectory) =>
        StartNodeAsync("serve", dataDir, [.. allowRoots.SelectMany(root => new[] { "--allow-root", root })],
            new Dictionary<string, string> { ["IRIS_CLIENT_ID"] = clientId, ["IRIS_CLIENT_SECRET"] = clientSecret }, workingDirectory);

    /// <summary>Starts <c>iris COMMAND --urls ... --data DIR ARGS</c> (serve or worker) and waits for <c>GET /healthz</c>.</summary>
    public static async Task<IrisServerProcess> StartNodeAsync(
        string command, string dataDir, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var baseUri = new Uri($"http://127.0.0.1:{TestEnvironment.FreePort()}");
        var psi = DotnetStartInfo(workingDirectory, [command, "--urls", baseUri.ToString().TrimEnd('/'), "--data", dataDir, .. args]);
        foreach (var (key, value) in environment) psi.Environment[key] = value;

        var server = new IrisServerProcess(new Process { StartInfo = psi, EnableRaisingEvents = true }, baseUri);
        server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Append(e.Data is null ? null : "[stderr] " + e.Data);
        server._process.Start();
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilHealthyAsync();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL (what <see cref="Process.Kill()"/> sends on Linux) to the server itself, then waits for it to be gone.</summary>
    public void KillHard()
    {
        var cmdline = File.ReadAllText($"/proc/{Pid}/cmdline").Replace('\0', ' ');
        if (!cmdline.Contains("iris.dll", StringComparison.Ordinal))
            throw new InvalidOperationException($"Process {Pid} is not the Iris server: {cmdline}");
        _process.Kill(entireProcessTree: false);
        if (!_process.WaitForExit(10_000)) throw new InvalidOperationException($"Process {Pid} survived SIGKILL for 10 s.");
    }

    /// <summary>SIGTERM (a normal stop); returns the exit code, or throws if the server is not gone within <paramref name="timeout"/>.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])
               { UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync();
        }
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException($"iris serve did not stop within {timeout.TotalSeconds} s of SIGTERM.\n{Output}");
        }
        return _process.ExitCode;
    }

    public void Dispose() => TestEnvironment.KillAndDispose(_process);

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var probe = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        string? last = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"iris serve exited with code {_process.ExitCode} before it was ready.\n{Output}");
            try
            {
                using var response = await probe.GetAsync("/healthz");
                var text = await response.Content.ReadAsStringAsync();
                last = $"{(int)response.StatusCode} {text}";
                if (response.StatusCode == HttpStatusCode.OK && JsonNode.Parse(text)?["status"]?.GetValue<string>() == "ok") return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                last = e.Message;
            }
            await Task.Delay(50);
        }
        throw new InvalidOperationException($"iris serve did not become healthy within 30 s (last: {last}).\n{Output}");
    }

    private static ProcessStartInfo DotnetStartInfo(string workingDirectory, string[] args) =>
        IrisTestServer.DotnetStartInfo(workingDirectory, [IrisDll, .. args]);

    public static string RepoRoot => TestEnvironment.RepoRoot;

    /// <summary><c>src/Iris.Cli/bin/&lt;Configuration of this test assembly&gt;/net10.0/iris.dll</c>.</summary>
    public static string IrisDll { get; } = File.Exists(TestEnvironment.IrisDll)
        ? TestEnvironment.IrisDll
        : throw new InvalidOperationException($"The CLI is not built: {TestEnvironment.IrisDll} does not exist.");
}
