using System.Net.Sockets;
using Iris.Client;
using Spectre.Console.Cli;

namespace Iris.Cli.Commands;

/// <summary>What a client command works with: the SDK's APIs over one connection, and how to print.</summary>
public sealed class Session(ApiClient client, bool json)
{
    public ApiClient Client { get; } = client;
    public ImageApi Images { get; } = new(client);
    public DatasetApi Datasets { get; } = new(client);
    public SearchApi Search { get; } = new(client);
    public string Host => Client.Configuration.Host;
    public bool Json { get; } = json;

    /// <summary>A dataset by id or by name; a one-line error (exit 5) when there is none.</summary>
    public async Task<DatasetResponse> ResolveDatasetAsync(string nameOrId, CancellationToken ct)
    {
        if (Guid.TryParse(nameOrId, out var id))
        {
            try
            {
                return await Datasets.GetDatasetAsync(id, ct);
            }
            catch (ApiException e) when (e.StatusCode == 404)
            {
                throw new CliException(ExitCodes.NotFound, $"No dataset with id {id}.");
            }
        }
        return await Datasets.FindDatasetByNameAsync(nameOrId, ct)
               ?? throw new CliException(ExitCodes.NotFound, $"No dataset named '{nameOrId}' (see 'iris datasets list').");
    }
}

/// <summary>
/// Base of the commands that talk to a server: resolves the connection, runs, and turns every failure into one
/// line on stderr and an exit code (never a stack trace).
/// </summary>
public abstract class ClientCommand<TSettings> : AsyncCommand<TSettings> where TSettings : ClientSettings
{
    public sealed override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        string host = settings.Host ?? "the server";
        try
        {
            var configuration = settings.ResolveConfiguration();
            host = configuration.Host;
            using var client = new ApiClient(configuration);
            return await RunAsync(new Session(client, settings.Json), settings, cancellationToken);
        }
        catch (CliException e)
        {
            return Fail(e.ExitCode, e.Message);
        }
        catch (ApiException e)
        {
            return e.StatusCode switch
            {
                401 => Fail(ExitCodes.Unauthorized, $"{host} rejected the credentials ({e.Detail ?? e.Message}); check --client-id/--client-secret or IRIS_CLIENT_ID/IRIS_CLIENT_SECRET."),
                403 => Fail(ExitCodes.Unauthorized, $"{host} refused the request ({e.Detail ?? e.Message})."),
                404 => Fail(ExitCodes.NotFound, e.Detail ?? e.Message),
                409 => Fail(ExitCodes.Conflict, e.Detail ?? e.Message),
                _ => Fail(ExitCodes.Failure, $"{host} answered {e.Message}"),
            };
        }
        catch (HttpRequestException e)
        {
            var reason = e.InnerException is SocketException socket ? socket.Message : e.Message;
            return Fail(ExitCodes.Unreachable, $"Cannot reach the Iris server at {host}: {reason}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Fail(ExitCodes.Cancelled, "Interrupted.");
        }
        catch (TaskCanceledException)
        {
            return Fail(ExitCodes.Unreachable, $"The Iris server at {host} did not answer in time.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(ExitCodes.Failure, e.Message);
        }
    }

    protected abstract Task<int> RunAsync(Session session, TSettings settings, CancellationToken ct);

    public static int Fail(int exitCode, string message)
    {
        Console.Error.WriteLine($"iris: {message}");
        return exitCode;
    }
}
