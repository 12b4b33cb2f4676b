using System.Globalization;
using NetVips;

namespace Iris.Bench.Ingest;

/// <summary>
/// Makes camera-like JPEGs (smooth structure plus sensor grain, so they compress like photos to about
/// 1.5–2 MB at 3000×2000) with EXIF Make, Model, DateTimeOriginal and Orientation, and caches them:
/// a folder per size, files made once and reused by later runs.
/// </summary>
public static class CameraJpegs
{
    public const string CameraMake = "Iris Bench";
    public const string CameraModel = "Synthetic 6MP";

    /// <summary>The first <paramref name="count"/> images of this size, made where missing.</summary>
    public static IReadOnlyList<string> Ensure(string cacheRoot, int count, int width, int height, Action<string> log)
    {
        var folder = Path.Combine(cacheRoot, $"{width}x{height}");
        Directory.CreateDirectory(folder);
        var files = Enumerable.Range(0, count).Select(i => Path.Combine(folder, $"cam-{i:D5}.jpg")).ToList();
        var missing = files.Select((f, i) => (File: f, Index: i)).Where(x => !File.Exists(x.File)).ToList();
        if (missing.Count == 0) return files;

        log($"making {missing.Count} JPEGs of {width}×{height} in {folder} (once; later runs reuse them)");
        Cache.Max = 0; // every image is new: nothing to reuse, and the cache would only hold memory
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var done = 0;
        Parallel.ForEach(missing, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, x =>
        {
            var temp = x.File + ".part";
            Make(temp, x.Index, width, height);
            File.Move(temp, x.File, overwrite: true); // a run stopped midway leaves no half-written image in the cache
            var n = Interlocked.Increment(ref done);
            if (n % 50 == 0 || n == missing.Count) log($"  {n}/{missing.Count} made ({clock.Elapsed.TotalSeconds:0} s)");
        });
        return files;
    }

    /// <summary>Orientation 6 (rotate 90° to view) for every fourth image, 1 for the rest: previews must turn some.</summary>
    public static int OrientationOf(int index) => index % 4 == 3 ? 6 : 1;

    private static void Make(string path, int index, int width, int height)
    {
        var seed = index * 16;
        // Coarse shapes, finer texture, then per-pixel grain: the mix of frequencies a photo has.
        using var coarse = Noise(width, height, 32, 55, seed);
        using var fine = Noise(width, height, 4, 6, seed + 4);
        using var grain = Image.Gaussnoise(width, height, sigma: 2, mean: 0, seed: seed + 8);
        using var sum = coarse + fine + grain + 128;
        using var bytes = sum.Cast(Enums.BandFormat.Uchar); // clips to 0..255
        using var pixels = bytes.Copy(interpretation: Enums.Interpretation.Srgb);
        var taken = new DateTime(2026, 6, 1, 8, 0, 0).AddMinutes(index * 7);
        using var tagged = pixels.Mutate(m =>
        {
            m.Set(GValue.GStrType, "exif-ifd0-Make", CameraMake);
            m.Set(GValue.GStrType, "exif-ifd0-Model", CameraModel);
            m.Set(GValue.GStrType, "exif-ifd2-DateTimeOriginal", taken.ToString("yyyy:MM:dd HH:mm:ss", CultureInfo.InvariantCulture));
            m.Set(GValue.GIntType, "orientation", OrientationOf(index));
        });
        tagged.Jpegsave(path, q: 90);
    }

    /// <summary>Three-band noise at 1/<paramref name="scale"/> resolution, enlarged smoothly to full size.</summary>
    private static Image Noise(int width, int height, int scale, double sigma, int seed)
    {
        int w = (width + scale - 1) / scale, h = (height + scale - 1) / scale;
        using var r = Image.Gaussnoise(w, h, sigma: sigma, mean: 0, seed: seed);
        using var g = Image.Gaussnoise(w, h, sigma: sigma, mean: 0, seed: seed + 1);
        using var b = Image.Gaussnoise(w, h, sigma: sigma, mean: 0, seed: seed + 2);
        using var rgb = r.Bandjoin(g, b);
        using var large = rgb.Resize(scale, kernel: Enums.Kernel.Cubic);
        return large.Crop(0, 0, width, height);
    }
}
