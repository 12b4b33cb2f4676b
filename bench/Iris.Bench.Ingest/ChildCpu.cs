using System.Diagnostics;
using System.Globalization;

namespace Iris.Bench.Ingest;

/// <summary>
/// Runs a shell command line and measures the CPU time (user + system) of everything it started, by bash's own
/// <c>times</c> (the second line: the children it waited for). .NET shows only a process's own CPU time, not its
/// children's, and the programs measured here (vipsthumbnail, djpeg) run as children of xargs or of a loop.
/// </summary>
public static class ChildCpu
{
    public sealed record Measured(double WallSeconds, double CpuSeconds, string Errors, int ExitCode);

    /// <param name="script">A bash script; <paramref name="args"/> are its positional parameters ($1, $2, ...).</param>
    public static async Task<Measured> RunAsync(string script, IReadOnlyList<string> args, string workDir)
    {
        var timesFile = Path.Combine(workDir, $"times-{Guid.NewGuid():N}.txt");
        var psi = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"{script}\nstatus=$?\ntimes > '{timesFile}'\nexit $status");
        psi.ArgumentList.Add("bash");
        foreach (var a in args) psi.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("bash did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var wall = clock.Elapsed.TotalSeconds;
        await output;
        var lines = File.Exists(timesFile) ? await File.ReadAllLinesAsync(timesFile) : [];
        File.Delete(timesFile);
        if (lines.Length < 2) throw new InvalidOperationException($"bash printed no times (exit {process.ExitCode}): {(await errors).Trim()}");
        var children = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new Measured(wall, children.Sum(Seconds), (await errors).Trim(), process.ExitCode);
    }

    /// <summary>bash's <c>times</c> format: <c>1m2.345s</c>.</summary>
    private static double Seconds(string text)
    {
        var m = text.IndexOf('m');
        return double.Parse(text[..m], CultureInfo.InvariantCulture) * 60 + double.Parse(text[(m + 1)..].TrimEnd('s'), CultureInfo.InvariantCulture);
    }
}
