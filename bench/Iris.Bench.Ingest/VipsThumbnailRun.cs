using System.Diagnostics;

namespace Iris.Bench.Ingest;

/// <summary>
/// The reference: <c>vipsthumbnail --size 256</c> over the same files as two parallel processes
/// (<c>xargs -0 -P2 -n N/2</c>: each process takes half the files, so libvips starts twice, not once per few
/// images; a start costs about 80 ms here), timed from the first process start to the last exit.
/// </summary>
public static class VipsThumbnailRun
{
    /// <returns>Wall seconds from the first start to the last exit, the CPU seconds of all the processes, the version.</returns>
    public static async Task<(double Seconds, double CpuSeconds, string Version)> RunAsync(IReadOnlyList<string> files, string outDir, int processes)
    {
        var version = await OutputOfAsync("vipsthumbnail", "--version");
        Directory.CreateDirectory(outDir);
        var perProcess = (files.Count + processes - 1) / processes;
        // The file names go to xargs NUL-separated through printf, so no name is split or expanded.
        var run = await ChildCpu.RunAsync(
            $"printf '%s\\0' \"$@\" | xargs -0 -P {processes} -n {perProcess} vipsthumbnail --size 256 -o '{Path.Combine(outDir, "%s.jpg")}'",
            files, Path.GetDirectoryName(outDir)!);

        var made = Directory.EnumerateFiles(outDir, "*.jpg").Count();
        if (run.ExitCode != 0 || made != files.Count)
            throw new InvalidOperationException($"vipsthumbnail made {made} of {files.Count} thumbnails (exit {run.ExitCode}): {run.Errors}");
        return (run.WallSeconds, run.CpuSeconds, version.Trim());
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
