using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Iris.Testing;

/// <summary>
/// A throwaway PostgreSQL server on 127.0.0.1 for tests: Debian's binaries (installed by scripts/test.sh when
/// missing), a fresh cluster in a temporary folder (initdb, about a second), run as the <c>postgres</c> user when the
/// tests run as root. fsync is off (a test cluster never outlives the machine's uptime); synchronous commit stays on,
/// so a server killed mid-test (immediate stop) keeps every transaction it acknowledged, as a real one does.
/// Missing binaries fail the tests that need them with one message, never skip them.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string User = "postgres";

    private readonly string _bin;
    private readonly bool _asPostgresUser;

    private readonly string _settings;

    private PostgresServer(string bin, string dir, int port, string password, bool asPostgresUser, string settings)
    {
        _bin = bin;
        Dir = dir;
        Port = port;
        Password = password;
        _asPostgresUser = asPostgresUser;
        _settings = settings;
    }

    public string Dir { get; }
    public int Port { get; }
    public string Password { get; }
    public string DataDir => Path.Combine(Dir, "data");
    public string LogFile => Path.Combine(Dir, "server.log");

    /// <summary>The newest installed PostgreSQL's bin folder, or null.</summary>
    public static string? FindBin() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
                .OrderBy(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .LastOrDefault()
            : null;

    /// <param name="durable">Keep fsync on (benchmarks of writes): every commit reaches the disk, as in production.</param>
    /// <param name="settings">More <c>-c name=value</c> server settings.</param>
    public static async Task<PostgresServer> StartAsync(bool durable = false, string settings = "")
    {
        var bin = FindBin() ?? throw new InvalidOperationException(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): scripts/test.sh installs it (apt-get install postgresql).");
        var asPostgres = Environment.UserName == "root";
        var dir = Directory.CreateTempSubdirectory("iris-pg-").FullName; // under /tmp: reachable by the postgres user
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var server = new PostgresServer(bin, dir, TestEnvironment.FreePort(), password, asPostgres,
            (durable ? "" : "-c fsync=off -c full_page_writes=off ") + settings);
        try
        {
            var pwfile = Path.Combine(dir, "pw");
            await File.WriteAllTextAsync(pwfile, password + "\n");
            if (asPostgres) await RunAsync("chown", ["-R", "postgres:postgres", dir]);
            await server.ToolAsync("initdb", ["-D", server.DataDir, "-U", User, "--pwfile=" + pwfile, "--auth-local=trust",
                "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
            await server.StartAgainAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connection string for <paramref name="database"/> as the superuser.</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username={User};Password={Password};Database={database};Pooling=true";

    /// <summary>Starts the server (again): after <see cref="StopAsync"/> it recovers from its WAL as after a crash.</summary>
    public Task StartAgainAsync() => ToolAsync("pg_ctl", ["-D", DataDir, "-l", LogFile, "-w", "-t", "60", "-o",
        $"-c listen_addresses=127.0.0.1 -p {Port} -k {Dir} -c max_connections=300 {_settings}",
        "start"]);

    /// <summary>Stops the server; <c>immediate</c> is a crash to the clients (no checkpoint, connections cut).</summary>
    public Task StopAsync(string mode = "fast") => ToolAsync("pg_ctl", ["-D", DataDir, "-m", mode, "-w", "-t", "60", "stop"]);

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await PsqlAsync($"CREATE DATABASE \"{name}\"");
        return ConnectionString(name);
    }

    /// <summary>Runs SQL through psql on the server's socket folder.</summary>
    public Task<string> PsqlAsync(string sql, string database = "postgres") =>
        ToolAsync("psql", ["-h", Dir, "-p", Port.ToString(), "-U", User, "-d", database, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql]);

    private Task<string> ToolAsync(string tool, IReadOnlyList<string> args)
    {
        var path = Path.Combine(_bin, tool);
        if (!File.Exists(path)) path = tool; // psql lives on PATH too
        return _asPostgresUser ? RunAsync("runuser", ["-u", User, "--", path, .. args]) : RunAsync(path, args);
    }

    private static async Task<string> RunAsync(string file, IReadOnlyList<string> args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/tmp",
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Start(psi);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within 2 minutes and was killed.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
        return await stdout;
    }

    private static Process Start(ProcessStartInfo psi)
    {
        try
        {
            return Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            // runuser, chown or a PostgreSQL tool missing from PATH: a sentence for the test or benchmark log, not a crash.
            throw new InvalidOperationException($"{psi.FileName} could not be started ({e.Message}); scripts/test.sh installs what the PostgreSQL tests need.", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(DataDir, "postmaster.pid"))) await StopAsync("immediate");
        }
        catch (InvalidOperationException)
        {
            // already stopped
        }
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
