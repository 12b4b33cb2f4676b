namespace Iris.Catalog;

/// <summary>
/// One image row as the catalog holds it, for answers written straight from the rows: the text columns are
/// the catalog's UTF-8 bytes, borrowed from its reader for the one call they are passed to (no string per
/// row, no record). A text column that is NULL has its <c>Has…</c> flag false.
/// </summary>
public readonly ref struct ImageRow
{
    public required Guid Id { get; init; }
    public required Guid DatasetId { get; init; }
    public required ReadOnlySpan<byte> Path { get; init; }
    public bool HasUserId { get; init; }
    public ReadOnlySpan<byte> UserId { get; init; }
    /// <summary>User metadata as stored: canonical JSON object text.</summary>
    public bool HasMetadata { get; init; }
    public ReadOnlySpan<byte> MetadataJson { get; init; }
    public required ReadOnlySpan<byte> Status { get; init; }
    /// <summary>Technical metadata as stored: JSON of <see cref="Models.TechnicalMetadata"/>.</summary>
    public bool HasTechnicalMetadata { get; init; }
    public ReadOnlySpan<byte> TechnicalMetadataJson { get; init; }
    public required ReadOnlySpan<byte> CreatedBy { get; init; }
    public required long CreatedAtMicros { get; init; }
    public required ReadOnlySpan<byte> UpdatedBy { get; init; }
    public required long UpdatedAtMicros { get; init; }
}

/// <summary>Receives image rows one at a time, in the order asked, while the catalog reads them (it must not block or keep them).</summary>
public interface IImageRowWriter
{
    void Write(in ImageRow row);
}
