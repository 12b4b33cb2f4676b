namespace Iris.Bench;

/// <summary>
/// A benchmark's own section of docs/benchmarks.md, between its two marker comments: replaced in place, the rest of
/// the file left as it is, or added at the end when the markers are missing. Compiled into each benchmark that writes one.
/// </summary>
public static class MarkedSection
{
    public static void Write(string path, string begin, string end, string content)
    {
        var existing = File.Exists(path) ? File.ReadAllText(path) : "";
        var section = begin + "\n" + content + end;
        var start = existing.IndexOf(begin, StringComparison.Ordinal);
        var stop = existing.IndexOf(end, StringComparison.Ordinal);
        var text = start >= 0 && stop > start
            ? existing[..start] + section + existing[(stop + end.Length)..]
            : existing.TrimEnd() + (existing.Length > 0 ? "\n\n" : "") + section + "\n";
        File.WriteAllText(path, text);
    }
}
