using System.Globalization;
using Iris.Models;

namespace Iris.Ingestion;

/// <summary>Small helpers for the sentences that end up in <c>errorReason</c> and for recording events.</summary>
internal static class Reasons
{
    /// <summary>A path as it may appear in a reason: user paths can be long, so keep the start and the end.</summary>
    public static string Shorten(string path) =>
        path.Length <= 200 ? path : string.Concat(path.AsSpan(0, 120), "…", path.AsSpan(path.Length - 60));

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} bytes",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.##} GB"),
    };

    public static IngestionException TooLarge(long size, long limit) =>
        new(ErrorCodes.FileTooLarge, $"The file is {Bytes(size)}; the limit is {Bytes(limit)}.");

    /// <summary>Records the stage's event at the current time.</summary>
    public static void AddEvent(this IngestionContext context, string eventType, TimeProvider time, string? detail = null) =>
        context.Events.Add(new ImageEvent(eventType, time.GetUtcNow(), detail));
}
