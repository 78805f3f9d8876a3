using OrleansDedup.Abstractions.Maintenance;
using OrleansDedup.Cli.Hosting;
using OrleansDedup.Cli.Rendering;
using Spectre.Console;

namespace OrleansDedup.Cli.Commands;

/// <summary>Reclaims pack space that no image references.</summary>
public sealed class GcCommand : GridCommand<GridSettings>
{
    protected override async Task<int> Run(IGrid grid, GridSettings settings, CancellationToken cancellation)
    {
        var result = await grid.Client.GetGrain<IGarbageCollectorGrain>(0).Collect();
        if (settings.Json)
        {
            Output.Json(new
            {
                result.PacksDeleted, result.PacksCompacted, result.BytesBefore, result.BytesAfter, result.BytesReclaimed,
                result.EntriesSwept, result.AbandonedIngests, result.SweepSkipped,
            });
            return ExitCodes.Ok;
        }
        AnsiConsole.MarkupLine($"Reclaimed {Sizes.Format(result.BytesReclaimed)}: {result.PacksDeleted} packs deleted, {result.PacksCompacted} compacted; packs now hold {Sizes.Format(result.BytesAfter)}.");
        if (result.SweepSkipped) AnsiConsole.MarkupLine("The index was not swept: an ingest is running.");
        else if (result.EntriesSwept + result.AbandonedIngests > 0)
            AnsiConsole.MarkupLine($"Swept {result.EntriesSwept:N0} unused index entries and removed {result.AbandonedIngests} abandoned ingests.");
        return ExitCodes.Ok;
    }
}
