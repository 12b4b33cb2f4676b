using System.Globalization;
using System.Text;
using Iris.Bench.Ingest;
using Iris.Embeddings;
using Iris.Ingestion;

namespace Iris.Bench.Search;

/// <summary>
/// The <c>quality</c> mode: recall@k of edited copies among the corpus for ResNet-18 embeddings (both framings, and
/// with the colour channels reversed as a check of their order) next to the perceptual hash, then the embedding
/// stage's cost. Prints a table and writes it into docs/benchmarks.md.
/// </summary>
internal static class QualityBench
{
    private const double Goal = 0.9;
    // The blurs compared with the default's (pixels of the 224×224 square the network sees).
    private static readonly double[] BlurSigmas = [0, 1, 3];
    private const string SectionTitle = "## Image-to-image search: quality";
    private const string SectionEnd = "<!-- end of the search quality section (bench/search.sh quality rewrites it) -->";

    public static int Run(string[] args)
    {
        var options = BenchArguments.Parse(args, ["k", "corpus", "report", "camera-count", "rounds", "cache"]);
        var k = options.Number("k", 8);
        var repo = RepoRoot();
        var corpus = Path.GetFullPath(options.Text("corpus") ?? Path.Combine(repo, "..", "shared", "corpus"));
        var report = options.Text("report") ?? Path.Combine(repo, "docs", "benchmarks.md");
        var cameraCount = options.Number("camera-count", 40);
        var rounds = options.Number("rounds", 3);
        if (!Directory.Exists(corpus)) throw new ArgumentException($"The corpus folder {corpus} does not exist: pass --corpus.");

        var loadBefore = LoadAverage();
        var log = (string message) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
        var scratch = Directory.CreateTempSubdirectory("iris-bench-search-").FullName;
        try
        {
            var set = QualitySet.Build(corpus, scratch, RoutingImageDecoder.CreateDefault(), log);
            var copies = set.CountOf(i => i.Edit is not null);
            log($"set: {set.Queries.Count} queries, {copies} edited copies, {set.Items.Count - set.Queries.Count - copies} other corpus images");

            using var whole = new ResNetEmbedder(framing: ResNetFraming.WholeImage);
            using var crop = new ResNetEmbedder(framing: ResNetFraming.CentreCrop);
            var sharpness = BlurSigmas.Select(sigma => new ResNetEmbedder(null, ResNetFraming.WholeImage, sigma)).ToList();
            var results = new List<RecallResult>();
            try
            {
                var methods = new List<(string Method, ResNetEmbedder Embedder, bool Swap)> { ($"ResNet-18 (default: whole image, blur {ResNetEmbedder.DefaultBlurSigma:0.#})", whole, false) };
                methods.AddRange(sharpness.Select((e, i) => ($"whole image, blur {BlurSigmas[i]:0.#}", e, false)));
                methods.Add(($"centre crop, blur {ResNetEmbedder.DefaultBlurSigma:0.#}", crop, false));
                methods.Add(("default, R and B swapped (check)", whole, true));
                foreach (var (method, embedder, swap) in methods)
                {
                    log($"embedding {set.Items.Count} images: {method}");
                    var vectors = set.Items.Select(i => embedder.Embed(swap ? SwapRedBlue(i.Image) : i.Image)).ToArray();
                    results.Add(Recall.Compute(method, set, k, (a, b) => Recall.Cosine(vectors[a], vectors[b])));
                }
            }
            finally
            {
                foreach (var embedder in sharpness) embedder.Dispose();
            }
            var hashes = set.Items.Select(i => PerceptualHash.Compute(i.Image)).ToArray();
            results.Add(Recall.Compute("perceptual hash (Hamming)", set, k, (a, b) => -PerceptualHash.Distance(hashes[a], hashes[b])));

            log("embedding cost on one thread (every image of the set)");
            var cost = StageCost.MeasureEmbedding(whole, set.Items.Select(i => i.Image).ToList(), ResNetEmbedder.DefaultModelsFolder);

            log($"decode + hash + preview on 2 threads, without and with the embedding: {cameraCount} JPEGs of 3000×2000, {rounds} rounds");
            var cameras = CameraJpegs.Ensure(options.Cache, cameraCount, 3000, 2000, log);
            var throughput = StageCost.MeasureThroughput(cameras, whole, threads: 2, rounds, log);

            foreach (var result in results)
            {
                Console.WriteLine($"{result.Method}: {result.Misses.Count} copies outside the {k} nearest");
                foreach (var miss in result.Misses) Console.WriteLine($"  {miss}");
            }
            var lines = Section(set, k, results, cost, throughput, cameraCount, rounds, whole.MeanPerChannel(), (loadBefore, LoadAverage()));
            Console.WriteLine();
            foreach (var line in lines) Console.WriteLine(line);
            if (report != "none") WriteSection(report, lines);
            return 0;
        }
        finally
        {
            try { Directory.Delete(scratch, recursive: true); } catch (IOException) { }
        }
    }

