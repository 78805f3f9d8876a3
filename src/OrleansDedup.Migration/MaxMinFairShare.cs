namespace OrleansDedup.Migration;

/// <summary>A flow over one or more links (indices into the link capacities), wanting at most <paramref name="Demand"/>.</summary>
public sealed record Flow(int[] Links, double Demand = double.PositiveInfinity);

/// <summary>
/// Max-min fair allocation by progressive filling: every unfrozen flow's rate rises at the same pace until a link it
/// crosses is full or its own demand is met; then it freezes and the others keep rising. The result is the unique
/// max-min fair allocation: no flow can get more without taking from a flow that has no more than it.
/// </summary>
public static class MaxMinFairShare
{
    private const double Epsilon = 1e-9;

    /// <summary>One link of <paramref name="capacity"/> shared by flows with the given demands.</summary>
    public static double[] Allocate(double capacity, IReadOnlyList<double> demands) =>
        Allocate([capacity], demands.Select(d => new Flow([0], d)).ToArray());

    public static double[] Allocate(IReadOnlyList<double> capacities, IReadOnlyList<Flow> flows)
    {
        if (capacities.Any(c => c < 0 || double.IsNaN(c))) throw new ArgumentException("Link capacities must be non-negative.");
        var rates = new double[flows.Count];
        var active = new bool[flows.Count];
        for (var f = 0; f < flows.Count; f++)
        {
            var flow = flows[f];
            if (flow.Demand < 0 || double.IsNaN(flow.Demand)) throw new ArgumentException($"Flow {f} has a negative demand.");
            if (flow.Links.Length == 0)
            {
                if (double.IsPositiveInfinity(flow.Demand)) throw new ArgumentException($"Flow {f} crosses no link and has no finite demand.");
                rates[f] = flow.Demand;
                continue;
            }
            if (flow.Links.Any(l => l < 0 || l >= capacities.Count)) throw new ArgumentException($"Flow {f} names a link that does not exist.");
            active[f] = flow.Demand > 0;
        }
        var used = new double[capacities.Count];
        while (active.Any(a => a))
        {
            // How far every active flow can rise together: limited by the fullest link and the smallest unmet demand.
            var crossing = new int[capacities.Count];
            for (var f = 0; f < flows.Count; f++)
            {
                if (active[f])
                    foreach (var l in flows[f].Links.Distinct()) crossing[l]++;
            }

            var step = double.PositiveInfinity;
            for (var l = 0; l < capacities.Count; l++)
                if (crossing[l] > 0) step = Math.Min(step, (capacities[l] - used[l]) / crossing[l]);
            for (var f = 0; f < flows.Count; f++)
                if (active[f]) step = Math.Min(step, flows[f].Demand - rates[f]);
            step = Math.Max(0, step);
            for (var f = 0; f < flows.Count; f++)
            {
                if (!active[f]) continue;
                rates[f] += step;
                foreach (var l in flows[f].Links.Distinct()) used[l] += step;
            }
            var progress = false;
            for (var f = 0; f < flows.Count; f++)
            {
                if (!active[f]) continue;
                if ((!double.IsPositiveInfinity(flows[f].Demand) && flows[f].Demand - rates[f] <= Epsilon * Math.Max(1, flows[f].Demand))
                    || flows[f].Links.Any(l => capacities[l] - used[l] <= Epsilon * Math.Max(1, capacities[l])))
                {
                    active[f] = false;
                    progress = true;
                }
            }
            if (!progress) throw new InvalidOperationException("Progressive filling made no progress.");
        }
        return rates;
    }
}

/// <summary>A transfer of <paramref name="Bytes"/> over some links, starting at <paramref name="Start"/> seconds.</summary>
public sealed record FlowTransfer(int[] Links, double Bytes, double Start = 0, double Demand = double.PositiveInfinity);

/// <summary>Completion times of concurrent transfers on shared links, with the max-min allocation recomputed whenever a
/// transfer starts or ends (a fluid model: rates change instantly).</summary>
public static class LinkSharing
{
    public static double[] CompletionTimes(IReadOnlyList<double> capacities, IReadOnlyList<FlowTransfer> transfers)
    {
        var n = transfers.Count;
        var left = transfers.Select(t => t.Bytes).ToArray();
        var done = new double[n];
        var finished = new bool[n];
        var now = transfers.Count == 0 ? 0 : transfers.Min(t => t.Start);
        for (var i = 0; i < n; i++)
            if (left[i] <= 0) { finished[i] = true; done[i] = transfers[i].Start; }
        while (finished.Any(f => !f))
        {
            var running = Enumerable.Range(0, n).Where(i => !finished[i] && transfers[i].Start <= now + 1e-12).ToArray();
            var nextStart = Enumerable.Range(0, n).Where(i => !finished[i] && transfers[i].Start > now + 1e-12)
                .Select(i => transfers[i].Start).DefaultIfEmpty(double.PositiveInfinity).Min();
            if (running.Length == 0) { now = nextStart; continue; }
            var rates = MaxMinFairShare.Allocate(capacities, running.Select(i => new Flow(transfers[i].Links, transfers[i].Demand)).ToArray());
            var dt = nextStart - now;
            for (var k = 0; k < running.Length; k++)
                if (rates[k] > 0) dt = Math.Min(dt, left[running[k]] / rates[k]);
            if (double.IsPositiveInfinity(dt)) throw new InvalidOperationException("Some transfers can never finish: their links have no capacity.");
            now += dt;
            for (var k = 0; k < running.Length; k++)
            {
                var i = running[k];
                left[i] -= rates[k] * dt;
                if (left[i] <= 1e-9 * Math.Max(1, transfers[i].Bytes)) { finished[i] = true; done[i] = now; }
            }
        }
        return done;
    }
}
