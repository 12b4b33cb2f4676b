using System.ComponentModel;
using System.Text.Json;
using Iris.Cli.Hosting;
using Iris.Server.Hosting;
using Spectre.Console.Cli;

namespace Iris.Cli.Commands;

/// <summary><c>iris admin create-client [--data DIR | --database CONNECTION] --org NAME</c>: prints <c>{"orgId","clientId","clientSecret"}</c>.</summary>
public sealed class CreateClientCommand : AsyncCommand<CreateClientCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--data <DIR>")]
        [Description("Data folder of the server (env IRIS_DATA; default ./iris-data).")]
        public string? Data { get; init; }

        [CommandOption("--database <CONNECTION>")]
        [Description("The catalog of nodes on PostgreSQL: a connection string or postgres:// URL (env IRIS_DATABASE; default: the data folder's SQLite catalog).")]
        public string? Database { get; init; }

        [CommandOption("--org <NAME>")]
        [Description("Organization name; created if it does not exist (default: default).")]
        public string? Org { get; init; }

        public override Spectre.Console.ValidationResult Validate() =>
            Org is { } org && (org.Length is 0 or > 128 || org.Any(char.IsControl))
                ? Spectre.Console.ValidationResult.Error("--org must be 1 to 128 characters.")
                : Spectre.Console.ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var data = settings.Data ?? Environment.GetEnvironmentVariable("IRIS_DATA") ?? new IrisOptions().DataDirectory;
        Directory.CreateDirectory(data);
        var options = new IrisOptions { DataDirectory = data, Database = settings.Database ?? (Environment.GetEnvironmentVariable("IRIS_DATABASE") is { Length: > 0 } db ? db : null) };
        CatalogEngines.Check(options);
        await using var catalog = await CatalogEngines.OpenAsync(options, cancellationToken);
        await catalog.MigrateAsync(cancellationToken);
        var created = await CredentialBootstrap.CreateClientAsync(catalog, settings.Org ?? CredentialBootstrap.DefaultOrganization, cancellationToken);
        Console.WriteLine(JsonSerializer.Serialize(created, ClientJsonContext.Default.CreatedClient));
        return ExitCodes.Ok;
    }
}
