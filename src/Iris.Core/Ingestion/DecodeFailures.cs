using System.Text.RegularExpressions;
using Iris.Models;

namespace Iris.Ingestion;

/// <summary>The sentences for images whose pixels do not decode; shared by the decoding engines.</summary>
internal static partial class DecodeFailures
{
    private const int MaxDetailLength = 200;

    public static string Name(string format) => format switch
    {
        "webp" => "WebP",
        _ => format.ToUpperInvariant(),
    };

    /// <summary>An image whose data stops or breaks partway: what the decoder said, cleaned for a person.</summary>
    public static IngestionException Damaged(string format, string? detail) =>
        new(ErrorCodes.UnsupportedFormat,
            $"The {Name(format)} file does not decode completely{(string.IsNullOrEmpty(detail) ? "" : $" ({detail})")}: "
            + "it is damaged or cut short. Re-export it or add an intact copy.");

    public static IngestionException HevcUnsupported() =>
        new(ErrorCodes.UnsupportedFormat,
            "The file is a HEIF/HEIC image compressed with HEVC, which this server cannot decode; convert it to JPEG or AVIF and add it again.");

    public static IngestionException HeaderMismatch(string format, int probedWidth, int probedHeight, int width, int height) =>
        new(ErrorCodes.UnsupportedFormat,
            $"The {Name(format)} file is inconsistent: its header says {probedWidth}×{probedHeight} but its image data is {width}×{height}. It is damaged.");

    /// <summary>
    /// libvips' error text reduced to its distinct messages: no "unable to ..." wrappers, no class prefixes,
    /// no server-side file paths, at most <see cref="MaxDetailLength"/> characters. libvips keeps one error
    /// buffer per process, so a message can carry another image's failure that happened at the same instant:
    /// every absolute path is replaced, not only this image's, so nothing of another image's location leaks.
    /// </summary>
    public static string CleanVipsMessage(string message, string localPath)
    {
        var parts = new List<string>();
        foreach (var raw in message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            // "unable to call thumbnail", "unable to copy to memory": which libvips step failed, not why.
            if (raw.StartsWith("unable to ", StringComparison.Ordinal)) continue;
            var line = QuotedPath().Replace(ClassPrefix().Replace(raw, ""), "the file");
            line = line.Replace(localPath, "the file", StringComparison.Ordinal);
            line = UnquotedPath().Replace(line, "a file").TrimEnd('.');
            if (line.Length > 0 && !parts.Contains(line)) parts.Add(line);
        }
        var detail = string.Join("; ", parts);
        return detail.Length <= MaxDetailLength ? detail : detail[..(MaxDetailLength - 1)] + "…";
    }

    [GeneratedRegex(@"^[A-Za-z0-9_]+: ")]
    private static partial Regex ClassPrefix();

    [GeneratedRegex("\"/[^\"]*\"")]
    private static partial Regex QuotedPath();

    [GeneratedRegex(@"(?<![\w.])/[^\s""':;,]+")]
    private static partial Regex UnquotedPath();
}