    private static List<string> Section(QualitySet set, int k, List<RecallResult> results, EmbeddingCost cost, Throughput throughput, int cameraCount, int rounds,
        float[] mean, (string Before, string After) load)
    {
        static string F(double value, string format = "0.00") => value.ToString(format, CultureInfo.InvariantCulture);
        var copies = set.CountOf(i => i.Edit is not null);
        var lines = new List<string>
        {
            SectionTitle,
            "",
            $"Measured {DateTime.UtcNow:yyyy-MM-dd} on this {Environment.ProcessorCount}-core machine by `bench/search.sh quality` "
            + $"(load average {load.Before} at the start, {load.After} at the end: other processes shared the cores, which slows "
            + "the images/s below far more than the thread CPU times).",
            "",
            $"The set: {set.Queries.Count} corpus pictures as queries (the photos, and the letter F of the orientation samples: {string.Join(", ", QualitySet.Photos.Select(p => p.Family))}), "
            + $"{Edits.Kinds.Count} edited copies of each made with libvips from the full-size file ({copies} in all: "
            + string.Join("; ", Edits.Kinds.Select(e => $"{e.Name}: {e.What}")) + $"), and {set.Items.Count - set.Queries.Count - copies} other corpus "
            + $"images that decode as distractors ({set.Skipped} files that do not decode and exif-tagged/ left out). Every image is decoded by the "
            + $"pipeline's decoder at {PreviewStage.MaxSide} px, as ingestion does. For each query, recall@{k} is the share of its {Edits.Kinds.Count} "
            + $"copies among its {k} nearest items (cosine of embeddings, or Hamming distance of hashes; ties broken by a hash of the item's name), "
            + "leaving out the query and its family's other encodings (the same picture in another format or orientation), which count as neither.",
            "",
            $"| edit | " + string.Join(" | ", results.Select(r => r.Method)) + " |",
            "| --- |" + string.Concat(results.Select(_ => " ---: |")),
        };
        foreach (var edit in Edits.Kinds)
            lines.Add($"| {edit.Name} | " + string.Join(" | ", results.Select(r => F(r.ByEdit[edit.Name]))) + " |");
        lines.Add($"| **mean recall@{k}** | " + string.Join(" | ", results.Select(r => $"**{F(r.Mean)}**")) + " |");
        lines.Add($"| mean average precision | " + string.Join(" | ", results.Select(r => F(r.MeanAveragePrecision, "0.000"))) + " |");
        lines.Add($"| queries with every copy found | " + string.Join(" | ", results.Select(r => $"{r.ByQuery.Count(q => q >= 1)} of {r.ByQuery.Count}")) + " |");
        lines.Add("");
        var embedding = results[0];
        lines.Add($"Goal recall@{k} >= {F(Goal, "0.0")} for embeddings: **{(embedding.Mean >= Goal ? "met" : "not met")}** "
                  + $"({F(embedding.Mean)} with the default framing; the perceptual hash {F(results[^1].Mean)}).");
        lines.Add("");
        lines.Add("The columns after the first vary one thing of the default: the blur of the 224×224 square before the network (0 is none), "
                  + "the framing (centre crop: shorter side to 224, middle kept), and the channel order (the check feeds R and B swapped: "
                  + "the preprocess model reverses planar R, G, B values 0..255 to B, G, R and subtracts a mean image; the order it expects "
                  + "should score higher than the swapped one). The mean image averages "
                  + $"{F(mean[0], "0.0")}, {F(mean[1], "0.0")}, {F(mean[2], "0.0")} over the network's channels 0, 1, 2: ImageNet's blue, green, red "
                  + "means (104, 117, 124 on 0..255), so the network takes B, G, R unscaled and the preprocess model takes R, G, B.");
        lines.Add("");
        lines.Add($"Embedding stage, one thread, {cost.Images} images of the set (ms of thread CPU per image, median / p95):");
        lines.Add("");
        lines.Add("| part | median | p95 |");
        lines.Add("| --- | ---: | ---: |");
        lines.Add($"| whole Embed (resample to 224×224, network, normalise) | {F(cost.Embed.Median)} | {F(cost.Embed.P95)} |");
        lines.Add($"| of which the input conversion (libvips resample, planes, mean subtracted) | {F(cost.Input.Median)} | {F(cost.Input.P95)} |");
        lines.Add($"| the preprocess model run by ONNX Runtime (not done: folded into the conversion) | {F(cost.PreprocessModel.Median, "0.000")} | {F(cost.PreprocessModel.P95, "0.000")} |");
        lines.Add($"| the addition that replaces it | {F(cost.Fold.Median, "0.000")} | {F(cost.Fold.P95, "0.000")} |");
        lines.Add($"| making the input and output buffers and their OrtValues anew (not done: one set per thread, reused) | {F(cost.FreshBuffers.Median, "0.000")} | {F(cost.FreshBuffers.P95, "0.000")} |");
        lines.Add("");
        lines.Add($"One Embed allocates {F(cost.AllocatedKb, "0")} KB of managed memory (median: the vector and the libvips and ONNX Runtime call objects; the pixels stay in native memory and the reused buffers are not counted).");
        lines.Add("");
        lines.Add($"Folded input against the preprocess model's output on every image: largest difference {cost.MaxFoldDifference:0.######} (limit 1e-4).");
        lines.Add("");
        lines.Add($"Ingestion's image work in process (probe, decode at {PreviewStage.MaxSide} px, perceptual hash, preview JPEG), 2 threads, "
                  + $"{cameraCount} camera-like JPEGs of 3000×2000, median of {rounds} rounds:");
        lines.Add("");
        lines.Add("| | images/s | ms CPU per image |");
        lines.Add("| --- | ---: | ---: |");
        lines.Add($"| without the embedding | {F(throughput.Without, "0.0")} | {F(throughput.CpuMsWithout, "0.0")} |");
        lines.Add($"| with the embedding | {F(throughput.With, "0.0")} | {F(throughput.CpuMsWith, "0.0")} |");
        lines.Add($"| ratio with / without | {F(throughput.With / throughput.Without)} | |");
        lines.Add("");
        lines.Add("Rounds (without, with): " + string.Join("; ", throughput.Rounds.Select(r => $"{F(r.Without, "0.0")}, {F(r.With, "0.0")}")) + ".");
        lines.Add("");
        lines.Add(SectionEnd);
        return lines;
    }

