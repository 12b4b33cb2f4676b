namespace Iris.Ingestion;

/// <summary>
/// A failure that ends an image in <c>error</c> with one of Coactive's error codes and a reason a
/// person can act on. Anything else thrown by a stage is a bug and ends as <c>unknown</c>.
/// </summary>
public sealed class IngestionException(string errorCode, string reason) : Exception(reason)
{
    public string ErrorCode { get; } = errorCode;

    /// <summary>What a header that could not be read to the end still told (a JPEG cut short after its EXIF), kept with the error.</summary>
    public PartialHeader? PartialHeader { get; init; }
}

/// <summary>The format of a file whose header is incomplete, and its size when the header got that far.</summary>
public sealed record PartialHeader(string Format, int? Width, int? Height);
