using ScottPlot;

namespace OrleansDedup.Cli;

/// <summary>A grouped bar chart of dedup rates: one group per image, one bar per strategy.</summary>
public static class ComparisonChart
{
    public static void Write(string path, string[] groups, (string Series, double[] Values)[] series)
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
        plot.Axes.Left.Label.Text = "Deduplication rate (%)";
        plot.Axes.SetLimitsY(Math.Min(0, series.Min(s => s.Values.Min())), 100);
        plot.Title("Deduplication rate by strategy");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 1000, 560);
    }
}
