using NetVips;

namespace Iris.Bench.Ingest;

/// <summary>
/// The honest upper limit of any thumbnailer on these files: entropy-decoding each JPEG at 1/8 scale
/// (<c>djpeg -scale 1/8</c>, libjpeg-turbo, the least a JPEG decoder can do to see every pixel block),
/// one file after another. A djpeg process start is measured on a tiny JPEG the same number of times and
/// taken off, so the figure is the decoding alone. The floor in images/s is the cores divided by it.
/// </summary>
public static class DjpegFloor
{
    public sealed record Result(double CpuMsPerImage, double StartMs, int Cores)
    {
        public double ImagesPerSecond => Cores * 1000 / CpuMsPerImage;
    }

    public static async Task<Result> MeasureAsync(IReadOnlyList<string> files, string workDir)
    {
        var tiny = Path.Combine(workDir, "tiny.jpg");
        using (var black = Image.Black(8, 8, bands: 3)) black.Jpegsave(tiny);
        const string Loop = "for f in \"$@\"; do djpeg -scale 1/8 \"$f\" > /dev/null || exit 1; done";
        var decode = await ChildCpu.RunAsync(Loop, files, workDir);
        if (decode.ExitCode != 0) throw new InvalidOperationException($"djpeg failed (exit {decode.ExitCode}): {decode.Errors}");
        var start = await ChildCpu.RunAsync(Loop, Enumerable.Repeat(tiny, files.Count).ToList(), workDir);
        if (start.ExitCode != 0) throw new InvalidOperationException($"djpeg failed on a tiny JPEG: {start.Errors}");
        var startMs = start.CpuSeconds * 1000 / files.Count;
        return new Result(decode.CpuSeconds * 1000 / files.Count - startMs, startMs, Environment.ProcessorCount);
    }
}
