using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Iris.Bench.Catalog;

public sealed record ResidentMemory(long Rss, long Peak, long Anonymous, long FileBacked);

/// <summary>A server this program started on a loopback port: the Release <c>iris serve</c> or nginx.</summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private ServerProcess(Process process, StreamWriter log, Uri baseUri)
    {
        _process = process;
        _log = log;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }
    public int Pid => _process.Id;

    /// <summary>
    /// <c>dotnet iris.dll serve --data DIR --urls http://127.0.0.1:PORT</c> with MALLOC_ARENA_MAX=2, as
    /// the README runs it; ready when <c>/healthz</c> answers 200.
    /// </summary>
    public static async Task<ServerProcess> StartIrisAsync(string irisDll, string dataDir, string logPath,
        IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? extraArgs = null)
    {
        var port = FreePort();
        var psi = new ProcessStartInfo("dotnet");
        // --rate-limit 0: wrk drives one credential far past the per-credential default on purpose.
        foreach (var a in new[] { irisDll, "serve", "--data", dataDir, "--urls", $"http://127.0.0.1:{port}", "--rate-limit", "0" }.Concat(extraArgs ?? []))
            psi.ArgumentList.Add(a);
        psi.Environment["MALLOC_ARENA_MAX"] = "2";
        psi.Environment.Remove("IRIS_CLIENT_ID");
        psi.Environment.Remove("IRIS_CLIENT_SECRET");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        var server = Start(psi, logPath, new Uri($"http://127.0.0.1:{port}"));
        await server.WaitReadyAsync("/healthz");
        return server;
    }

    /// <summary>nginx in the foreground (<c>daemon off</c>) with its own config serving <paramref name="wwwDir"/>.</summary>
    public static async Task<ServerProcess> StartNginxAsync(string nginx, string wwwDir, string workDir, string readyPath)
    {
        var port = FreePort();
        Directory.CreateDirectory(workDir);
        var config = Path.Combine(workDir, "nginx.conf");
        // Two workers (one per core, as "auto"), no access log, keep-alive connections never closed
        // by the server (as Kestrel): the HTTP limit of this machine for a small static file.
        File.WriteAllText(config, $$"""
            worker_processes auto;
            daemon off;
            pid {{workDir}}/nginx.pid;
            error_log {{workDir}}/error.log warn;
            events { worker_connections 4096; }
            http {
                access_log off;
                sendfile on;
                tcp_nopush on;
                keepalive_requests 100000000;
                keepalive_timeout 75s;
                client_body_temp_path {{workDir}}/body;
                server {
                    listen 127.0.0.1:{{port}};
                    location / {
                        root {{wwwDir}};
                        default_type application/json;
                    }
                }
            }
            """);
        var psi = new ProcessStartInfo(nginx);
        foreach (var a in new[] { "-c", config, "-p", workDir, "-e", Path.Combine(workDir, "error.log") }) psi.ArgumentList.Add(a);
        var server = Start(psi, Path.Combine(workDir, "nginx.out"), new Uri($"http://127.0.0.1:{port}"));
        await server.WaitReadyAsync(readyPath);
        return server;
    }

    private static ServerProcess Start(ProcessStartInfo psi, string logPath, Uri baseUri)
    {
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        return new ServerProcess(Children.Start(psi, log), log, baseUri);
    }

    private async Task WaitReadyAsync(string path)
    {
        using var http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        string last = "no answer";
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{_process.StartInfo.FileName} exited with code {_process.ExitCode} before it was ready; see its log.");
            try
            {
                using var response = await http.GetAsync(path);
                if (response.StatusCode == HttpStatusCode.OK) return;
                last = $"{(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{_process.StartInfo.FileName} did not answer {path} within 60 s (last: {last}).");
    }

    /// <summary>Resident memory of the process from /proc (bytes): VmRSS, its peak VmHWM, and VmRSS split into
    /// anonymous memory (heaps, stacks) and file pages mapped (the binaries, and the catalog when memory-mapped).</summary>
    public ResidentMemory Memory()
    {
        var values = new Dictionary<string, long>();
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line.EndsWith(" kB", StringComparison.Ordinal)) values[line[..colon]] = Kilobytes(line) * 1024;
        }
        return new ResidentMemory(values.GetValueOrDefault("VmRSS"), values.GetValueOrDefault("VmHWM"),
            values.GetValueOrDefault("RssAnon"), values.GetValueOrDefault("RssFile") + values.GetValueOrDefault("RssShmem"));
    }

    /// <summary>CPU time (user + system) used so far by the server and its child processes (nginx's workers), in seconds.</summary>
    public double CpuSeconds()
    {
        var ticks = CpuTicks(_process.Id);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == _process.Id) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == _process.Id) ticks += CpuTicks(pid);
            }
            catch (IOException)
            {
                // the process ended meanwhile
            }
        }
        return ticks / 100.0; // USER_HZ is 100 on Linux
    }

    private static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after "pid (comm) ": state ppid ... utime is the 14th field overall, stime the 15th.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private bool _disposed;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Children.Stop(_process, TimeSpan.FromSeconds(15));
        _process.Dispose();
        _log.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
