using ScottPlot;

namespace OrleansDedup.Cli.Rendering;

/// <summary>A grouped bar chart as a PNG: one group per name, one bar per series, the legend naming the series.</summary>
public static class GroupedBarChart
{
    /// <param name="yMax">The top of the axis; none: a little above the highest bar.</param>
    public static void Write(string path, string[] groups, (string Series, double[] Values)[] series, string axis, string title, double? yMax = null)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var bars = new List<Bar>();
        for (var s = 0; s < series.Length; s++)
        {
            for (var g = 0; g < groups.Length; g++)
                bars.Add(new Bar { Position = g * (series.Length + 1) + s, Value = series[s].Values[g], FillColor = palette.GetColor(s) });
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s].Series, FillColor = palette.GetColor(s) });
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(
            groups.Select((_, g) => g * (series.Length + 1) + (series.Length - 1) / 2.0).ToArray(), groups);
        plot.Axes.Bottom.TickLabelStyle.Rotation = groups.Length > 4 ? 30 : 0;
        plot.Axes.Left.Label.Text = axis;
        var highest = series.Max(s => s.Values.DefaultIfEmpty(0).Max());
        plot.Axes.SetLimitsY(Math.Min(0, series.Min(s => s.Values.DefaultIfEmpty(0).Min())), yMax ?? Math.Max(1e-9, highest) * 1.15);
        plot.Title(title);
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 1000, 560);
    }
}
