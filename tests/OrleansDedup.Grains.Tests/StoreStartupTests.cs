using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Tests.Infrastructure;

namespace OrleansDedup.Grains.Tests;

/// <summary>Silos that start together on a new data directory each try to create the store manifest (the test cluster
/// starts its silos in parallel, so every fixture of this project exercises this too).</summary>
public sealed class StoreStartupTests
{
    [Fact]
    public async Task Silos_starting_together_on_a_new_store_all_start()
    {
        for (var round = 0; round < 20; round++)
        {
            using var temp = new TempDirectory();
            var failure = await Record.ExceptionAsync(() => StartTogether(temp, Enumerable.Range(0, 4).Select(_ => Grid.Options(temp.Data)).ToArray()));
            Assert.True(failure is null, $"round {round}: a silo failed to start: {failure}");
            Assert.Equal(["store.json"], Directory.GetFiles(temp.Data).Select(Path.GetFileName).Where(f => !f!.EndsWith(".lock")));
        }
    }

    [Fact]
    public async Task Silos_starting_together_on_a_new_store_agree_on_its_settings()
    {
        for (var round = 0; round < 50; round++)
        {
            using var temp = new TempDirectory();
            var options = Enumerable.Range(0, 4).Select(_ => Grid.Options(temp.Data)).ToArray();
            options[3].ShardCount = 3; // one silo configured differently: whichever creates the store, all must adopt its settings
            await StartTogether(temp, options);
            var stored = options.Select(o => o.ShardCount).Distinct().ToArray();
            Assert.True(stored.Length == 1, $"round {round}: the silos run with shard counts {string.Join(" and ", stored)}");
        }
    }

    private static Task StartTogether(TempDirectory temp, DedupOptions[] options)
    {
        var start = new Barrier(options.Length);
        return Task.WhenAll(options.Select(o => Task.Run(() =>
        {
            start.SignalAndWait();
            StoreManifest.Reconcile(new StoreLayout(temp.Data), o);
        }))).ContinueWith(t => { start.Dispose(); return t; }).Unwrap();
    }
}
