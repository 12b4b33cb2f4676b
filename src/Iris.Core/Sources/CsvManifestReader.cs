using System.Text.Json;
using System.Text.RegularExpressions;
using CsvHelper;
using Iris.Blobs;
using Iris.Ingestion;
using Iris.Models;

namespace Iris.Sources;

/// <summary>One data row of a CSV manifest: its number (1 = the first row after the header), its line, and its cells.</summary>
public sealed record CsvManifestRow(long Row, long Line, string Path, string? Id, string? Metadata)
{
    /// <summary>"Row 3 (line 4)", for messages.</summary>
    public string Where => CsvManifestReader.Where(Row, Line);
}

/// <summary>Why a CSV manifest cannot be used, as a sentence for the client.</summary>
public sealed class CsvManifestException(string message, bool tooManyRows = false) : Exception(message)
{
    /// <summary>The manifest holds more rows than one request may add.</summary>
    public bool TooManyRows { get; } = tooManyRows;
}

/// <summary>
/// Reads a <c>csvPath</c> manifest: a comma-separated file (RFC 4180 quoting, UTF-8 or with a byte order
/// mark) whose header row names a <c>path</c> column and optionally <c>id</c> and <c>metadata</c> (a JSON
/// object per row); other columns are ignored. The file is fetched through the image sources, with their
/// rules (allowed roots, the network guard, the byte cap), and parsed as a stream with CsvHelper; at most
/// <c>maxRows</c> rows and <see cref="MaxRecordBytes"/> per row are accepted, so memory stays bounded.
/// </summary>
public sealed partial class CsvManifestReader(SourceResolver sources, IrisOptions options)
{
    private const string QuotingHint =
        "put values that hold commas or quotes (such as the metadata JSON) in double quotes and double the quotes inside, e.g. \"{\"\"k\"\": 1}\"";

    /// <summary>
    /// Largest row CsvHelper grows its buffer for, in bytes (a path, an id and a metadata object of a few hundred
    /// values fit many times over). A longer row is refused as soon as the buffer would pass about twice this.
    /// </summary>
    public const int MaxRecordBytes = 1024 * 1024;

    private static readonly CsvReaderOptions ReaderOptions = CsvReaderOptions.Default with
    {
        Separator = ',',
        HasHeader = true,
        MalformedData = CsvMalformedDataHandling.Throw,
        MaxRecordSize = MaxRecordBytes,
        TrackLineNumbers = true,
        SkipEmptyLines = true,
    };

    /// <summary>
    /// A reader fetching manifests with this server's sources: allowed roots for <c>file:///</c>, the shared S3
    /// client, and HTTP through the network guard (without the image-only Content-Type check).
    /// </summary>
    public static CsvManifestReader Create(IrisOptions options, IBlobStore blobs, TempFolder temp, S3Access s3) =>
        new(new SourceResolver(new UploadSource(blobs, temp),
            [
                new FileSource(options),
                new S3Source(s3, temp),
                new HttpSource(options, temp, new NetworkGuard(options.AllowPrivateNetwork), imagesOnly: false),
            ]),
            options);

