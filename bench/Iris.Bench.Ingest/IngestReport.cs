using System.Globalization;
using System.Text;

namespace Iris.Bench.Ingest;

/// <summary>
/// Writes the "Ingestion" section of docs/benchmarks.md between its two marker comments, leaving the rest of the file
/// as it is (the section is added at the end when the markers are missing; the catalog benchmark keeps it).
/// </summary>
public static class IngestReport
{
    /// <summary>The issue's goal: Iris's warm images/s at least this many times vipsthumbnail's (the median of the rounds).</summary>
    public const double Goal = 1.2;

    private const string Begin = "<!-- ingestion: begin (written by bench/ingest.sh --report docs/benchmarks.md; edit bench/Iris.Bench.Ingest, not this section) -->";
    private const string End = "<!-- ingestion: end -->";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public sealed record Round(double IrisCold, double IrisWarm, double IrisCpuMs, double IrisCores, double Vips, double VipsCpuMs, double VipsCores,
        int Completed, int Errors);

    public sealed record Data(DateTimeOffset At, string Arguments, int Files, int Width, int Height, double AverageMb, string Encoder, string Workers,
        IReadOnlyList<Round> Rounds, double PeakRssMb, string VipsVersion, DjpegFloor.Result Floor, IReadOnlyList<string> WhatIrisDid, string LoadAtEnd)
    {
        /// <summary>The median of the rounds' ratios Iris warm / vipsthumbnail: what the goal is judged on.</summary>
        public double Ratio => Median(Rounds.Select(r => r.IrisWarm / r.Vips));

        public double IrisWarm => Median(Rounds.Select(r => r.IrisWarm));

        public double Vips => Median(Rounds.Select(r => r.Vips));

        public bool GoalMet => Ratio >= Goal;
    }

    public static void Write(string path, Data data)
    {
        MarkedSection.Write(path, Begin, End, Render(data));
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string F(double value, string format) => value.ToString(format, Inv);

    public static string Render(Data d)
    {
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        var (ratio, warm, vips) = (d.Ratio, d.IrisWarm, d.Vips);
        Line("## Ingestion: Iris against vipsthumbnail");
        Line();
        Line($"Measured {d.At:yyyy-MM-dd HH:mm} UTC by `bench/ingest.sh {d.Arguments}` ({Environment.ProcessorCount} cores; load average at the end {d.LoadAtEnd}).");
        Line($"{d.Files} camera-like JPEGs of {d.Width}×{d.Height} ({F(d.AverageMb, "0.00")} MB on average, EXIF Make/Model/DateTimeOriginal/Orientation),");
        Line($"each added by `file://` path to a fresh server (encoder `{d.Encoder}`, workers: {d.Workers}): SHA-256, strict decode, EXIF, a 256 px");
        Line("preview, perceptual hash and the catalog writes" + (d.Encoder == "none" ? " (no embedding: encoder `none`)." : $", plus the embedding of encoder `{d.Encoder}`."));
        Line("The reference is `vipsthumbnail --size 256` as two processes over half the files each. Each round runs Iris (cold: a fresh");
        Line("server, then warm: the same files again as a new dataset) and vipsthumbnail back to back; the medians of the rounds count.");
        Line();
        Line("| goal | measured | |");
        Line("| --- | --- | --- |");
        Line($"| Ingestion at ≥ {F(Goal, "0.0")} × vipsthumbnail's images/s | {F(ratio, "0.00")} × (Iris warm {F(warm, "0.0")} images/s, vipsthumbnail {F(vips, "0.0")}) | **{(d.GoalMet ? "met" : "not met")}** |");
        Line();
        Line("| round | Iris cold images/s | Iris warm images/s | Iris ms CPU per image | Iris cores busy | vipsthumbnail images/s | vipsthumbnail ms CPU per image | vipsthumbnail cores busy | Iris / vipsthumbnail |");
        Line("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (var i = 0; i < d.Rounds.Count; i++)
        {
            var r = d.Rounds[i];
            Line($"| {i + 1} | {F(r.IrisCold, "0.0")} | {F(r.IrisWarm, "0.0")} | {F(r.IrisCpuMs, "0.0")} | {F(r.IrisCores, "0.00")} | {F(r.Vips, "0.0")} | {F(r.VipsCpuMs, "0.0")} | {F(r.VipsCores, "0.00")} | {F(r.IrisWarm / r.Vips, "0.00")} |");
        }
        Line();
        Line($"The floor: `djpeg -scale 1/8` (libjpeg-turbo) over the same files one after another, {F(d.Floor.CpuMsPerImage, "0.0")} ms CPU per image");
        Line($"(a djpeg start, {F(d.Floor.StartMs, "0.0")} ms measured on a tiny JPEG, taken off): {F(d.Floor.ImagesPerSecond, "0.0")} images/s on {d.Floor.Cores} cores, the most any");
        Line($"thumbnailer that decodes every block could make. Iris warm reaches {F(warm / d.Floor.ImagesPerSecond, "0.00")} of it, vipsthumbnail {F(vips / d.Floor.ImagesPerSecond, "0.00")}.");
        Line();
        Line($"Iris's peak resident memory over the rounds: {F(d.PeakRssMb, "0")} MB. {d.Rounds.Sum(r => r.Completed)} images completed, {d.Rounds.Sum(r => r.Errors)} in error. {d.VipsVersion}.");
        Line();
        foreach (var did in d.WhatIrisDid) Line($"- Iris did: {did}");
        Line();
        return md.ToString();
    }
}
