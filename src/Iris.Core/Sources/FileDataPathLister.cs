using System.Runtime.CompilerServices;

namespace Iris.Sources;

/// <summary>
/// Lists the image files under a <c>file:///dir/</c> dataPath, recursively, in ordinal order. The
/// folder must be below an allowed root (compared as real paths); symlinked folders are not
/// followed, and a symlinked file is still checked by <see cref="FileSource"/> when it is ingested.
/// </summary>
public sealed class FileDataPathLister(IrisOptions options) : IDataPathLister
{
    internal static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".jpg", ".jpeg", ".jpe", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp", ".avif", ".heic", ".heif",
    };

    public bool CanList(string dataPath) => dataPath.StartsWith("file:///", StringComparison.OrdinalIgnoreCase);

    public async IAsyncEnumerable<string> ListAsync(string dataPath, int max, [EnumeratorCancellation] CancellationToken ct)
    {
        var shown = Ingestion.Reasons.Shorten(dataPath);
        var folder = Uri.UnescapeDataString(dataPath["file://".Length..]);
        var real = folder.Contains('\0') ? null : NativeFile.RealPath(folder, out _);
        var roots = AllowedRoots.Resolve(options.AllowedRoots);
        if (real is null || !AllowedRoots.Contains(roots, real))
        {
            // Like FileSource: outside the roots, a missing folder and an existing one answer alike.
            throw new DataPathException(real is null && FileSourcePlacement.IsInside(folder, roots)
                ? $"{shown} does not exist."
                : $"{shown} is outside the folders this server may read (--allow-root).");
        }
        if (!Directory.Exists(real)) throw new DataPathException($"{shown} is not a folder.");

        var files = new List<string>();
        var enumeration = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.ReparsePoint, // no symlinked folders: they could lead out of the root
            MatchType = MatchType.Simple,
        };
        foreach (var file in Directory.EnumerateFiles(real, "*", enumeration))
        {
            ct.ThrowIfCancellationRequested();
            if (!ImageExtensions.Contains(Path.GetExtension(file))) continue;
            files.Add(file);
            if (files.Count > max) break;
        }
        files.Sort(StringComparer.Ordinal);
        foreach (var file in files)
        {
            // '%' is the only character FileSource decodes, so it is the only one to encode.
            yield return "file://" + file.Replace("%", "%25", StringComparison.Ordinal);
        }
        await Task.CompletedTask;
    }
}
