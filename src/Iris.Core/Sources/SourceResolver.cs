using System.Text.RegularExpressions;
using Iris.Blobs;
using Iris.Ingestion;
using Iris.Models;

namespace Iris.Sources;

/// <summary>Picks the source that reads a job's image: its upload if it has one, else by the path's scheme.</summary>
public sealed partial class SourceResolver
{
    private readonly UploadSource _uploads;
    private readonly IReadOnlyList<IImageSource> _sources;

    /// <param name="uploads">Reads every job that has a blob, whatever its path.</param>
    /// <param name="sources">Asked in order by <see cref="IImageSource.CanRead"/> (file, s3, http and https).</param>
    public SourceResolver(UploadSource uploads, IEnumerable<IImageSource> sources)
    {
        _uploads = uploads;
        _sources = [.. sources];
    }

    /// <summary>Every source: uploads, <c>file:///</c>, <c>s3://</c> and <c>http(s)://</c> (the last two through their own clients).</summary>
    public SourceResolver(IrisOptions options, IBlobStore blobs, TempFolder temp, S3Access s3)
        : this(new UploadSource(blobs, temp), [new FileSource(options), new S3Source(s3, temp), new HttpSource(options, temp)])
    {
    }

    /// <summary>The source for <paramref name="job"/>; throws <c>unsupported_uri_scheme</c> if none reads it.</summary>
    public IImageSource Resolve(IngestionJob job)
    {
        if (job.BlobSha256 is not null) return _uploads;
        foreach (var source in _sources)
        {
            if (source.CanRead(job.Path)) return source;
        }
        // upload:// without a blob: the upload source says the file is not stored.
        if (_uploads.CanRead(job.Path)) return _uploads;

        var shown = Reasons.Shorten(job.Path);
        var scheme = SchemePattern().Match(job.Path) is { Success: true } m ? m.Groups[1].Value.ToLowerInvariant() : null;
        var reason = scheme switch
        {
            null => $"{shown} is not a URI; write file:///absolute/path, s3://bucket/key, http(s)://host/path, or upload the file.",
            _ => $"{shown} uses the {scheme}:// scheme, which Iris does not read; use file:///, s3://, http:// or https://, or upload the file.",
        };
        throw new IngestionException(ErrorCodes.UnsupportedUriScheme, reason);
    }

    [GeneratedRegex("^([A-Za-z][A-Za-z0-9+.-]*)://")]
    private static partial Regex SchemePattern();
}
