namespace Iris.Cli.Commands;

/// <summary>The exit codes of <c>iris</c>, one per kind of outcome a script may want to tell apart.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Anything else: the server failed (5xx), refused the request (422, 413), or a local file could not be read.</summary>
    public const int Failure = 1;

    /// <summary>
    /// Bad command line: unknown command or option, missing argument, a path that does not exist; also a value the server
    /// refuses (422) as given (a dataset name or encoder, a search's query image).
    /// </summary>
    public const int Usage = 2;

    /// <summary>The server could not be reached (refused, unknown host, timed out).</summary>
    public const int Unreachable = 3;

    /// <summary>No credentials were found, or the server rejected them (401/403).</summary>
    public const int Unauthorized = 4;

    /// <summary>The dataset or image does not exist (or belongs to another organization), or <c>iris status</c> was asked about a path the dataset does not have.</summary>
    public const int NotFound = 5;

    /// <summary>A conflict: a dataset with that name exists, or the credential is the organization's last active one.</summary>
    public const int Conflict = 6;

    /// <summary>The command ran, but at least one image ended in <c>error</c> (or could not be uploaded).</summary>
    public const int ImagesFailed = 7;

    /// <summary>Interrupted (Ctrl+C).</summary>
    public const int Cancelled = 130;
}
