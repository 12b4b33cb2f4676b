namespace Iris.Models;

/// <summary>Ingestion status of an image, as it goes over the wire.</summary>
public static class ImageStatus
{
    public const string Pending = "pending";
    public const string ProcessingStarted = "processing_started";
    public const string Completed = "completed";
    public const string Error = "error";

    /// <summary>Answer of the statuses endpoint for a path the dataset never had.</summary>
    public const string NotFound = "not_found";

    public static bool IsTerminal(string status) => status is Completed or Error;
}

/// <summary>Coactive's error codes; the only values <c>errorCode</c> takes.</summary>
public static class ErrorCodes
{
    public const string FileNotFound = "file_not_found";
    public const string PermissionDenied = "permission_denied";
    public const string BrokenUrl = "broken_url";
    public const string FileTooLarge = "file_too_large";
    public const string ResolutionOutOfSpec = "resolution_out_of_spec";
    public const string UnsupportedFormat = "unsupported_format";
    public const string UnsupportedUriScheme = "unsupported_uri_scheme";
    public const string UnknownContentType = "unknown_content_type";
    public const string AssetMetadataError = "asset_metadata_error";
    public const string Unknown = "unknown";
}

/// <summary>The event types an image's history is made of, in pipeline order.</summary>
public static class EventTypes
{
    public const string Received = "received";
    public const string FileDownloaded = "file_downloaded";
    public const string KindDetermined = "kind_determined";
    public const string MetadataStored = "metadata_stored";
    public const string Stored = "stored";
    public const string Completed = "completed";
    public const string Error = "error";
}
