using System.Buffers;
using System.Security.Cryptography;
using Iris.Models;
using Iris.Sources;

namespace Iris.Ingestion;

/// <summary>
/// Gets the image's bytes as a local file and reads them once to take their size and SHA-256
/// (hashing is part of the fetch: the file counts as downloaded when all its bytes have been read).
/// </summary>
public sealed class FetchStage(SourceResolver sources, IrisOptions options, TimeProvider time) : IIngestionStage
{
    private const int BufferSize = 1024 * 1024;

    public string EventType => EventTypes.FileDownloaded;

    public async ValueTask RunAsync(IngestionContext context, CancellationToken ct)
    {
        var source = sources.Resolve(context.Job);
        context.Source = await source.FetchAsync(context.Job, ct);
        (context.SizeBytes, context.Sha256) = await HashAsync(context.Source.LocalPath, options.MaxImageBytes, ct);
        context.AddEvent(EventType, time);
    }

    /// <summary>Size and lowercase hex SHA-256 of the file, read once with a pooled buffer.</summary>
    internal static async Task<(long Size, string Sha256)> HashAsync(string path, long maxBytes, CancellationToken ct)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 0,
                FileOptions.SequentialScan | FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new IngestionException(ErrorCodes.FileNotFound, "The file disappeared before it could be read.");
        }
        catch (UnauthorizedAccessException)
        {
            throw new IngestionException(ErrorCodes.PermissionDenied, "The server has no permission to read the file.");
        }

        await using (stream)
        {
            if (stream.Length == 0) throw new IngestionException(ErrorCodes.UnsupportedFormat, "The file is empty (0 bytes).");
            if (stream.Length > maxBytes) throw Reasons.TooLarge(stream.Length, maxBytes);

            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                long total = 0;
                int read;
                while ((read = await stream.ReadAsync(buffer.AsMemory(0, BufferSize), ct)) > 0)
                {
                    total += read;
                    if (total > maxBytes) throw Reasons.TooLarge(total, maxBytes); // it grew while being read
                    sha.AppendData(buffer, 0, read);
                }
                if (total == 0) throw new IngestionException(ErrorCodes.UnsupportedFormat, "The file is empty (0 bytes).");
                return (total, Convert.ToHexStringLower(sha.GetHashAndReset()));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
