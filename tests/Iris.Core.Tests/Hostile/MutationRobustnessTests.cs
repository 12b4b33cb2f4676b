using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Iris.Ingestion;
using Iris.Models;
using Xunit.Abstractions;

namespace Iris.Core.Tests.Hostile;

/// <summary>
/// Randomized robustness: small corpus files, mutated (bit flips, overwrites, truncation, another format's header,
/// duplicated or removed chunks), through the whole default pipeline. Every case must end <c>completed</c> or in
/// <c>error</c> with a proper code and reason, never <c>unknown</c> (an unexpected exception) and never past the
/// per-case limit. The seed is printed; <c>IRIS_FUZZ_SEED=n</c> replays a run, adding <c>IRIS_FUZZ_CASE=i</c> runs
/// only its case i, and <c>IRIS_FUZZ_CASES=n</c> changes how many cases run (default <see cref="DefaultCases"/>).
/// Without <c>IRIS_FUZZ_SEED</c> the seed is random, except under <c>CI=true</c> (a fixed seed that passed).
/// </summary>
public sealed class MutationRobustnessTests(ITestOutputHelper output)
{
    private const int DefaultCases = 3000;
    // CI replays the same cases on every run so a landing is never decided by luck; local runs explore new seeds.
    private const int CiSeed = 1358208483;
    private const long MaxSourceBytes = 16 * 1024;
    // Generous for a shared, loaded machine (slow cases measured up to 6 s under load, under 0.5 s alone).
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(20);
    // Beyond the limit the token should have stopped the case; a case still running 5 s later ignores it.
    private static readonly TimeSpan HangLimit = CaseLimit + TimeSpan.FromSeconds(5);

    // A mutated local file can only be refused for what it holds: anything else (unknown, file_not_found...) is a bug.
    private static readonly string[] ExpectedErrorCodes = [ErrorCodes.UnsupportedFormat, ErrorCodes.ResolutionOutOfSpec];

    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp"];

    private sealed record Source(string Name, string Format, byte[] Bytes);

