namespace OrleansDedup.Migration.Tests;

public class FairShareTests
{
    [Fact]
    public void EqualSplitWhenEveryoneWantsMore() =>
        Assert.Equal([25.0, 25, 25, 25], MaxMinFairShare.Allocate(100, [double.PositiveInfinity, 1000, 500, 30]));

    [Fact]
    public void SmallDemandsAreMetAndTheRestIsShared()
    {
        // Textbook case: capacity 10, demands 2, 2.6, 4, 5 -> 2, 2.6, 2.7, 2.7.
        var rates = MaxMinFairShare.Allocate(10, [2, 2.6, 4, 5]);
        Assert.Equal([2, 2.6, 2.7, 2.7], rates.Select(r => Math.Round(r, 9)));
    }

    [Fact]
    public void AllDemandsFitSoAllAreMet() => Assert.Equal([1.0, 2, 3], MaxMinFairShare.Allocate(100, [1, 2, 3]));

    [Fact]
    public void MultiLinkBottlenecksFreezeFlowsAtTheirFairShare()
    {
        // Link 0 (cap 10) carries A and B; link 1 (cap 4) carries B and C. Link 1 saturates first at 2 each,
        // freezing B and C; A then takes the rest of link 0: 8.
        var rates = MaxMinFairShare.Allocate([10.0, 4], [new Flow([0]), new Flow([0, 1]), new Flow([1])]);
        Assert.Equal([8.0, 2, 2], rates.Select(r => Math.Round(r, 9)));
        // Max-min: no link over capacity.
        Assert.True(rates[0] + rates[1] <= 10 + 1e-9 && rates[1] + rates[2] <= 4 + 1e-9);
    }

    [Fact]
    public void TwoMigrationsFromOneHostHalveItsUplink()
    {
        // Hosts 0 and 1 send to hosts 2 and 3; uplinks 0..3, downlinks 4..7, all 100.
        var caps = Enumerable.Repeat(100.0, 8).ToArray();
        var rates = MaxMinFairShare.Allocate(caps, [new Flow([0, 6]), new Flow([0, 7]), new Flow([1, 7])]);
        Assert.Equal([50.0, 50, 50], rates.Select(r => Math.Round(r, 9)));
    }

    [Fact]
    public void CompletionTimesReallocateWhenAFlowEnds()
    {
        // Two transfers of 100 and 300 bytes on a link of 10 B/s: both at 5 until t = 20, then the second alone at 10:
        // 200 left / 10 = 20 s more -> 40.
        var done = LinkSharing.CompletionTimes([10.0], [new FlowTransfer([0], 100), new FlowTransfer([0], 300)]);
        Assert.Equal([20.0, 40], done.Select(d => Math.Round(d, 9)));
        // One after another: 10 and 40, the same makespan and a better mean; order and batching matter.
        var late = LinkSharing.CompletionTimes([10.0], [new FlowTransfer([0], 100), new FlowTransfer([0], 300, Start: 10)]);
        Assert.Equal([10.0, 40], late.Select(d => Math.Round(d, 9)));
        // A flow that starts later, while another runs: 100 B alone for 5 s (50 B), then both at 5 B/s.
        var overlap = LinkSharing.CompletionTimes([10.0], [new FlowTransfer([0], 100), new FlowTransfer([0], 100, Start: 5)]);
        Assert.Equal([15.0, 20], overlap.Select(d => Math.Round(d, 9)));
    }

    [Fact]
    public void NoCapacityMeansNoProgress() =>
        Assert.Throws<InvalidOperationException>(() => LinkSharing.CompletionTimes([0.0], [new FlowTransfer([0], 1)]));
}
