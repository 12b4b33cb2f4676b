using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Iris.Bench.Catalog;

/// <summary>Every process this program starts, so that none outlives it (Ctrl+C, SIGTERM, an exception).</summary>
public static partial class Children
{
    private static readonly List<Process> Running = [];

    static Children()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        Console.CancelKeyPress += (_, _) => KillAll();
    }

    /// <summary>Starts a process whose output goes, line by line, to <paramref name="log"/> (null: discarded).</summary>
    public static Process Start(ProcessStartInfo psi, TextWriter? log)
    {
        psi.UseShellExecute = false;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        lock (Running)
        {
            try
            {
                process.Start();
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                process.Dispose();
                throw new InvalidOperationException($"{psi.FileName} could not be started ({e.Message}); bench/catalog.sh installs what the benchmark needs.", e);
            }
            Running.Add(process);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Asks the process to stop (SIGTERM), then kills it with its children after <paramref name="grace"/>.</summary>
    public static void Stop(Process process, TimeSpan grace)
    {
        try
        {
            if (!process.HasExited)
            {
                _ = Kill(process.Id, 15);
                if (!process.WaitForExit(grace)) process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        lock (Running) Running.Remove(process);
    }

    /// <summary>Runs a command to its end (at most <paramref name="timeout"/>) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file);
        foreach (var argument in arguments) psi.ArgumentList.Add(argument);
        var output = new StringWriter();
        var process = Start(psi, output);
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            process.WaitForExit(); // drains the redirected output
        }
        catch (OperationCanceledException)
        {
            Stop(process, TimeSpan.Zero);
            throw new TimeoutException($"{file} {string.Join(' ', psi.ArgumentList)} did not finish within {timeout.TotalSeconds:0} s.");
        }
        lock (Running) Running.Remove(process);
        var code = process.ExitCode;
        process.Dispose();
        lock (output) return (code, output.ToString());
    }

    private static void KillAll()
    {
        lock (Running)
        {
            foreach (var process in Running)
            {
                try
                {
                    if (!process.HasExited) process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                }
            }
            Running.Clear();
        }
    }

    private static void Write(TextWriter? log, string? line)
    {
        if (log is null || line is null) return;
        lock (log) log.WriteLine(line);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
