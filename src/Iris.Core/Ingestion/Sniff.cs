using System.Text.Unicode;

namespace Iris.Ingestion;

/// <summary>Guesses what a file that is not a supported image is, for a reason a person can act on.</summary>
internal static class Sniff
{
    /// <summary>"HTML", "a PDF document", "text"...; null when nothing obvious matches.</summary>
    public static string? Describe(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("%PDF-"u8)) return "a PDF document";
        if (head.StartsWith("PK\x03\x04"u8)) return "a ZIP archive";
        if (head.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B])) return "a gzip archive";
        if (head.StartsWith("8BPS"u8)) return "a Photoshop document, which Iris does not read";
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x0A]) || head.StartsWith("\0\0\0\x0cJXL "u8)) return "a JPEG XL image, which Iris does not read";
        if (head.StartsWith("ID3"u8)) return "an MP3 audio file";
        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("AVI "u8)) return "an AVI video";
        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WAVE"u8)) return "a WAV audio file";
        if (head.Length >= 8 && head[4..8].SequenceEqual("ftyp"u8)) return "a video (MP4 or QuickTime)";
        if (!IsText(head)) return null;

        var text = System.Text.Encoding.UTF8.GetString(head).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        bool Starts(string prefix) => text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);
        if (Starts("<!doctype html") || Starts("<html") || Starts("<head") || Starts("<body")) return "HTML";
        if (Starts("<svg") || (Starts("<?xml") && text.Contains("<svg", StringComparison.OrdinalIgnoreCase)))
            return "an SVG drawing, which Iris does not read";
        if (Starts("<?xml")) return "XML";
        if (Starts("{") || Starts("[")) return "JSON";
        return "text";
    }

    /// <summary>Valid UTF-8 (allowing a character cut at the end) with no control characters but whitespace.</summary>
    private static bool IsText(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty) return false;
        var valid = false;
        for (var cut = 0; cut <= 3 && cut < head.Length && !valid; cut++) valid = Utf8.IsValid(head[..^cut]);
        if (!valid) return false;
        foreach (var b in head)
        {
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0C)) return false;
        }
        return true;
    }
}