    /// <summary>True for the schemes a manifest may be read from: file:///, s3://, http(s)://.</summary>
    public static bool CanRead(string csvPath) =>
        csvPath.StartsWith("file:", StringComparison.OrdinalIgnoreCase) || csvPath.StartsWith("s3://", StringComparison.OrdinalIgnoreCase)
        || csvPath.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || csvPath.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The rows of the manifest at <paramref name="csvPath"/>, CSV or (with <paramref name="json"/>) a JSON array of
    /// objects; throws <see cref="CsvManifestException"/>.
    /// </summary>
    public async Task<List<CsvManifestRow>> ReadAsync(string csvPath, int maxRows, CancellationToken ct, bool json = false)
    {
        var shown = Reasons.Shorten(csvPath);
        if (!CanRead(csvPath))
            throw new CsvManifestException($"{shown} cannot be read: csvPath must be a file:///, s3:// or http(s):// URL.");

        // A request waits for the download; bound it as an image's processing is bounded.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.ImageTimeout);
        var job = new IngestionJob(Guid.Empty, Guid.Empty, Guid.Empty, csvPath, null, 1, DateTimeOffset.MaxValue);
        SourceFile file;
        try
        {
            file = await sources.Resolve(job).FetchAsync(job, timeout.Token);
        }
        catch (IngestionException e)
        {
            throw new CsvManifestException($"The CSV file cannot be read ({e.ErrorCode}): {e.Message}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CsvManifestException($"{shown} could not be fetched within {options.ImageTimeout.TotalSeconds:0} seconds.");
        }

        await using (file)
        {
            await using var stream = new FileStream(file.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return json ? await ParseJsonAsync(stream, maxRows, ct) : await ParseAsync(stream, maxRows, ct);
        }
    }

    /// <summary>
    /// Parses a JSON manifest: an array of objects, each with <c>source_path</c> (or <c>path</c>) and optionally
    /// <c>id</c> and a <c>metadata</c> object; throws <see cref="CsvManifestException"/>.
    /// </summary>
    public static async Task<List<CsvManifestRow>> ParseJsonAsync(Stream stream, int maxRows, CancellationToken ct)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(stream, new JsonDocumentOptions { MaxDepth = 32 }, ct);
        }
        catch (JsonException e)
        {
            throw new CsvManifestException($"The JSON file is not valid JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
                throw new CsvManifestException("The JSON file must hold an array of objects such as {\"source_path\": \"s3://bucket/a.jpg\"}.");
            if (root.GetArrayLength() > maxRows)
                throw new CsvManifestException($"The JSON file has more than {maxRows} entries; split it into several files.", tooManyRows: true);
            var rows = new List<CsvManifestRow>(root.GetArrayLength());
            var row = 0;
            foreach (var item in root.EnumerateArray())
            {
                row++;
                if (item.ValueKind != JsonValueKind.Object)
                    throw new CsvManifestException($"Entry {row} of the JSON file is not an object.");
                string? Text(string name) =>
                    item.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
                        ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw new CsvManifestException($"Entry {row} of the JSON file: {name} must be a string.")
                        : null;
                var path = Text("source_path") ?? Text("path")
                    ?? throw new CsvManifestException($"Entry {row} of the JSON file has no source_path.");
                var metadata = item.TryGetProperty("metadata", out var m) && m.ValueKind != JsonValueKind.Null ? m.GetRawText() : null;
                rows.Add(new CsvManifestRow(row, 0, path, Text("id"), metadata));
            }
            return rows;
        }
    }

    /// <summary>Parses a manifest from <paramref name="stream"/> (left open); throws <see cref="CsvManifestException"/>.</summary>
    public static async Task<List<CsvManifestRow>> ParseAsync(Stream stream, int maxRows, CancellationToken ct)
    {
        await using var reader = CsvReader.Create(stream, ReaderOptions, leaveOpen: true);
        var rows = new List<CsvManifestRow>();
        try
        {
            await reader.ReadHeaderAsync(ct);
            var headers = reader.Headers;
            if (headers.Count == 0 || headers.All(string.IsNullOrWhiteSpace))
                throw new CsvManifestException("The CSV file is empty: it needs a header row with a 'path' column, then one row per image.");
            if (!reader.TryGetFieldIndex("path", out var pathColumn) && !reader.TryGetFieldIndex("source_path", out pathColumn))
                throw new CsvManifestException(
                    $"The header row of the CSV file has no 'path' or 'source_path' column (it has: {string.Join(", ", headers.Take(20).Select(h => $"'{Cut(h)}'"))}).");
            var idColumn = reader.TryGetFieldIndex("id", out var i) ? i : -1;
            var metadataColumn = reader.TryGetFieldIndex("metadata", out var m) ? m : -1;

            while (await reader.ReadAsync(ct))
            {
                var where = Where(reader.RowNumber, reader.LineNumber);
                if (IsBlank(reader)) continue; // ",," rows that spreadsheets leave at the end
                if (reader.FieldCount > headers.Count)
                    throw new CsvManifestException($"{where} of the CSV file has {reader.FieldCount} fields but the header has {headers.Count}; {QuotingHint}");
                if (rows.Count == maxRows)
                    throw new CsvManifestException($"The CSV file has more than {maxRows} rows; split it into several files.", tooManyRows: true);
                rows.Add(new CsvManifestRow(reader.RowNumber, reader.LineNumber, Cell(reader, pathColumn) ?? "",
                    Cell(reader, idColumn), Cell(reader, metadataColumn)));
            }
        }
        catch (CsvFormatException e)
        {
            // CsvHelper counts the header as record 1 and says so in its message; say it once, as rows are counted here.
            var row = e.RecordNumber > 1 ? $"{Where(e.RecordNumber - 1, e.LineNumber)} of the CSV file" : "The CSV file";
            if (e.Message.Contains(nameof(CsvReaderOptions.MaxRecordSize), StringComparison.Ordinal))
                throw new CsvManifestException(
                    $"{row} is longer than {MaxRecordBytes / (1024 * 1024)} MB, the most one row may hold (a double quote that is never closed makes the rest of the file one row).");
            var what = RecordPrefix().Replace(e.Message, "");
            throw new CsvManifestException($"{row} is malformed: {what.TrimEnd('.')}; {QuotingHint}");
        }
        return rows;
    }

    internal static string Where(long row, long line) => line > 0 ? $"Row {row} (line {line})" : $"Row {row}";

    private static string? Cell(CsvReader reader, int column) =>
        column < 0 || column >= reader.FieldCount || reader.IsEmpty(column) ? null : reader.GetString(column);

    private static bool IsBlank(CsvReader reader)
    {
        for (var c = 0; c < reader.FieldCount; c++)
        {
            if (!reader.IsEmpty(c)) return false;
        }
        return true;
    }

    [GeneratedRegex(@"^Malformed CSV in record \d+( \(line \d+\))?: ")]
    private static partial Regex RecordPrefix();

    private static string Cut(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