    [Fact]
    public async Task MutatedImagesEndCompletedOrInAProperErrorWithinTheLimit()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("IRIS_FUZZ_SEED"), CultureInfo.InvariantCulture, out var s)
            ? s
            : Environment.GetEnvironmentVariable("CI") == "true" ? CiSeed : Random.Shared.Next();
        var cases = int.TryParse(Environment.GetEnvironmentVariable("IRIS_FUZZ_CASES"), CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : DefaultCases;
        var only = int.TryParse(Environment.GetEnvironmentVariable("IRIS_FUZZ_CASE"), CultureInfo.InvariantCulture, out var c) ? c : (int?)null;
        var sources = Sources();
        output.WriteLine($"IRIS_FUZZ_SEED={seed} (set it to replay), {cases} cases over {sources.Count} source files");

        using var iris = new HostilePipeline();
        var failures = new List<string>();
        var tally = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        var slowest = (Time: TimeSpan.Zero, Case: "");
        var hungriest = (Bytes: 0L, Case: ""); // process-wide, so tests running alongside count too: shown, not asserted

        for (var index = only ?? 0; index < (only + 1 ?? cases); index++)
        {
            var random = CaseRandom(seed, index);
            var source = sources[random.Next(sources.Count)];
            var (bytes, mutation) = Mutate(source, sources, random);
            var what = $"seed {seed}, case {index}, {source.Name}, {mutation}";

            var path = iris.Write($"case-{index}{Path.GetExtension(source.Name)}", bytes);
            var job = Jobs.For(Jobs.FileUri(path));
            using var limit = new CancellationTokenSource(CaseLimit);
            var started = clock.Elapsed;
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
            // On the pool: the stages are mostly synchronous, and a stuck one must not stop the clock here.
            var run = Task.Run(() => iris.Pipeline.RunAsync(job, limit.Token));
            try
            {
                var outcome = await run.WaitAsync(HangLimit);
                var problem = Check(outcome, iris.BugOf(job.ImageId), iris.FilesDir);
                if (problem is not null) failures.Add($"{what}: {problem}");
                var key = outcome.Status == ImageStatus.Completed ? "completed" : "error/" + outcome.ErrorCode;
                if (only is not null) output.WriteLine($"{what}: {key}: {outcome.ErrorReason} ({(clock.Elapsed - started).TotalMilliseconds:0} ms)");
                tally[key] = tally.GetValueOrDefault(key) + 1;
                if (outcome.PreviewKey is { } preview) await iris.Blobs.DeleteAsync(preview);
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested)
            {
                failures.Add($"{what}: still running after the {CaseLimit.TotalSeconds:0} s per-case limit (cancelled)");
            }
            catch (TimeoutException)
            {
                // The case ignores cancellation and still holds a thread: report it and stop here.
                failures.Add($"{what}: did not stop within {HangLimit.TotalSeconds:0} s although cancelled after {CaseLimit.TotalSeconds:0} s");
                break;
            }
            catch (Exception e)
            {
                failures.Add($"{what}: {e.GetType().Name} escaped the pipeline: {e.Message}");
            }
            var took = clock.Elapsed - started;
            if (took > slowest.Time) slowest = (took, what);
            var allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
            if (allocated > hungriest.Bytes) hungriest = (allocated, what);
            File.Delete(path);
        }

        output.WriteLine($"{(only is null ? cases : 1)} cases in {clock.Elapsed.TotalSeconds:0.0} s; slowest {slowest.Time.TotalMilliseconds:0} ms ({slowest.Case})");
        output.WriteLine($"most managed memory allocated during a case: {hungriest.Bytes / 1048576.0:0.#} MB ({hungriest.Case})");
        foreach (var (outcome, count) in tally) output.WriteLine($"  {outcome}: {count}");
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {cases} mutated files misbehaved (replay with IRIS_FUZZ_SEED={seed}, one case with IRIS_FUZZ_CASE=<case>):\n" + string.Join("\n", failures.Take(30)));
    }

    /// <summary>Null when the outcome is a proper one; otherwise what is wrong with it.</summary>
    private static string? Check(IngestionOutcome outcome, Exception? bug, string filesDir)
    {
        if (bug is not null) return $"ended as {outcome.ErrorCode} because of {bug.GetType().Name}: {bug.Message}\n{bug.StackTrace}";
        if (outcome.Status == ImageStatus.Completed)
            return outcome.TechnicalMetadataJson is null || outcome.PreviewKey is null ? "completed without metadata or preview" : null;
        if (outcome.Status != ImageStatus.Error) return $"status {outcome.Status}";
        if (!ExpectedErrorCodes.Contains(outcome.ErrorCode)) return $"error code {outcome.ErrorCode}: {outcome.ErrorReason}";
        var reason = outcome.ErrorReason ?? "";
        if (reason.Trim().Length < 10 || reason.Contains("Exception", StringComparison.Ordinal) || reason.Contains(filesDir, StringComparison.Ordinal))
            return $"reason not fit for a person: '{reason}'";
        return null;
    }

    /// <summary>Independent of the order cases run in: case <paramref name="index"/> of a seed is always the same case.</summary>
    private static Random CaseRandom(int seed, int index)
    {
        var z = ((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15; // SplitMix64
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return new Random((int)(z ^ (z >> 31)));
    }

    /// <summary>Corpus images up to <see cref="MaxSourceBytes"/> (sorted, so a seed means the same cases), and HEIF/AVIF headers, which the corpus lacks.</summary>
    private static List<Source> Sources()
    {
        var sources = new List<Source>();
        foreach (var folder in new[] { "go-image", "x-image", "pngsuite", "imaging", "exif-fragments", "exif-tagged" })
        {
            foreach (var file in Directory.GetFiles(Corpus.File(folder)).Order(StringComparer.Ordinal))
            {
                var extension = Path.GetExtension(file).ToLowerInvariant();
                if (!ImageExtensions.Contains(extension) || new FileInfo(file).Length > MaxSourceBytes) continue;
                sources.Add(new Source($"{folder}/{Path.GetFileName(file)}", FormatOf(extension), File.ReadAllBytes(file)));
            }
        }
        Assert.True(sources.Count > 80, $"only {sources.Count} small corpus files under {Corpus.Root}");
        sources.Add(new Source("generated/header.avif", "heif", Generated.Heif(["avif", "mif1"], (64, 48), (32, 24))));
        sources.Add(new Source("generated/header.heic", "heif", Generated.Heif(["heic", "mif1"], (640, 480))));
        return sources;
    }

    private static string FormatOf(string extension) => extension switch
    {
        ".jpg" or ".jpeg" => "jpeg",
        ".tif" or ".tiff" => "tiff",
        _ => extension[1..],
    };

    // ---- mutations ----

    private static (byte[] Bytes, string Description) Mutate(Source source, List<Source> sources, Random random)
    {
        var bytes = source.Bytes;
        var steps = random.Next(10) switch { < 7 => 1, < 9 => 2, _ => 3 };
        var described = new List<string>(steps);
        for (var i = 0; i < steps && bytes.Length > 0; i++)
        {
            var (mutated, description) = random.Next(8) switch
            {
                0 => FlipBits(bytes, random),
                1 => Overwrite(bytes, random),
                2 => InterestingNumber(bytes, random),
                3 => Truncate(bytes, random),
                4 => SpliceHeader(bytes, source, sources, random),
                5 => DuplicateChunk(bytes, source.Format, random),
                6 => RemoveChunk(bytes, source.Format, random),
                _ => InsertRandom(bytes, random),
            };
            bytes = mutated;
            described.Add(description);
        }
        return (bytes, string.Join("; then ", described));
    }

    /// <summary>A position, in the first KB half of the time: headers are where parsers decide things.</summary>
    private static int Position(byte[] bytes, Random random) =>
        random.Next(2) == 0 ? random.Next(Math.Min(bytes.Length, 1024)) : random.Next(bytes.Length);

    private static (byte[], string) FlipBits(byte[] bytes, Random random)
    {
        var result = (byte[])bytes.Clone();
        var flips = new List<string>();
        for (var i = random.Next(1, 9); i > 0; i--)
        {
            var at = Position(result, random);
            var bit = random.Next(8);
            result[at] ^= (byte)(1 << bit);
            flips.Add($"{at}.{bit}");
        }
        return (result, $"bit flips at {string.Join(", ", flips)}");
    }

    private static (byte[], string) Overwrite(byte[] bytes, Random random)
    {
        var result = (byte[])bytes.Clone();
        var at = Position(result, random);
        var length = Math.Min(random.Next(1, 17), result.Length - at);
        byte[] fills = [0x00, 0xFF, 0x7F, 0x80];
        var fill = random.Next(3) == 0 ? fills[random.Next(fills.Length)] : (byte?)null;
        for (var i = 0; i < length; i++) result[at + i] = fill ?? (byte)random.Next(256);
        return (result, $"{length} bytes at {at} overwritten with {(fill is { } f ? $"0x{f:X2}" : "random bytes")}");
    }

    /// <summary>A size-like number (0, 1, 65500, 2^31-1, 2^32-1...) written over 2 or 4 bytes of the first 256, either byte order.</summary>
    private static (byte[], string) InterestingNumber(byte[] bytes, Random random)
    {
        uint[] numbers = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 65_500, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF];
        var value = numbers[random.Next(numbers.Length)];
        var width = random.Next(2) == 0 ? 2 : 4;
        if (bytes.Length < width) return Truncate(bytes, random);
        var at = random.Next(Math.Min(256, bytes.Length - width + 1));
        var bigEndian = random.Next(2) == 0;
        var result = (byte[])bytes.Clone();
        var span = result.AsSpan(at, width);
        if (width == 2 && bigEndian) BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)value);
        else if (width == 2) BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)value);
        else if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(span, value);
        else BinaryPrimitives.WriteUInt32LittleEndian(span, value);
        return (result, $"0x{value:X} as {width * 8}-bit {(bigEndian ? "big" : "little")}-endian at {at}");
    }

    private static (byte[], string) Truncate(byte[] bytes, Random random)
    {
        var at = random.Next(bytes.Length);
        return (bytes[..at], $"cut at {at} of {bytes.Length}");
    }

    /// <summary>The first bytes of a file of another format, over this one's start or in front of it.</summary>
    private static (byte[], string) SpliceHeader(byte[] bytes, Source source, List<Source> sources, Random random)
    {
        var others = sources.Where(o => o.Format != source.Format).ToList();
        var other = others[random.Next(others.Count)];
        var length = Math.Min(other.Bytes.Length, random.Next(4) == 0 ? random.Next(64, 513) : random.Next(4, 64));
        if (random.Next(2) == 0)
        {
            var result = (byte[])bytes.Clone();
            length = Math.Min(length, result.Length);
            other.Bytes.AsSpan(0, length).CopyTo(result);
            return (result, $"first {length} bytes replaced by those of {other.Name}");
        }
        return ([.. other.Bytes.AsSpan(0, length), .. bytes], $"first {length} bytes of {other.Name} put in front");
    }

    private static (byte[], string) DuplicateChunk(byte[] bytes, string format, Random random)
    {
        var chunks = Chunks(bytes, format);
        if (chunks.Count > 0)
        {
            var (name, start, length) = chunks[random.Next(chunks.Count)];
            return ([.. bytes.AsSpan(0, start + length), .. bytes.AsSpan(start, length), .. bytes.AsSpan(start + length)],
                $"{format} chunk {name} at {start} ({length} bytes) duplicated");
        }
        var (at, count) = Range(bytes, random);
        return ([.. bytes.AsSpan(0, at + count), .. bytes.AsSpan(at, count), .. bytes.AsSpan(at + count)],
            $"bytes {at}..{at + count} duplicated");
    }

    private static (byte[], string) RemoveChunk(byte[] bytes, string format, Random random)
    {
        var chunks = Chunks(bytes, format);
        if (chunks.Count > 0)
        {
            var (name, start, length) = chunks[random.Next(chunks.Count)];
            return ([.. bytes.AsSpan(0, start), .. bytes.AsSpan(start + length)], $"{format} chunk {name} at {start} ({length} bytes) removed");
        }
        var (at, count) = Range(bytes, random);
        return ([.. bytes.AsSpan(0, at), .. bytes.AsSpan(at + count)], $"bytes {at}..{at + count} removed");
    }

    private static (byte[], string) InsertRandom(byte[] bytes, Random random)
    {
        var at = Position(bytes, random);
        var inserted = new byte[random.Next(1, 33)];
        random.NextBytes(inserted);
        return ([.. bytes.AsSpan(0, at), .. inserted, .. bytes.AsSpan(at)], $"{inserted.Length} random bytes inserted at {at}");
    }

    private static (int At, int Count) Range(byte[] bytes, Random random)
    {
        var at = Position(bytes, random);
        return (at, random.Next(1, Math.Min(257, bytes.Length - at + 1)));
    }

    /// <summary>
    /// The structural units of a file, as whole byte ranges: PNG chunks, JPEG marker segments (up to the scan), RIFF
    /// (WebP) chunks. Empty for other formats and for bytes that do not parse; a random byte range stands in then.
    /// </summary>
    private static List<(string Name, int Start, int Length)> Chunks(byte[] bytes, string format)
    {
        var chunks = new List<(string, int, int)>();
        switch (format)
        {
            case "png" when bytes.Length > 8:
                foreach (var (type, offset, length) in HostileFiles.PngChunks(bytes)) chunks.Add((type, offset, 12 + length));
                break;
            case "jpeg" when bytes.Length > 4:
                foreach (var (marker, offset, length) in HostileFiles.JpegSegments(bytes))
                {
                    if (offset + 4 + length <= bytes.Length) chunks.Add(($"FF{marker:X2}", offset, 4 + length));
                }
                break;
            case "webp" when bytes.Length > 12:
                for (var position = 12; position + 8 <= bytes.Length;)
                {
                    var size = (long)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position + 4));
                    var total = 8 + size + (size & 1);
                    if (position + total > bytes.Length) break;
                    chunks.Add((Encoding.ASCII.GetString(bytes, position, 4), position, (int)total));
                    position += (int)total;
                }
                break;
        }
        return chunks;
    }
}
