using Iris.Cli.Hosting;
using Iris.Server;
using Iris.Server.Hosting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Iris.Cli.Commands;

/// <summary>
/// <c>iris serve</c> (API and workers; <c>--no-workers</c>: API only) and <c>iris worker</c> (workers only, and
/// <c>GET /healthz</c>). Their settings are <see cref="IrisOptions"/>' declarations, read by <see cref="SettingsLoader"/>:
/// Program hands these two commands their arguments before Spectre parses anything.
/// </summary>
public static class ServeCommand
{
    public const string NoWorkers = "--no-workers";

    public static async Task<int> RunAsync(string command, IReadOnlyList<string> args, CancellationToken ct)
    {
        if (args.Any(a => a is "--help" or "-h"))
        {
            WriteHelp(command);
            return ExitCodes.Ok;
        }
        IrisOptions options;
        try
        {
            options = SettingsLoader.Load(args, Environment.GetEnvironmentVariable, command == "serve" ? [NoWorkers] : [], out var switches);
            options.Roles = command == "worker" ? IrisRoles.Workers
                : switches.Contains(NoWorkers) ? IrisRoles.Api : IrisRoles.Api | IrisRoles.Workers;
            CheckStartable(options);
        }
        catch (SettingsException e)
        {
            await Console.Error.WriteLineAsync($"iris {command}: {e.Message}");
            return ExitCodes.Usage;
        }
        await IrisServer.RunAsync(options, CatalogEngines.OpenAsync, ct);
        return ExitCodes.Ok;
    }

    /// <summary>What the declarations cannot say: folders that must exist, a catalog and blob store Iris can open.</summary>
    private static void CheckStartable(IrisOptions options)
    {
        foreach (var root in options.AllowedRoots)
        {
            if (!Directory.Exists(root)) throw new SettingsException($"--allow-root {root}: no such folder.");
        }
        CatalogEngines.Check(options);
        Iris.Blobs.BlobStores.Check(options);
        Telemetry.MetricsPorts(options);
    }

    private static void WriteHelp(string command)
    {
        AnsiConsole.MarkupLine(command == "worker"
            ? "[bold]iris worker[/] [[SETTINGS]]: ingestion workers only, on the catalog and blob store of the API nodes; answers GET /healthz on --urls."
            : "[bold]iris serve[/] [[SETTINGS]]: the API and ingestion workers ([bold]--no-workers[/]: the API only).");
        AnsiConsole.MarkupLine($"Each setting is a flag, its IRIS_* variable, or a key of a JSON settings file ({SettingsLoader.ConfigFlag} FILE or {SettingsLoader.ConfigVariable}), in that order.");
        var table = new Table().Border(TableBorder.Simple).AddColumns("Flag", "Variable", "Default", "Meaning");
        foreach (var (property, setting) in SettingsLoader.Settings)
        {
            table.AddRow(
                Markup.Escape(setting.Value is null ? setting.Flag : $"{setting.Flag} {setting.Value}"),
                Markup.Escape(setting.Variable),
                Markup.Escape(SettingsLoader.DefaultText(property, setting)),
                Markup.Escape(setting.Description));
        }
        AnsiConsole.Write(table);
    }
}

/// <summary>Lists <c>serve</c> and <c>worker</c> in <c>iris --help</c>; never runs (Program hands those commands to <see cref="ServeCommand"/>).</summary>
public sealed class NodeCommandPlaceholder : Command
{
    public override int Execute(CommandContext context, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("iris serve and iris worker are run by ServeCommand.");
}
