using System.Globalization;
using System.Text.Json;

namespace Iris.Search;

/// <summary>
/// Coactive's <c>metadata_filters</c> as they map onto Iris's metadata: each clause names a top-level key of an image's
/// user metadata (whose values are strings, numbers or booleans), and an image passes when every clause holds.
/// <c>==</c> and <c>!=</c> compare a string with the value as text (a number as written, a boolean as true or false);
/// <c>==</c> with a boolean wants that boolean (or its text); <c>DateTimeRangeInclusive</c> reads the value as an ISO 8601
/// date-time or as seconds since the Unix epoch and wants it within the bounds given. A key the image lacks fails every
/// clause but <c>!=</c>.
/// </summary>
public sealed class MetadataFilter
{
    public static readonly MetadataFilter None = new([]);

    private readonly IReadOnlyList<MetadataClause> _clauses;

    public MetadataFilter(IReadOnlyList<MetadataClause> clauses) => _clauses = clauses;

    public bool IsEmpty => _clauses.Count == 0;

    public bool Matches(string? metadataJson)
    {
        if (_clauses.Count == 0) return true;
        if (metadataJson is null) return _clauses.All(c => c is MetadataClause.IsNot);
        using var document = JsonDocument.Parse(metadataJson);
        var root = document.RootElement;
        foreach (var clause in _clauses)
        {
            JsonElement value = default;
            var found = root.ValueKind == JsonValueKind.Object && root.TryGetProperty(clause.Key, out value);
            var holds = clause switch
            {
                MetadataClause.Is e => found && Text(value) == e.Value,
                MetadataClause.IsNot n => !found || Text(value) != n.Value,
                MetadataClause.IsBoolean b => found && Text(value) == (b.Value ? "true" : "false"),
                MetadataClause.InRange r => found && Epoch(value) is { } at
                                                  && (r.StartEpoch is not { } start || at >= start)
                                                  && (r.EndEpoch is not { } end || at <= end),
                _ => false,
            };
            if (!holds) return false;
        }
        return true;
    }

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    private static double? Epoch(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number) return value.GetDouble();
        if (value.ValueKind != JsonValueKind.String) return null;
        var text = value.GetString()!;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)) return seconds;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? (at - DateTimeOffset.UnixEpoch).TotalSeconds
            : null;
    }
}

/// <summary>One clause of <see cref="MetadataFilter"/>: Coactive's <c>==</c> (string or boolean), <c>!=</c> and <c>DateTimeRangeInclusive</c>.</summary>
public abstract record MetadataClause(string Key)
{
    public sealed record Is(string Key, string Value) : MetadataClause(Key);
    public sealed record IsNot(string Key, string Value) : MetadataClause(Key);
    public sealed record IsBoolean(string Key, bool Value) : MetadataClause(Key);
    public sealed record InRange(string Key, double? StartEpoch, double? EndEpoch) : MetadataClause(Key);
}