    /// <summary>Replaces this section in <paramref name="path"/> (or appends it): the rest of the file stays as it is.</summary>
    private static void WriteSection(string path, List<string> lines)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : "";
        var start = text.IndexOf(SectionTitle, StringComparison.Ordinal);
        var section = string.Join('\n', lines) + "\n";
        if (start < 0)
        {
            text = text.TrimEnd('\n') + (text.Length > 0 ? "\n\n" : "") + section;
        }
        else
        {
            var end = text.IndexOf(SectionEnd, start, StringComparison.Ordinal);
            var after = end < 0 ? "" : text[(end + SectionEnd.Length)..].TrimStart('\n');
            text = text[..start] + section + (after.Length > 0 ? "\n" + after : "");
        }
        File.WriteAllText(path, text, new UTF8Encoding(false));
        Console.WriteLine($"wrote the section to {path}");
    }

    /// <summary>The same pixels with the red and blue bands exchanged (grey images unchanged).</summary>
    private static DecodedImage SwapRedBlue(DecodedImage image)
    {
        if (image.Bands < 3) return image;
        var pixels = (byte[])image.Pixels.Clone();
        for (var p = 0; p < pixels.Length; p += image.Bands) (pixels[p], pixels[p + 2]) = (pixels[p + 2], pixels[p]);
        return new DecodedImage(image.Width, image.Height, image.Bands, pixels);
    }

    /// <summary>The one-minute load average, or "unknown" where /proc/loadavg is not there.</summary>
    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string RepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Iris.sln"))) return dir.FullName;
        throw new ArgumentException("Iris.sln not found above the current folder: run from the repository.");
    }
}
