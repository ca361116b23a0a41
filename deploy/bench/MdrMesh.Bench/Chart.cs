using ScottPlot;

namespace MdrMesh.Bench;

/// <summary>One picture of the run: responses accepted and terminal per second (left axis) and latencies (right, log).</summary>
public static class Chart
{
    public static void Write(string path, List<ScenarioResult> results)
    {
        var accepted = results.SelectMany(r => r.Sent).Where(s => s.ResponseId is not null).ToList();
        var outcomes = results.SelectMany(r => r.Outcomes).ToList();
        var plot = new Plot();
        plot.Title("MdrMesh benchmark: responses per second and latency over the run");
        plot.Axes.Bottom.Label.Text = "seconds since the bench started";
        plot.Axes.Left.Label.Text = "responses per second";
        plot.Axes.Right.Label.Text = "latency p99 per second, ms";

        Line(plot, "accepted/s", PerSecond(accepted.Select(s => s.DoneAt)), Colors.Blue, false);
        Line(plot, "terminal/s", PerSecond(outcomes.Where(o => o.TerminalMs is not null).Select(o => Clock.FromUnixMs(o.TerminalMs!.Value))), Colors.Green, false);
        // Latencies scenario by scenario, so that no line bridges the gap between two of them.
        var first = true;
        foreach (var r in results)
        {
            Line(plot, first ? "responses/create p99 ms (by send time)" : "", P99PerSecond(r.Sent.Where(s => s.ResponseId is not null)
                .Select(s => (s.DueAt, s.LatencyMs))), Colors.Orange, true);
            Line(plot, first ? "proposal → terminal p99 ms (by proposal)" : "", P99PerSecond(r.Outcomes.Where(o => o.TerminalMs is not null)
                .Select(o => (Clock.FromUnixMs(o.ProposedMs), o.LatencyMs!.Value))), Colors.Red, true);
            first &= r.Sent.Count == 0;
        }
        foreach (var r in results)
        {
            // A shaded band over each scenario's load, named at its start.
            var band = plot.Add.HorizontalSpan(r.StartedAt, r.LoadEndedAt ?? r.EndedAt, Colors.Gray.WithAlpha(0.12));
            band.LegendText = "";
            var label = plot.Add.Text(r.Name, r.StartedAt, 0);
            label.LabelFontSize = 11;
        }
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 1400, 700);
    }

    private static void Line(Plot plot, string name, (double[] X, double[] Y) series, Color color, bool right)
    {
        if (series.X.Length == 0) return;
        var line = plot.Add.Scatter(series.X, series.Y, color);
        line.LegendText = name;
        line.MarkerSize = 0;
        if (right) line.Axes.YAxis = plot.Axes.Right;
    }

    // Counts per whole second, seconds with none included as zero so that a stall shows as one.
    private static (double[], double[]) PerSecond(IEnumerable<double> times)
    {
        var counts = times.GroupBy(t => (int)Math.Floor(t)).ToDictionary(g => g.Key, g => g.Count());
        if (counts.Count == 0) return ([], []);
        var seconds = Enumerable.Range(counts.Keys.Min(), counts.Keys.Max() - counts.Keys.Min() + 1).ToArray();
        return (seconds.Select(s => (double)s).ToArray(), seconds.Select(s => (double)counts.GetValueOrDefault(s)).ToArray());
    }

    private static (double[], double[]) P99PerSecond(IEnumerable<(double At, double Ms)> points)
    {
        var buckets = points.GroupBy(p => Math.Floor(p.At)).OrderBy(g => g.Key).ToList();
        return (buckets.Select(b => b.Key).ToArray(), buckets.Select(b => Percentiles.Of(b.Select(p => p.Ms))!.P99).ToArray());
    }
}
