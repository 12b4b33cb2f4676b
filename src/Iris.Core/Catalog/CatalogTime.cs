using Iris.Models;

namespace Iris.Catalog;

/// <summary>
/// The catalog keeps instants to the microsecond (what the wire shows and what PostgreSQL stores), in UTC. Engines
/// truncate what they are given, so a record they return equals what a later read gives.
/// </summary>
public static class CatalogTime
{
    private const long UnixEpochTicks = 621_355_968_000_000_000; // DateTime.UnixEpoch.Ticks

    /// <summary>Microseconds since the Unix epoch (UTC).</summary>
    public static long ToMicros(DateTimeOffset t) => (t.UtcTicks - UnixEpochTicks) / 10;

    public static DateTimeOffset FromMicros(long micros) => new(UnixEpochTicks + micros * 10, TimeSpan.Zero);

    public static DateTimeOffset Truncate(DateTimeOffset t) => FromMicros(ToMicros(t));

    public static ImageRecord Truncate(ImageRecord r) => r with
    {
        CreatedAt = Truncate(r.CreatedAt),
        UpdatedAt = Truncate(r.UpdatedAt),
        RequestAt = r.RequestAt is { } requestAt ? Truncate(requestAt) : null,
        LatestEvent = r.LatestEvent is { } e ? e with { At = Truncate(e.At) } : null,
    };

    public static IngestJob Truncate(IngestJob j) => j with
    {
        CreatedAt = Truncate(j.CreatedAt),
        UpdatedAt = Truncate(j.UpdatedAt),
        StartedAt = j.StartedAt is { } started ? Truncate(started) : null,
        FinishedAt = j.FinishedAt is { } finished ? Truncate(finished) : null,
    };
}
