using OrleansDedup.Abstractions.Maintenance;
using OrleansDedup.Cli.Hosting;
using OrleansDedup.Cli.Rendering;
using OrleansDedup.Grains.Offline;
using OrleansDedup.Grains.Operations;

namespace OrleansDedup.Cli.Commands;

/// <summary>Per image and overall: sizes, chunk kinds, the dedup rate, and how the index is spread.</summary>
public sealed class StatsCommand : StoreReadCommand<GridSettings>
{
    protected override async Task<int> Run(IGrid grid, GridSettings settings, CancellationToken cancellation)
    {
        Output.Store(settings.Json, await grid.Client.GetGrain<IStoreOperationsGrain>(0).Statistics());
        return ExitCodes.Ok;
    }

    protected override async Task<int> Run(OfflineStore store, GridSettings settings, CancellationToken cancellation)
    {
        Output.Store(settings.Json, await new StoreStatistics(store, store.Chunks, store.Layout).Collect());
        return ExitCodes.Ok;
    }
}
