using System.Text.Json;

namespace Iris.Server.Api;

/// <summary>Coactive's metadata update types over stored (canonical) metadata JSON.</summary>
public static class MetadataMerge
{
    /// <summary>
    /// <c>overwrite</c> replaces the metadata with <paramref name="given"/>; <c>upsert</c> sets the given keys and keeps
    /// the others; <c>remove</c> drops the given keys (their values do not matter). Null means no metadata.
    /// </summary>
    public static string? Apply(string updateType, string? current, string? given)
    {
        if (updateType == "overwrite") return given;
        if (given is null || current is null) return updateType == "upsert" ? given ?? current : current;
        using var currentDoc = JsonDocument.Parse(current);
        using var givenDoc = JsonDocument.Parse(given);
        var givenKeys = givenDoc.RootElement.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var kept = currentDoc.RootElement.EnumerateObject().Where(p => !givenKeys.Contains(p.Name)).ToList();
        if (updateType == "remove" && kept.Count == 0) return null;
        return JsonText.Write(w =>
        {
            w.WriteStartObject();
            foreach (var p in kept) p.WriteTo(w);
            if (updateType == "upsert")
            {
                foreach (var p in givenDoc.RootElement.EnumerateObject()) p.WriteTo(w);
            }
            w.WriteEndObject();
        });
    }
}
