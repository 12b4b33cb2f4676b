using ScottPlot;

namespace Iris.Bench.Catalog;

/// <summary>docs/benchmarks.png: requests/s and p99 latency against connections, Iris single-image metadata and nginx.</summary>
public static class Chart
{
    private const string FontName = "DejaVu Sans";
    private const string FontDirectory = "/usr/share/fonts/truetype/dejavu"; // Debian's fonts-dejavu-core

    public static void Save(RunResults results, string path)
    {
        // The SkiaSharp native build the project uses has no fontconfig: system fonts are not found by
        // name, so the font files are registered by path (bench/catalog.sh installs them).
        var regular = Path.Combine(FontDirectory, "DejaVuSans.ttf");
        if (!File.Exists(regular)) throw new InvalidOperationException($"{regular} is missing: apt-get install fonts-dejavu-core.");
        Fonts.AddFontFile(FontName, regular, bold: false, italic: false);
        var bold = Path.Combine(FontDirectory, "DejaVuSans-Bold.ttf");
        if (File.Exists(bold)) Fonts.AddFontFile(FontName, bold, bold: true, italic: false);
        Fonts.Default = FontName;

        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        var throughput = multiplot.GetPlot(0);
        var latency = multiplot.GetPlot(1);

        var series = results.Sizes
            .Select(s => ($"Iris, {s.Images:N0} images", s.Iris.Where(r => r.Scenario == Scenario.Single.Name).ToList()))
            .Append(("nginx, static file", results.Nginx))
            .Where(s => s.Item2.Count > 0)
            .ToList();
        var palette = new ScottPlot.Palettes.Category10();
        var connections = series.SelectMany(s => s.Item2.Select(r => r.Connections)).Distinct().Order().ToArray();
        for (var i = 0; i < series.Count; i++)
        {
            var (label, points) = series[i];
            var xs = points.Select(p => Math.Log2(p.Connections)).ToArray();
            var color = palette.GetColor(i);
            var rps = throughput.Add.Scatter(xs, points.Select(p => p.RequestsPerSecond).ToArray(), color);
            rps.LegendText = label;
            rps.LineWidth = 2;
            rps.MarkerSize = 7;
            var p99 = latency.Add.Scatter(xs, points.Select(p => p.P99Ms).ToArray(), color);
            p99.LegendText = label;
            p99.LineWidth = 2;
            p99.MarkerSize = 7;
        }

        foreach (var (plot, title, axis) in new[] { (throughput, "Requests per second", "requests/s"), (latency, "p99 latency", "ms") })
        {
            plot.Font.Set(FontName);
            plot.Title(title);
            plot.XLabel("concurrent connections (wrk)");
            plot.YLabel(axis);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                connections.Select(c => Math.Log2(c)).ToArray(), connections.Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
            plot.Axes.AutoScale();
            plot.Axes.SetLimitsY(0, plot.Axes.GetLimits().Top * 1.1);
            plot.ShowLegend(Alignment.UpperLeft);
        }
        multiplot.SavePng(path, 1400, 520);
    }
}
