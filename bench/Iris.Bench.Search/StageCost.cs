using System.Diagnostics;
using System.Numerics.Tensors;
using Iris.Embeddings;
using Iris.Ingestion;
using Microsoft.ML.OnnxRuntime;

namespace Iris.Bench.Search;

/// <summary>Milliseconds of thread CPU per image: median and 95th percentile.</summary>
internal sealed record CpuCost(double Median, double P95)
{
    public static CpuCost Of(IReadOnlyCollection<double> samples)
    {
        var sorted = samples.Order().ToArray();
        return new CpuCost(Quantile(sorted, 0.5), Quantile(sorted, 0.95));
    }

    private static double Quantile(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}

/// <summary>The embedding stage's cost per image on one thread, split into its parts, and what the preprocess model would cost.</summary>
/// <param name="AllocatedKb">Managed memory one Embed allocates (median), with the thread's buffers reused.</param>
/// <param name="FreshBuffers">What making the buffers and their ONNX Runtime values anew for each call would add.</param>
internal sealed record EmbeddingCost(CpuCost Embed, CpuCost Input, CpuCost PreprocessModel, CpuCost Fold, double MaxFoldDifference, int Images,
    double AllocatedKb, CpuCost FreshBuffers);

/// <summary>Images per second of the decode, hash and preview work of ingestion, with and without the embedding.</summary>
internal sealed record Throughput(double Without, double With, double CpuMsWithout, double CpuMsWith, IReadOnlyList<(double Without, double With)> Rounds);

internal static class StageCost
{
    /// <summary>
    /// Times every call on the calling thread: the whole Embed, the input conversion alone, and, for comparison, a run
    /// of the preprocess model on the same pixels next to the addition that replaces it (checking the two agree).
    /// </summary>
    public static EmbeddingCost MeasureEmbedding(ResNetEmbedder embedder, IReadOnlyList<DecodedImage> images, string modelsFolder)
    {
        for (var i = 0; i < 3; i++) embedder.Embed(images[i % images.Count]); // ONNX Runtime sets itself up on the first runs

        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        using var preprocess = new InferenceSession(Path.Combine(modelsFolder, ResNetEmbedder.PreprocessFile), options);
        var rgb = new float[3 * NetworkInput.Plane];
        using var rgbValue = OrtValue.CreateTensorValueFromMemory(rgb, [1, 3, NetworkInput.Side, NetworkInput.Side]);
        var offset = new float[rgb.Length];
        var sum = new float[rgb.Length];
        using var runOptions = new RunOptions();

        List<double> embed = [], input = [], model = [], fold = [], allocated = [], fresh = [];
        var maxDifference = 0.0;
        foreach (var image in images)
        {
            var bytes = GC.GetAllocatedBytesForCurrentThread();
            var start = ThreadCpu.Milliseconds();
            embedder.Embed(image);
            embed.Add(ThreadCpu.Milliseconds() - start);
            allocated.Add((GC.GetAllocatedBytesForCurrentThread() - bytes) / 1024.0);

            start = ThreadCpu.Milliseconds();
            var freshInput = new float[3 * NetworkInput.Plane];
            var freshOutput = new float[512];
            using (OrtValue.CreateTensorValueFromMemory(freshInput, [1, 3, NetworkInput.Side, NetworkInput.Side]))
            using (OrtValue.CreateTensorValueFromMemory(freshOutput, [1, 512, 1, 1]))
            {
                fresh.Add(ThreadCpu.Milliseconds() - start);
            }

            start = ThreadCpu.Milliseconds();
            var folded = embedder.NetworkInputOf(image);
            input.Add(ThreadCpu.Milliseconds() - start);

            NetworkInput.WritePlanarRgb(image, ResNetFraming.WholeImage, ResNetEmbedder.DefaultBlurSigma, rgb);
            start = ThreadCpu.Milliseconds();
            using (var results = preprocess.Run(runOptions, [preprocess.InputMetadata.Keys.Single()], [rgbValue], [preprocess.OutputMetadata.Keys.Single()]))
            {
                model.Add(ThreadCpu.Milliseconds() - start);
                var expected = results[0].GetTensorDataAsSpan<float>();
                for (var i = 0; i < expected.Length; i++) maxDifference = Math.Max(maxDifference, Math.Abs(expected[i] - folded[i]));
            }

            start = ThreadCpu.Milliseconds();
            TensorPrimitives.Add(rgb, offset, sum);
            fold.Add(ThreadCpu.Milliseconds() - start);
        }
        return new EmbeddingCost(CpuCost.Of(embed), CpuCost.Of(input), CpuCost.Of(model), CpuCost.Of(fold), maxDifference, images.Count,
            CpuCost.Of(allocated).Median, CpuCost.Of(fresh));
    }

    /// <summary>
    /// Ingestion's in-process image work (probe, decode at 256 px, perceptual hash, preview JPEG) on <paramref name="threads"/>
    /// threads over <paramref name="files"/>, without and with the embedding, alternating which goes first in each round.
    /// </summary>
    public static Throughput MeasureThroughput(IReadOnlyList<string> files, ResNetEmbedder embedder, int threads, int rounds, Action<string> log)
    {
        var decoder = RoutingImageDecoder.CreateDefault();
        var prober = new HeaderProber();
        (double Rate, double CpuMs) Pass(bool embed)
        {
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = threads }, file =>
            {
                var probe = prober.ProbeAsync(file, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                var decoded = decoder.Decode(file, probe, PreviewStage.MaxSide, CancellationToken.None);
                PerceptualHash.Compute(decoded);
                PreviewEncoder.Encode(decoded);
                if (embed) embedder.Embed(decoded);
            });
            var seconds = clock.Elapsed.TotalSeconds;
            process.Refresh();
            return (files.Count / seconds, (process.TotalProcessorTime - cpu).TotalMilliseconds / files.Count);
        }

        Pass(embed: true); // warm: file cache, ONNX Runtime and libvips set up on both threads
        var results = new List<((double Rate, double CpuMs) Without, (double Rate, double CpuMs) With)>();
        for (var round = 0; round < rounds; round++)
        {
            (double, double) without, with;
            if (round % 2 == 0)
            {
                without = Pass(embed: false);
                with = Pass(embed: true);
            }
            else
            {
                with = Pass(embed: true);
                without = Pass(embed: false);
            }
            results.Add((without, with));
            log($"  round {round + 1}: {without.Item1:0.0} images/s without the embedding, {with.Item1:0.0} with");
        }
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }
        return new Throughput(Median(results.Select(r => r.Without.Rate)), Median(results.Select(r => r.With.Rate)),
            Median(results.Select(r => r.Without.CpuMs)), Median(results.Select(r => r.With.CpuMs)),
            results.Select(r => (r.Without.Rate, r.With.Rate)).ToList());
    }
}
