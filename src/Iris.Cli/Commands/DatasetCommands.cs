using System.ComponentModel;
using Iris.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Iris.Cli.Commands;

public sealed class DatasetArgumentSettings : ClientSettings
{
    [CommandArgument(0, "<DATASET>")]
    [Description("The dataset's name or id.")]
    public string Dataset { get; init; } = "";
}

/// <summary><c>iris datasets create NAME [--encoder NAME] [--description TEXT]</c></summary>
public sealed class DatasetsCreateCommand : ClientCommand<DatasetsCreateCommand.Settings>
{
    public sealed class Settings : ClientSettings
    {
        [CommandArgument(0, "<NAME>")]
        [Description("1 to 128 letters, digits or underscores, unique in your organization.")]
        public string Name { get; init; } = "";

        [CommandOption("-e|--encoder <NAME>")]
        [Description("The dataset's encoder: multimodal (default), multimodal-tx-large2, multimodal-tx-large3, multimodal-tx-large4, nova2-multimodal, resnet-50, resnet-50-reduced, or none (no embeddings: faster ingestion, no image search until 'iris datasets embed').")]
        public string Encoder { get; init; } = EncoderNames.Multimodal;

        [CommandOption("-d|--description <TEXT>")]
        [Description("What the dataset holds.")]
        public string? Description { get; init; }
    }

    protected override async Task<int> RunAsync(Session session, Settings settings, CancellationToken ct)
    {
        DatasetResponse dataset;
        try
        {
            dataset = await session.Datasets.CreateDatasetAsync(settings.Name, settings.Encoder, settings.Description, ct);
        }
        catch (ApiException e) when (e.StatusCode == 422)
        {
            throw new CliException(ExitCodes.Usage, $"Cannot create dataset '{settings.Name}': {string.Join("; ", e.ValidationErrors.Select(v => v.Msg))}.");
        }
        DatasetsGetCommand.Print(session, dataset);
        return ExitCodes.Ok;
    }
}

/// <summary><c>iris datasets list</c></summary>
public sealed class DatasetsListCommand : ClientCommand<ClientSettings>
{
    protected override async Task<int> RunAsync(Session session, ClientSettings settings, CancellationToken ct)
    {
        var all = new List<DatasetResponse>();
        await foreach (var dataset in session.Datasets.ListAllDatasetsAsync(DatasetApi.MaxPageSize, cancellationToken: ct)) all.Add(dataset);
        if (session.Json)
        {
            Output.Json<IReadOnlyList<DatasetResponse>>(all, IrisV1JsonContext.Indented.IReadOnlyListDatasetResponse);
            return ExitCodes.Ok;
        }
        if (all.Count == 0)
        {
            AnsiConsole.MarkupLine("No datasets yet. Create one with [bold]iris datasets create NAME[/].");
            return ExitCodes.Ok;
        }
        var table = Output.Table("Name", "Id", "Images", "Status", "Encoder", "Created", "Description");
        table.Columns[2].RightAligned();
        foreach (var d in all)
            table.AddRow(Markup.Escape(d.Name), d.Id.ToString(), d.ImageCount.ToString(), Markup.Escape(d.Status ?? ""), Markup.Escape(DatasetsGetCommand.Encoder(d)),
                Output.Time(d.CreatedDt), Markup.Escape(d.Description ?? ""));
        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }
}

/// <summary><c>iris datasets get DATASET</c></summary>
public sealed class DatasetsGetCommand : ClientCommand<DatasetArgumentSettings>
{
    protected override async Task<int> RunAsync(Session session, DatasetArgumentSettings settings, CancellationToken ct)
    {
        Print(session, await session.ResolveDatasetAsync(settings.Dataset, ct));
        return ExitCodes.Ok;
    }

    public static void Print(Session session, DatasetResponse d)
    {
        if (session.Json)
        {
            Output.Json(d, IrisV1JsonContext.Indented.DatasetResponse);
            return;
        }
        Output.Properties(null,
        [
            ("Name", d.Name), ("Id", d.Id.ToString()), ("Images", d.ImageCount.ToString()), ("Status", d.Status),
            ("Encoder", Encoder(d)), ("Description", d.Description), ("Created", $"{Output.Time(d.CreatedDt)} by {d.CreatedBy}"),
            ("Updated", d.UpdatedDt is { } updated ? $"{Output.Time(updated)} by {d.UpdatedBy}" : null),
        ]);
    }

    /// <summary>The name of the dataset's encoder (Iris datasets have one).</summary>
    public static string Encoder(DatasetResponse d) => string.Join(", ", d.Encoders.Select(e => e.Name));
}

/// <summary><c>iris datasets delete DATASET [--yes]</c></summary>
public sealed class DatasetsDeleteCommand : ClientCommand<DatasetsDeleteCommand.Settings>
{
    public sealed class Settings : ClientSettings
    {
        [CommandArgument(0, "<DATASET>")]
        [Description("The dataset's name or id.")]
        public string Dataset { get; init; } = "";

        [CommandOption("-y|--yes")]
        [Description("Do not ask for confirmation (it is asked only on a terminal).")]
        public bool Yes { get; init; }
    }

    protected override async Task<int> RunAsync(Session session, Settings settings, CancellationToken ct)
    {
        var dataset = await session.ResolveDatasetAsync(settings.Dataset, ct);
        if (!settings.Yes && !session.Json && Output.Interactive && !Console.IsInputRedirected
            && !await AnsiConsole.ConfirmAsync($"Delete dataset [bold]{Markup.Escape(dataset.Name)}[/] and its {dataset.ImageCount} images?", false, ct))
        {
            Console.Error.WriteLine("iris: Nothing deleted.");
            return ExitCodes.Failure;
        }
        var deleted = await session.Datasets.DeleteDatasetAsync(dataset.Id, ct);
        if (session.Json) Output.Json(deleted, IrisV1JsonContext.Indented.DatasetResponse);
        else AnsiConsole.MarkupLine($"Deleted dataset [bold]{Markup.Escape(deleted.Name)}[/] ({deleted.Id}).");
        return ExitCodes.Ok;
    }
}
