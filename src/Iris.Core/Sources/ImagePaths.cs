using System.Text;

namespace Iris.Sources;

/// <summary>
/// One spelling per file: <c>file://</c> paths are normalized as RFC 3986 section 6.2.2 says (the scheme in lower
/// case, percent-encoded unreserved characters decoded, the hex digits of the other escapes in upper case, dot
/// segments removed), so <c>file:///srv/iris/../photos/a.jpg</c> and <c>file:///srv/photos/a.jpg</c> are the same
/// image whichever the user typed. Other schemes are left exactly as given: an S3 key is a name, not a path.
/// </summary>
public static class ImagePaths
{
    private const string FileScheme = "file://";

    public static string Normalize(string path)
    {
        if (!path.StartsWith(FileScheme, StringComparison.OrdinalIgnoreCase)) return path;
        var rest = path.AsSpan(FileScheme.Length);
        // A host (file://server/share) is refused by the file source as it is; its spelling is kept for the reason.
        if (rest.IsEmpty || rest[0] != '/') return path;
        if (path.StartsWith(FileScheme, StringComparison.Ordinal) && !NeedsWork(rest)) return path;
        return FileScheme + RemoveDotSegments(NormalizeEscapes(rest));
    }

    // The fast path for the common case: no escapes and no "." or ".." segment.
    private static bool NeedsWork(ReadOnlySpan<char> path)
    {
        if (path.Contains('%')) return true;
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] != '.' || (i > 0 && path[i - 1] != '/')) continue;
            var end = i + 1 < path.Length && path[i + 1] == '.' ? i + 2 : i + 1;
            if (end == path.Length || path[end] == '/') return true;
        }
        return false;
    }

    private static string NormalizeEscapes(ReadOnlySpan<char> path)
    {
        var result = new StringBuilder(path.Length);
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] == '%' && i + 2 < path.Length && IsHex(path[i + 1]) && IsHex(path[i + 2]))
            {
                var value = (char)Convert.ToByte(path.Slice(i + 1, 2).ToString(), 16);
                if (IsUnreserved(value)) result.Append(value);
                else result.Append('%').Append(char.ToUpperInvariant(path[i + 1])).Append(char.ToUpperInvariant(path[i + 2]));
                i += 2;
            }
            else
            {
                result.Append(path[i]);
            }
        }
        return result.ToString();
    }

    /// <summary>RFC 3986 section 5.2.4 on an absolute path: "." segments go, ".." takes the segment before it (never above the root).</summary>
    internal static string RemoveDotSegments(string path)
    {
        var segments = path.Split('/');
        var kept = new List<string>(segments.Length);
        // segments[0] is the empty name before the leading '/'.
        for (var i = 1; i < segments.Length; i++)
        {
            var segment = segments[i];
            var last = i == segments.Length - 1;
            if (segment == ".")
            {
                if (last) kept.Add(""); // "/a/." is "/a/"
            }
            else if (segment == "..")
            {
                if (kept.Count > 0) kept.RemoveAt(kept.Count - 1);
                if (last) kept.Add("");
            }
            else
            {
                kept.Add(segment);
            }
        }
        return "/" + string.Join('/', kept);
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';
}
