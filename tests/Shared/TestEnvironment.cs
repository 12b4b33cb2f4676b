using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Iris.Testing;

/// <summary>Where the tests run: the repository, the build configuration, the corpus, a free loopback port.</summary>
public static class TestEnvironment
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Debug or Release: the configuration this test assembly was built with (the CLI is built alongside).</summary>
    public static string BuildConfiguration { get; } = DetectConfiguration();

    public static string IrisDll => Path.Combine(RepoRoot, "src", "Iris.Cli", "bin", BuildConfiguration, "net10.0", "iris.dll");

    /// <summary><c>&lt;repo&gt;/../shared/corpus</c>, read in place.</summary>
    public static string CorpusRoot { get; } = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "corpus"));

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Kills a server the tests started, with its children, waits up to 10 s for it, and disposes it.</summary>
    public static void KillAndDispose(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // never started, or already gone
        }
        process.Dispose();
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Iris.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No Iris.sln above {AppContext.BaseDirectory}");
    }

    private static string DetectConfiguration()
    {
        // .../tests/<Project>/bin/<Configuration>/net10.0/
        var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return tfmDir.Parent is { Parent.Name: "bin" } cfg
            ? cfg.Name
            : typeof(TestEnvironment).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
    }
}
