using Iris.Cli.Commands;
using Microsoft.Extensions.FileSystemGlobbing;

namespace Iris.Cli.Ingest;

/// <summary>A local file to ingest and the path it has in the dataset.</summary>
public sealed record LocalFile(string FullPath, string IrisPath);

/// <summary>
/// Turns the PATH arguments into local files and remote paths: folders (recursively, image files only), files (any),
/// globs (<c>*</c>, <c>?</c>, <c>**</c>, <c>[...]</c>), <c>file://</c> URIs, and <c>s3://</c> / <c>http(s)://</c> paths as they are.
/// </summary>
public static class InputPaths
{
    public static readonly IReadOnlySet<string> ImageExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp", ".avif", ".heic", ".heif",
    };

    public static bool IsRemote(string path) =>
        path.StartsWith("s3://", StringComparison.OrdinalIgnoreCase)
        || path.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
        || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The dataset path of a local file: its absolute <c>file://</c> URI. Only '%' is escaped (the server unescapes
    /// file paths), so the path stays readable and is the same on every run.
    /// </summary>
    public static string IrisPathOf(string fullPath)
    {
        var path = fullPath.Replace('\\', '/').Replace("%", "%25", StringComparison.Ordinal);
        return path.StartsWith('/') ? "file://" + path : "file:///" + path;
    }

    public static (List<LocalFile> Local, List<string> Remote) Expand(IEnumerable<string> arguments)
    {
        var local = new List<LocalFile>();
        var remote = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var argument in arguments)
        {
            if (IsRemote(argument))
            {
                if (seen.Add(argument)) remote.Add(argument);
                continue;
            }
            foreach (var file in LocalFiles(argument))
            {
                var irisPath = IrisPathOf(file);
                if (seen.Add(irisPath)) local.Add(new LocalFile(file, irisPath));
            }
        }
        return (local, remote);
    }

    private static IEnumerable<string> LocalFiles(string argument)
    {
        var path = argument;
        if (path.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
            path = Uri.UnescapeDataString(path["file://".Length..]);
        else if (path.Contains("://", StringComparison.Ordinal))
            throw new CliException(ExitCodes.Usage, $"{argument}: only local paths, s3://, http:// and https:// can be ingested.");

        if (path.IndexOfAny(['*', '?', '[']) >= 0 && !File.Exists(path) && !Directory.Exists(path)) return Glob(argument, path);
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, MatchType = MatchType.Simple };
            return Directory.EnumerateFiles(full, "*", options)
                .Where(f => ImageExtensions.Contains(Path.GetExtension(f)))
                .Order(StringComparer.Ordinal)
                .ToList();
        }
        if (File.Exists(full)) return [full];
        throw new CliException(ExitCodes.Usage, $"{argument}: no such file or folder.");
    }

    private static List<string> Glob(string argument, string pattern)
    {
        // The folder part before the first segment with a wildcard is the root the pattern is matched under.
        var full = Path.GetFullPath(pattern).Replace('\\', '/');
        var segments = full.Split('/');
        var first = Array.FindIndex(segments, s => s.IndexOfAny(['*', '?', '[']) >= 0);
        var root = string.Join('/', segments[..first]);
        if (root.Length == 0) root = "/";
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(string.Join('/', segments[first..]));
        var files = Directory.Exists(root) ? matcher.GetResultsInFullPath(root).Order(StringComparer.Ordinal).ToList() : [];
        return files.Count > 0 ? files : throw new CliException(ExitCodes.Usage, $"{argument}: no files match.");
    }
}
