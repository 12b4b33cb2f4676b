using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Iris.Bench.Catalog;

namespace Iris.Bench.Load;

/// <summary>
/// The built <c>iris serve</c> on a loopback port and a fresh data folder, with a credential of its own
/// (IRIS_CLIENT_ID/IRIS_CLIENT_SECRET) and MALLOC_ARENA_MAX=2 as in production.
/// </summary>
public sealed class IrisProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private IrisProcess(Process process, StreamWriter log, Uri baseUri, string authorization)
    {
        _process = process;
        _log = log;
        BaseUri = baseUri;
        Authorization = authorization;
    }

    public Uri BaseUri { get; }

    /// <summary>The value of the Authorization header: <c>Bearer id:secret</c>.</summary>
    public string Authorization { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Whether this build of <c>iris serve</c> has the per-credential rate limit (<c>--rate-limit</c>).</summary>
    public static async Task<bool> HasRateLimitFlagAsync(string irisDll)
    {
        var (code, help) = await Children.RunAsync("dotnet", [irisDll, "serve", "--help"], TimeSpan.FromSeconds(60));
        if (code != 0) throw new InvalidOperationException($"dotnet {irisDll} serve --help exited with {code}:\n{help}");
        return help.Contains("--rate-limit ", StringComparison.Ordinal);
    }

    public static async Task<IrisProcess> StartAsync(string irisDll, string dataDir, string allowRoot, IEnumerable<string> extraArguments, string logPath)
    {
        var baseUri = new Uri($"http://127.0.0.1:{FreePort()}");
        var clientId = "load";
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var psi = new ProcessStartInfo("dotnet");
        foreach (var a in new[] { irisDll, "serve", "--urls", baseUri.ToString().TrimEnd('/'), "--data", dataDir, "--allow-root", allowRoot }.Concat(extraArguments))
            psi.ArgumentList.Add(a);
        // Only what this program sets: an IRIS_* variable of the caller's shell would change the server under test.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("IRIS_", StringComparison.Ordinal)).ToList()) psi.Environment.Remove(key);
        psi.Environment["MALLOC_ARENA_MAX"] = "2";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["IRIS_CLIENT_ID"] = clientId;
        psi.Environment["IRIS_CLIENT_SECRET"] = secret;

        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var server = new IrisProcess(Children.Start(psi, log), log, baseUri, $"Bearer {clientId}:{secret}");
        try
        {
            await server.WaitHealthyAsync(logPath);
        }
        catch
        {
            server.Dispose();
            throw;
        }
        return server;
    }

    /// <summary>User plus system CPU time the server has used so far (seconds), from /proc/PID/stat.</summary>
    public double CpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // the name in parentheses may hold spaces
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>A kB figure of /proc/PID/status: VmRSS (now) or VmHWM (the kernel's peak of it).</summary>
    public long MemoryKb(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return 0;
    }

    private async Task WaitHealthyAsync(string logPath)
    {
        using var http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited) throw new InvalidOperationException($"Iris exited with code {_process.ExitCode} at start; see {logPath}");
            try
            {
                using var response = await http.GetAsync("/healthz");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"Iris did not answer /healthz within 60 s; see {logPath}");
    }

    public void Dispose()
    {
        Children.Stop(_process, TimeSpan.FromSeconds(20));
        _process.Dispose();
        lock (_log) _log.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
