using Iris.Ingestion;
using Iris.Models;

namespace Iris.Sources;

/// <summary>
/// Reads <c>file:///absolute/path</c> images in place, only below one of <see cref="IrisOptions.AllowedRoots"/>.
/// Roots and files are compared as real paths (symlinks and <c>..</c> resolved by the kernel), so no
/// spelling of a path can reach outside the roots.
/// </summary>
public sealed class FileSource(IrisOptions options) : IImageSource
{
    private const string Prefix = "file://";

    public bool CanRead(string path) => path.StartsWith("file:", StringComparison.OrdinalIgnoreCase);

    public ValueTask<SourceFile> FetchAsync(IngestionJob job, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Open(job.Path));
    }

    private SourceFile Open(string uri)
    {
        var shown = Reasons.Shorten(uri);
        var path = LocalPath(uri, shown);
        if (options.AllowedRoots.Count == 0)
            throw Denied($"{shown} cannot be read: this server was started without --allow-root, so it may read no local files.");

        var roots = AllowedRoots.Resolve(options.AllowedRoots);
        var real = NativeFile.RealPath(path, out var errno);
        if (real is null)
        {
            // Say file_not_found only for a path that would be inside a root; outside, a missing file and
            // an existing one must answer alike, or the error would tell what exists on the server.
            if (!FileSourcePlacement.IsInside(path, roots)) throw Outside(shown);
            if (errno is NativeFile.ENOENT or NativeFile.ENOTDIR)
                throw new IngestionException(ErrorCodes.FileNotFound, $"{shown} does not exist.");
            throw Denied($"{shown} cannot be read: {NativeFile.Describe(errno)}.");
        }
        if (!AllowedRoots.Contains(roots, real)) throw Outside(shown);

        var (kind, size) = NativeFile.Stat(real, out errno);
        switch (kind)
        {
            case NativeFile.Kind.Missing when errno == NativeFile.EACCES:
                throw Denied($"The server has no permission to read {shown}.");
            case NativeFile.Kind.Missing:
                throw new IngestionException(ErrorCodes.FileNotFound, $"{shown} does not exist.");
            case NativeFile.Kind.Directory:
                throw new IngestionException(ErrorCodes.UnsupportedFormat, $"{shown} is a folder, not an image file.");
            case NativeFile.Kind.Other:
                throw new IngestionException(ErrorCodes.UnsupportedFormat, $"{shown} is not a regular file (it is a device, pipe or socket).");
        }
        if (size > options.MaxImageBytes) throw Reasons.TooLarge(size, options.MaxImageBytes);

        // Opening is the only reliable test of read permission (ACLs, root squash...).
        try
        {
            using var handle = File.OpenHandle(real, FileMode.Open, FileAccess.Read);
        }
        catch (UnauthorizedAccessException)
        {
            throw Denied($"The server has no permission to read {shown}.");
        }
        catch (FileNotFoundException)
        {
            throw new IngestionException(ErrorCodes.FileNotFound, $"{shown} does not exist.");
        }
        return new SourceFile(real, isTemporary: false);
    }

    /// <summary>The absolute path of <c>file:///a%20b.jpg</c>: percent-decoded, host-less, without NUL.</summary>
    private static string LocalPath(string uri, string shown)
    {
        if (!uri.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            throw new IngestionException(ErrorCodes.UnsupportedUriScheme, $"{shown} is not a valid file URI; write file:///absolute/path.");
        var rest = uri[Prefix.Length..];
        if (!rest.StartsWith('/'))
        {
            var host = rest.Split('/')[0];
            throw new IngestionException(ErrorCodes.UnsupportedUriScheme,
                $"{shown} names the host '{Reasons.Shorten(host)}'; Iris reads only files of its own machine, written file:///absolute/path.");
        }
        // The rest is a plain path: '?' and '#' are legal in file names, so no query or fragment is split off.
        var path = Uri.UnescapeDataString(rest);
        if (path.Contains('\0'))
            throw new IngestionException(ErrorCodes.FileNotFound, $"{shown} is not a valid file path (it contains a NUL character).");
        return path;
    }

    private static IngestionException Denied(string reason) => new(ErrorCodes.PermissionDenied, reason);

    private static IngestionException Outside(string shown) =>
        Denied($"{shown} is outside the folders this server may read (--allow-root).");
}
