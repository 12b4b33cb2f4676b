namespace Iris.Sources;

/// <summary>The <c>--allow-root</c> folders as real paths, and the test "is this real path below one".</summary>
internal static class AllowedRoots
{
    /// <summary>Resolved on every call: a root may be created or re-pointed while the server runs. Missing roots are left out.</summary>
    public static IReadOnlyList<string> Resolve(IEnumerable<string> roots)
    {
        var resolved = new List<string>();
        foreach (var root in roots)
        {
            if (NativeFile.RealPath(root, out _) is { } real) resolved.Add(real);
        }
        return resolved;
    }

    /// <summary>True if <paramref name="realPath"/> (already resolved) is a root or below one.</summary>
    public static bool Contains(IReadOnlyList<string> roots, string realPath) =>
        roots.Any(root => realPath == root
            || realPath.StartsWith(root.EndsWith('/') ? root : root + "/", StringComparison.Ordinal));
}

/// <summary>Where a path that does not resolve (a missing file) would be, to choose between "missing" and "outside".</summary>
internal static class FileSourcePlacement
{
    /// <summary>
    /// True if the missing <paramref name="path"/> would be below a root: its deepest existing ancestor,
    /// resolved, plus the missing names. False when a missing part is <c>.</c> or <c>..</c>, whose meaning
    /// depends on what does not exist; such a path is treated as outside.
    /// </summary>
    public static bool IsInside(string path, IReadOnlyList<string> roots)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var kept = parts.Length - 1; kept >= 0; kept--)
        {
            if (parts[kept] is "." or "..") return false;
            var ancestor = "/" + string.Join('/', parts[..kept]);
            if (NativeFile.RealPath(ancestor, out _) is { } real)
                return AllowedRoots.Contains(roots, Path.Join(real, string.Join('/', parts[kept..])));
        }
        return false;
    }
}
