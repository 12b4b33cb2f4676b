namespace Iris.Cli.Commands;

/// <summary>A failure with a one-line message for the user and the exit code it maps to.</summary>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
