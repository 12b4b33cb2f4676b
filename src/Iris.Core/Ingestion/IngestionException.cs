namespace Iris.Ingestion;

/// <summary>
/// A failure that ends an image in <c>error</c> with one of Coactive's error codes and a reason a
/// person can act on. Anything else thrown by a stage is a bug and ends as <c>unknown</c>.
/// </summary>
public sealed class IngestionException(string errorCode, string reason) : Exception(reason)
{
    public string ErrorCode { get; } = errorCode;
}
