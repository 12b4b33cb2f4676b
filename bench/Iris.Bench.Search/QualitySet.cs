using Iris.Ingestion;
using NetVips;

namespace Iris.Bench.Search;

/// <summary>One picture of the labelled set, decoded as ingestion decodes it.</summary>
/// <param name="Label">Where it came from: a corpus path, or the query's path and the edit.</param>
/// <param name="Family">The picture it shows: every encoding or orientation of one picture shares a family.</param>
/// <param name="Edit">The edit that made it from its family's query; null for a corpus file.</param>
internal sealed record SetItem(string Label, string Family, string? Edit, DecodedImage Image);

/// <summary>
/// The labelled set: the corpus photos as queries, for each an edited copy per <see cref="Edits"/> kind, and every
/// other corpus image that decodes as a distractor. Files of a query's own family (its other encodings) are neither
/// copies nor distractors for it. exif-tagged/ is left out: its files are retagged copies of corpus pictures whose
/// origin is not labelled.
/// </summary>
internal sealed class QualitySet
{
    /// <summary>
    /// The photo families, the file of each used as the query (and edited into its copies), and the file-name prefixes
    /// of its other encodings. imaging/orientation_* and exif-fragments/f2, f4, f6 and f8 are one picture (a letter F
    /// stored in different orientations, upright once decoded), so they are one family with one query.
    /// </summary>
    public static readonly IReadOnlyList<(string Family, string Query, string[] Prefixes)> Photos =
    [
        ("branches", "imaging/branches.jpg", ["branches."]),
        ("flowers", "imaging/flowers.png", ["flowers."]),
        ("letter-F", "imaging/orientation_0.jpg", ["orientation_", "f2-exif.", "f4-exif.", "f6-exif.", "f8-exif."]),
        ("has-lens-info", "exif-fragments/has-lens-info.jpg", ["has-lens-info."]),
        ("yellow_rose", "x-image/yellow_rose.png", ["yellow_rose"]),
        ("blue-purple-pink", "x-image/blue-purple-pink.png", ["blue-purple-pink"]),
        ("video-001", "go-image/video-001.png", ["video-001", "colormap."]),
        ("video-005", "go-image/video-005.gray.png", ["video-005"]),
    ];

    private QualitySet(List<SetItem> items, List<int> queries, int skipped)
    {
        Items = items;
        Queries = queries;
        Skipped = skipped;
    }

    public IReadOnlyList<SetItem> Items { get; }

    /// <summary>Indexes into <see cref="Items"/> of the query of each photo family.</summary>
    public IReadOnlyList<int> Queries { get; }

    /// <summary>Corpus files left out because they do not decode (broken on purpose, or a format Iris does not read).</summary>
    public int Skipped { get; }

    public int CountOf(Func<SetItem, bool> which) => Items.Count(which);

    public static QualitySet Build(string corpus, string scratch, IImageDecoder decoder, Action<string> log)
    {
        var prober = new HeaderProber();
        DecodedImage? Decode(string path)
        {
            try
            {
                var probe = prober.ProbeAsync(path, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                return decoder.Decode(path, probe, PreviewStage.MaxSide, CancellationToken.None);
            }
            catch (IngestionException)
            {
                return null;
            }
        }

        var items = new List<SetItem>();
        var skipped = 0;
        var files = Directory.EnumerateFiles(corpus, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(corpus, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("exif-tagged/", StringComparison.Ordinal) && !f.EndsWith(".md", StringComparison.Ordinal)
                        && !f.EndsWith(".sng", StringComparison.Ordinal) && !f.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var image = Decode(Path.Combine(corpus, file));
            if (image is null) skipped++;
            else items.Add(new SetItem(file, FamilyOf(file), null, image));
        }
        log($"{items.Count} corpus images decode ({skipped} left out); making {Edits.Kinds.Count} edited copies of each of {Photos.Count} photos");

        var queries = new List<int>();
        foreach (var (family, query, _) in Photos)
        {
            var index = items.FindIndex(i => i.Label == query);
            if (index < 0) throw new InvalidOperationException($"The query photo {query} is not in the corpus or does not decode.");
            queries.Add(index);
            foreach (var kind in Edits.Kinds)
            {
                var edited = Edits.Write(Path.Combine(corpus, query), kind, Path.Combine(scratch, $"{family}-{kind.Name}"));
                var image = Decode(edited) ?? throw new InvalidOperationException($"The {kind.Name} copy of {query} does not decode.");
                items.Add(new SetItem($"{query} [{kind.Name}]", family, kind.Name, image));
            }
        }
        return new QualitySet(items, queries, skipped);
    }

    /// <summary>The picture a corpus file shows: the photo family whose prefix its name starts with, else its name up to the first dot.</summary>
    internal static string FamilyOf(string file)
    {
        var name = Path.GetFileName(file);
        foreach (var (family, _, prefixes) in Photos)
        {
            if (prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))) return family;
        }
        return name.Split('.')[0];
    }
}

/// <summary>The edits a copy can have gone through, each made with libvips from the full-size original.</summary>
internal static class Edits
{
    public sealed record Kind(string Name, string What, Func<Image, Image> Apply, bool Jpeg = false);

    public static readonly IReadOnlyList<Kind> Kinds =
    [
        new("crop", "the central 60 % of width and height", i => i.ExtractArea(i.Width / 5, i.Height / 5, Math.Max(1, i.Width * 3 / 5), Math.Max(1, i.Height * 3 / 5))),
        new("turn90", "turned 90° clockwise", i => i.Rot90()),
        new("grey", "grey (B_W colourspace)", i => i.Colourspace(Enums.Interpretation.Bw)),
        new("blur", "Gaussian blur, sigma 3 px at full size", i => i.Gaussblur(3)),
        new("down4", "downscaled to 1/4 per side", i => i.Resize(0.25)),
        new("colour", "hue turned 45°, chroma ×1.3 (LCh)", ColourShift),
        new("jpeg10", "recompressed as JPEG quality 10", i => i.Copy(), Jpeg: true),
    ];

    /// <summary>Writes the edited copy of <paramref name="original"/> next to <paramref name="pathWithoutExtension"/> (PNG, or JPEG) and returns its path.</summary>
    public static string Write(string original, Kind kind, string pathWithoutExtension)
    {
        using var loaded = Image.NewFromFile(original, access: Enums.Access.Random);
        using var upright = loaded.Autorot();
        using var opaque = upright.HasAlpha() ? upright.Flatten(background: [255.0]) : upright.Copy();
        using var edited = kind.Apply(opaque);
        using var bytes = edited.Cast(Enums.BandFormat.Uchar);
        var path = pathWithoutExtension + (kind.Jpeg ? ".jpg" : ".png");
        if (kind.Jpeg) bytes.Jpegsave(path, q: 10);
        else bytes.Pngsave(path);
        return path;
    }

    private static Image ColourShift(Image image)
    {
        if (image.Bands < 3) return image.Copy();
        using var lch = image.Colourspace(Enums.Interpretation.Lch);
        using var shifted = lch.Linear([1.0, 1.3, 1.0], [0.0, 0.0, 45.0]);
        return shifted.Colourspace(Enums.Interpretation.Srgb);
    }
}
