using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;

namespace Iris.Cli;

/// <summary>Printing: JSON for scripts on stdout, tables for people.</summary>
public static class Output
{
    public static void Json<T>(T value, JsonTypeInfo<T> type) =>
        Console.Out.WriteLine(JsonSerializer.Serialize(value, type));

    /// <summary>Whether a live display makes sense (a terminal, not a pipe or a file).</summary>
    public static bool Interactive => AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

    /// <summary>Two columns of label and value.</summary>
    public static void Properties(string? title, IEnumerable<(string Label, string? Value)> rows)
    {
        if (title is not null) AnsiConsole.MarkupLine($"[bold]{Markup.Escape(title)}[/]");
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var (label, value) in rows)
            grid.AddRow(new Markup($"[grey]{Markup.Escape(label)}[/]"), new Text(value ?? "-"));
        AnsiConsole.Write(grid);
    }

    public static Table Table(params string[] headers)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var header in headers) table.AddColumn(new TableColumn(Markup.Escape(header)));
        return table;
    }

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static string StatusMarkup(string status) => status switch
    {
        "completed" => "[green]completed[/]",
        "error" => "[red]error[/]",
        "not_found" => "[grey]not_found[/]",
        _ => $"[yellow]{Markup.Escape(status)}[/]",
    };
}
