using System.ComponentModel;
using System.Text.Json;
using Iris.Client;
using Spectre.Console.Cli;

namespace Iris.Cli.Commands;

/// <summary>Where the server is and who is calling: flags first, then IRIS_* variables, then the local server's stored credential.</summary>
public class ClientSettings : CommandSettings
{
    [CommandOption("--host <URL>")]
    [Description("Server address (env IRIS_HOST; default http://127.0.0.1:8080).")]
    public string? Host { get; init; }

    [CommandOption("--client-id <ID>")]
    [Description("Client id of a credential (env IRIS_CLIENT_ID).")]
    public string? ClientId { get; init; }

    [CommandOption("--client-secret <SECRET>")]
    [Description("Its secret (env IRIS_CLIENT_SECRET).")]
    public string? ClientSecret { get; init; }

    [CommandOption("--data <DIR>")]
    [Description("Data folder of a local server, whose credentials.json is used when no credential is given (env IRIS_DATA; default ./iris-data).")]
    public string? Data { get; init; }

    [CommandOption("--json")]
    [Description("Print JSON (for scripts) instead of tables.")]
    public bool Json { get; init; }

    /// <summary>The SDK configuration these settings and the environment describe.</summary>
    public Configuration ResolveConfiguration()
    {
        var host = Host ?? Env("IRIS_HOST") ?? Configuration.DefaultHost;
        if (!Uri.TryCreate(host, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new CliException(ExitCodes.Usage, $"--host must be an http:// or https:// address, not '{host}'.");

        var id = ClientId ?? Env("IRIS_CLIENT_ID");
        var secret = ClientSecret ?? Env("IRIS_CLIENT_SECRET");
        if (id is not null && secret is not null) return new Configuration(host, $"{id}:{secret}");
        if (id is not null || secret is not null)
            throw new CliException(ExitCodes.Unauthorized, "Give both the client id and the client secret (--client-id/--client-secret or IRIS_CLIENT_ID/IRIS_CLIENT_SECRET).");

        var data = Data ?? Env("IRIS_DATA") ?? new IrisOptions().DataDirectory;
        var file = Path.GetFullPath(Path.Combine(data, Server.Hosting.CredentialBootstrap.CredentialsFileName));
        if (!IsLocal(uri))
            throw new CliException(ExitCodes.Unauthorized,
                $"No credentials for {host}: pass --client-id and --client-secret, or set IRIS_CLIENT_ID and IRIS_CLIENT_SECRET.");
        if (!File.Exists(file))
            throw new CliException(ExitCodes.Unauthorized,
                $"No credentials: pass --client-id and --client-secret, set IRIS_CLIENT_ID and IRIS_CLIENT_SECRET, or point --data (IRIS_DATA) at the local server's data folder ({file} does not exist).");
        return new Configuration(host, ReadStoredToken(file));
    }

    private static string ReadStoredToken(string file)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            var root = document.RootElement;
            if (root.TryGetProperty("clientId", out var id) && id.ValueKind == JsonValueKind.String
                && root.TryGetProperty("clientSecret", out var secret) && secret.ValueKind == JsonValueKind.String)
                return $"{id.GetString()}:{secret.GetString()}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Unauthorized, $"Cannot read the stored credential {file}: {e.Message}");
        }
        catch (JsonException)
        {
        }
        throw new CliException(ExitCodes.Unauthorized, $"{file} does not hold {{\"clientId\", \"clientSecret\"}}.");
    }

    private static bool IsLocal(Uri uri) => uri.IsLoopback || uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase);

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
