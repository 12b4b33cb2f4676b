using System.Text.Json;
using Iris.Assets;
using Iris.Models;
using Iris.Sources;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Iris.Server.Api;

/// <summary>Where the images of an ingest job come from: a listed prefix, a CSV or JSON manifest; and the rules every path follows.</summary>
internal static class IngestionSources
{
    public const int MaxPathLength = 4096;
    public const int MaxUserIdLength = 1024;
    public const int MaxImagesPerDataPath = 100_000;
    private const int MaxCsvErrors = 100;

    /// <summary>Adds every image below <paramref name="dataPath"/> to <paramref name="all"/>; a 422 when it cannot be listed or holds too many.</summary>
    internal static async Task<UnprocessableEntity<HTTPValidationError>?> AddDataPathAsync(
        string dataPath, List<NewImage> all, IEnumerable<IDataPathLister> listers, CancellationToken ct, object[] loc, int maxDepth = 0)
    {
        var lister = listers.FirstOrDefault(l => l.CanList(dataPath));
        if (lister is null)
            return ValidationErrors.Single($"{loc[^1]} must be a file:/// folder below an allowed root or an s3://bucket/prefix/", "value_error", loc);
        var listed = 0;
        try
        {
            await foreach (var path in lister.ListAsync(dataPath, MaxImagesPerDataPath, ct))
            {
                if (++listed > MaxImagesPerDataPath)
                    return ValidationErrors.Single($"{loc[^1]} holds more than {MaxImagesPerDataPath} images; add it in parts", "too_long", loc);
                // A name no request could spell (control characters) would make an image no one can look up.
                if (PathProblem(path) is { } problem)
                    return ValidationErrors.Single($"{loc[^1]} holds {Shorten(path)}, which cannot be added: {problem.Msg}; rename it or add the others by images",
                        "value_error", loc);
                if (maxDepth > 0 && Depth(dataPath, path) > maxDepth) continue;
                all.Add(new NewImage(path, null, null));
            }
        }
        catch (DataPathException e)
        {
            return ValidationErrors.Single(e.Message, "value_error", loc);
        }
        return null;
    }

    /// <summary>How many folders deep below <paramref name="prefix"/> a listed path is: 1 for a file directly in it.</summary>
    private static int Depth(string prefix, string path)
    {
        var start = prefix.EndsWith('/') ? prefix.Length : prefix.Length + 1;
        return start >= path.Length ? 1 : path.AsSpan(start).Count('/') + 1;
    }

    /// <summary>
    /// Adds the rows of the CSV manifest at <paramref name="csvPath"/> to <paramref name="all"/>. Every problem is
    /// a 422 at <c>["body", "csvPath"]</c> whose message names the row (at most <see cref="MaxCsvErrors"/> of them).
    /// </summary>
    internal static async Task<UnprocessableEntity<HTTPValidationError>?> AddCsvAsync(
        string csvPath, List<NewImage> all, CsvManifestReader manifests, CancellationToken ct, object[] loc, bool json = false)
    {
        List<CsvManifestRow> rows;
        try
        {
            rows = await manifests.ReadAsync(csvPath, MaxImagesPerDataPath, ct, json);
        }
        catch (CsvManifestException e)
        {
            return ValidationErrors.Single(e.Message, e.TooManyRows ? "too_long" : "value_error", loc);
        }

        var errors = new ValidationErrors();
        foreach (var row in rows)
        {
            if (errors.Count >= MaxCsvErrors) break;
            if (PathProblem(row.Path) is { } problem)
            {
                errors.Add($"{row.Where}: path: {problem.Msg}", problem.Type, loc);
                continue;
            }
            if (row.Id is { Length: > MaxUserIdLength })
            {
                errors.Add($"{row.Where}: id: String should have at most {MaxUserIdLength} characters", "string_too_long", loc);
                continue;
            }
            string? metadata = null;
            if (row.Metadata is { } text)
            {
                try
                {
                    using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 32 });
                    var rowErrors = new ValidationErrors();
                    metadata = UserMetadataParser.Parse(doc.RootElement, rowErrors, ["metadata"]);
                    foreach (var error in rowErrors.ToResult().Value!.Detail)
                    {
                        var at = string.Join(".", error.Loc.Select(part => part.ToString()));
                        errors.Add($"{row.Where}: {at}: {error.Msg}", error.Type, loc);
                    }
                    if (rowErrors.Any) continue;
                }
                catch (JsonException e)
                {
                    errors.Add($"{row.Where}: metadata is not valid JSON ({e.Message}); write a JSON object such as {{\"k\": \"v\"}}, with the cell in double quotes",
                        "json_invalid", loc);
                    continue;
                }
            }
            all.Add(new NewImage(row.Path, row.Id, metadata));
        }
        return errors.Any ? errors.ToResult() : null;
    }

    private static string Shorten(string path) => path.Length <= 200 ? path : string.Concat(path.AsSpan(0, 120), "…", path.AsSpan(path.Length - 60));

    internal static string? CheckPath(string path, ValidationErrors errors, object[] loc)
    {
        if (PathProblem(path) is not { } problem) return path;
        errors.Add(problem.Msg, problem.Type, loc);
        return null;
    }

    /// <summary>What is wrong with a path (message and FastAPI type), or null when it may be added.</summary>
    internal static (string Msg, string Type)? PathProblem(string path)
    {
        if (path.Length == 0 || string.IsNullOrWhiteSpace(path)) return ("String should have at least 1 character", "string_too_short");
        if (path.Length > MaxPathLength) return ($"String should have at most {MaxPathLength} characters", "string_too_long");
        if (path.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0) return ("Paths cannot contain control characters", "value_error");
        return null;
    }
}
