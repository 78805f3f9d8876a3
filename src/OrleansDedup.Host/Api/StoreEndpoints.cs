using OrleansDedup.Abstractions.Maintenance;
using OrleansDedup.Grains.Operations;

namespace OrleansDedup.Host.Api;

/// <summary>The store as a whole: statistics (with the index shards per silo) and garbage collection.</summary>
public static class StoreEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/stats", async (StoreStatistics statistics) => Results.Ok(StatsResponse.From(await statistics.Collect())));
        api.MapPost("/gc", async (IGrainFactory grains) => Results.Ok(GcResponse.From(await grains.GetGrain<IGarbageCollectorGrain>(0).Collect())));
    }
}
