using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Index;
using OrleansDedup.Migration.Grains.Contracts;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Migration.Grains.Coordinator;

/// <summary>
/// Migrates a VM from one host to another: it checks both hosts, has an <see cref="ImageMover"/> move what the
/// destination lacks of the VM's disk images (unless storage is shared) and of its optional memory snapshot, and prices
/// the measured byte counts (<see cref="MigrationPricing"/>: time, downtime, rounds and energy through
/// <see cref="OrleansDedup.Migration.MigrationModel"/>), alone or, through <see cref="Transfer"/>, in a wave.
/// </summary>
/// <remarks>One mover serves the whole migration, so a fingerprint the disks sent is not sent again for the memory
/// snapshot: its repeats count as deduplicated. Memory: with a snapshot, the first pre-copy pass uses the snapshot's
/// measured zero and duplicate shares, and re-dirtied pages hit at <see cref="VmMigrationRequest.RedirtiedHitRate"/>;
/// without one, memory is not deduplicated.</remarks>
public sealed class MigrationCoordinatorGrain(ChunkStore store, IndexRouter index, StoreLayout layout, DedupMetrics metrics)
    : Grain, IMigrationCoordinatorGrain
{
    public async Task<VmMigrationReport> Migrate(VmMigrationRequest request) =>
        MigrationPricing.Price([(request, await Transfer(request))], metrics)[0];

    public async Task<MigrationTransfer> Transfer(VmMigrationRequest request)
    {
        MigrationPricing.Validate(request);
        var source = GrainFactory.GetGrain<IHostGrain>(request.Source);
        var destination = GrainFactory.GetGrain<IHostGrain>(request.Destination);
        var from = await source.GetCapacity() ?? throw new ArgumentException($"host '{request.Source}' is not configured");
        var to = await destination.GetCapacity() ?? throw new ArgumentException($"host '{request.Destination}' is not configured");
        var mover = MoverTo(destination);
        var disk = request.SharedStorage ? DataMovement.Empty : await mover.MoveAll(request.Disks);
        var memory = request.MemorySnapshot is { } snapshot ? await mover.Move(snapshot) : DataMovement.Empty;
        return new MigrationTransfer(from, to, disk, memory);
    }

    public Task<DataMovement> Seed(HostSeed seed) => MoverTo(GrainFactory.GetGrain<IHostGrain>(seed.Host)).MoveAll(seed.Images);

    private ImageMover MoverTo(IHostGrain destination) => new(GrainFactory, store, index, layout, destination);
}
