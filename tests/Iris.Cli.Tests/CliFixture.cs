using System.Text.Json.Nodes;
using Iris.Testing;

namespace Iris.Cli.Tests;

[CollectionDefinition(Name)]
public sealed class CliCollection : ICollectionFixture<CliFixture>
{
    public const string Name = "Iris server for the CLI";
}

/// <summary>
/// A real server started without IRIS_CLIENT_ID/SECRET, so it stores its first credential in
/// &lt;data&gt;/credentials.json: the CLI finds it through IRIS_DATA, as it would next to a local server.
/// </summary>
public sealed class CliFixture : IAsyncLifetime
{
    private IrisTestServer? _server;

    public IrisTestServer Server => _server ?? throw new InvalidOperationException("Server not started.");

    public string WorkDir { get; } = Directory.CreateTempSubdirectory("iris-cli-tests-").FullName;

    public async Task InitializeAsync() => _server = await IrisTestServer.StartAsync(bootstrapCredential: false);

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        try
        {
            Directory.Delete(WorkDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static string Corpus(string relative) => Path.Combine(IrisTestServer.CorpusRoot, relative);

    public static string UniqueName(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Runs <c>iris ARGS</c> against the server, with the credential found through IRIS_DATA.</summary>
    public Task<ProcessResult> IrisAsync(params string[] args) =>
        IrisWithAsync(new Dictionary<string, string> { ["IRIS_HOST"] = Server.Host, ["IRIS_DATA"] = Server.DataDir }, args);

    public async Task<ProcessResult> IrisWithAsync(IDictionary<string, string> environment, params string[] args)
    {
        var result = await IrisTestServer.RunIrisExecutableAsync(args, WorkDir, environment);
        // Whatever happened, nothing is a stack trace.
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.DoesNotContain("Exception", result.Stderr);
        return result;
    }

    /// <summary>Runs a command that must succeed with --json and returns its output.</summary>
    public async Task<JsonNode> JsonAsync(params string[] args)
    {
        var result = await IrisAsync([.. args, "--json"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return Parse(result);
    }

    public static JsonNode Parse(ProcessResult result)
    {
        try
        {
            return JsonNode.Parse(result.Stdout)!;
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"Not JSON ({e.Message}): {result}");
        }
    }

    public async Task<string> NewDatasetAsync(string prefix)
    {
        var name = UniqueName(prefix);
        var created = await JsonAsync("datasets", "create", name);
        Assert.Equal(name, created["name"]!.GetValue<string>());
        return name;
    }
}
