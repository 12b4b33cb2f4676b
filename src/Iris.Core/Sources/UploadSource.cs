using Iris.Blobs;
using Iris.Ingestion;
using Iris.Models;

namespace Iris.Sources;

/// <summary>
/// Reads uploaded images from the blob store. An upload's path is <c>upload://&lt;sha256&gt;/&lt;name&gt;</c>
/// by default but the user may choose any path, so the job's <see cref="IngestionJob.BlobSha256"/>,
/// not the path, says where the bytes are.
/// </summary>
public sealed class UploadSource(IBlobStore blobs, TempFolder temp) : IImageSource
{
    public const string Scheme = "upload://";

    public bool CanRead(string path) => path.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    public async ValueTask<SourceFile> FetchAsync(IngestionJob job, CancellationToken ct)
    {
        var sha = job.BlobSha256?.ToLowerInvariant();
        if (sha is null || sha.Length != 64 || !sha.All(char.IsAsciiHexDigitLower))
            throw new IngestionException(ErrorCodes.FileNotFound,
                $"No uploaded file is stored for {Reasons.Shorten(job.Path)}; upload the file again.");

        var key = BlobKeys.Upload(sha);
        var stream = await blobs.OpenReadAsync(key, ct)
            ?? throw new IngestionException(ErrorCodes.FileNotFound,
                $"The uploaded file for {Reasons.Shorten(job.Path)} is no longer stored; upload it again.");
        await using (stream)
        {
            // A folder store's file is read in place; other stores' bytes are copied to a scratch file, deleted on dispose.
            if (stream is FileStream local) return new SourceFile(local.Name, isTemporary: false);
            var file = new SourceFile(temp.NewPath(), isTemporary: true);
            try
            {
                await using var target = new FileStream(file.LocalPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
                await stream.CopyToAsync(target, ct);
                return file;
            }
            catch
            {
                await file.DisposeAsync();
                throw;
            }
        }
    }
}
