using System.Diagnostics;
using System.Text;

namespace Iris.Bench.Ingest;

/// <summary>
/// The reference: <c>vipsthumbnail --size 256</c> over the same files as two parallel processes
/// (<c>xargs -0 -P2 -n N/2</c>: each process takes half the files, so libvips starts twice, not once per few
/// images; a start costs about 80 ms here), timed from the first process start to the last exit.
/// </summary>
public static class VipsThumbnailRun
{
    public static async Task<(double Seconds, string Version)> RunAsync(IReadOnlyList<string> files, string outDir, int processes)
    {
        var version = await OutputOfAsync("vipsthumbnail", "--version");
        Directory.CreateDirectory(outDir);
        var psi = new ProcessStartInfo("xargs")
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var perProcess = (files.Count + processes - 1) / processes;
        foreach (var a in new[] { "-0", "-P", processes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "-n", perProcess.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "vipsthumbnail", "--size", "256", "-o", Path.Combine(outDir, "%s.jpg") })
            psi.ArgumentList.Add(a);

        var clock = Stopwatch.StartNew();
        using var xargs = Process.Start(psi)!;
        var errors = xargs.StandardError.ReadToEndAsync();
        await xargs.StandardInput.WriteAsync(string.Join('\0', files));
        xargs.StandardInput.Close();
        await xargs.WaitForExitAsync();
        var seconds = clock.Elapsed.TotalSeconds;

        var made = Directory.EnumerateFiles(outDir, "*.jpg").Count();
        if (xargs.ExitCode != 0 || made != files.Count)
            throw new InvalidOperationException(
                $"vipsthumbnail made {made} of {files.Count} thumbnails (xargs exit {xargs.ExitCode}): {(await errors).Trim()}");
        return (seconds, version.Trim());
    }

    private static async Task<string> OutputOfAsync(string program, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, UseShellExecute = false })!;
            var text = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            return text;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"{program} is not installed (Debian: apt-get install libvips-tools; bench/ingest.sh does it).");
        }
    }
}
