using System.Net;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Index;
using OrleansDedup.Storage.Index;

namespace OrleansDedup.Grains.Tests.Index;

/// <summary>A shard's claims on its own, on a clock the test moves: who stores a new chunk, who waits, and how a claim
/// ends (insert, release, lease, its owner's silo declared dead) or moves with the shard.</summary>
public sealed class ShardClaimsTests : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly ClaimOwner Owner = new(Guid.NewGuid(), SiloAddress.New(IPAddress.Loopback, 11111, 1));
    private static readonly ClaimOwner Other = new(Guid.NewGuid(), SiloAddress.New(IPAddress.Loopback, 11112, 1));
    private static readonly Fingerprint X = Fingerprint.Compute("x"u8), Y = Fingerprint.Compute("y"u8);

    private readonly TempDirectory _temp = new("odclaims");
    private readonly ManualClock _clock = new();
    private readonly HashSet<SiloAddress> _dead = [];
    private readonly ShardIndex _index;
    private readonly ShardClaims _claims;

    public ShardClaimsTests()
    {
        _index = new ShardIndex(_temp.Path, 0);
        _claims = new ShardClaims(_index, Lease, _clock, _dead.Contains);
    }

    public void Dispose()
    {
        _index.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void A_new_fingerprint_is_owned_by_the_first_claim_pending_for_the_next_and_known_once_indexed()
    {
        _index.Insert(new InsertBatch([Entry(Y)]));
        Assert.Equal([ClaimState.Owned, ClaimState.Known], _claims.Claim(Batch(X, Y), Owner));
        Assert.Equal([ClaimState.Pending, ClaimState.Known], _claims.Claim(Batch(X, Y), Other));
        // the owner asking again still owns it; the known one gained both claimers' references, the pending one none
        Assert.Equal([ClaimState.Owned], _claims.Claim(Batch(X), Owner));
        Assert.True(Indexed(Y));
        Assert.False(_index.Resolve([X])[0].Found);
    }

    [Fact]
    public void The_owners_insert_ends_the_claim_and_the_waiter_takes_references()
    {
        _claims.Claim(Batch(X), Owner);
        var states = _claims.Claim(Batch(X), Other);
        Assert.False(_claims.Insert(new InsertBatch([Entry(X)]))[0]);
        Assert.False(_claims.Settle(Batch(X), Other, states));
        Assert.Equal([ClaimState.Known], states);
        Assert.True(Indexed(X));
    }

    [Fact]
    public async Task A_waiting_call_wakes_on_the_insert()
    {
        _claims.Claim(Batch(X), Owner);
        var waiting = _claims.Await(Batch(X), Other, Lease);
        Assert.False(waiting.IsCompleted);
        _claims.Insert(new InsertBatch([Entry(X)]));
        Assert.Equal([ClaimState.Known], await waiting);
        Assert.True(Indexed(X));
    }

    [Fact]
    public async Task A_claim_given_back_passes_to_the_waiter_and_no_one_else_can_give_it_back()
    {
        _claims.Claim(Batch(X), Owner);
        var waiting = _claims.Await(Batch(X), Other, Lease);
        _claims.Release([X], Other.Id);
        Assert.False(waiting.IsCompleted);
        _claims.Release([X], Owner.Id);
        Assert.Equal([ClaimState.Owned], await waiting);
        Assert.Equal([ClaimState.Pending], _claims.Claim(Batch(X), Owner));
        Assert.False(_index.Resolve([X])[0].Found);
    }

    [Fact]
    public void A_claim_past_its_lease_passes_to_the_waiter_and_a_late_insert_collides()
    {
        _claims.Claim(Batch(X), Owner);
        var states = _claims.Claim(Batch(X), Other);
        _clock.Advance(Lease - TimeSpan.FromTicks(1));
        Assert.True(_claims.Settle(Batch(X), Other, states));
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.False(_claims.Settle(Batch(X), Other, states));
        Assert.Equal([ClaimState.Owned], states);

        // the first owner was slow, not dead: both stored the bytes, the index keeps one entry with both references
        Assert.False(_claims.Insert(new InsertBatch([Entry(X)]))[0]);
        Assert.True(_claims.Insert(new InsertBatch([Entry(X)]))[0]);
        Assert.True(Indexed(X));
    }

    [Fact]
    public void A_claim_whose_owners_silo_is_declared_dead_passes_to_the_waiter_before_its_lease_is_out()
    {
        _claims.Claim(Batch(X), Owner);
        var states = _claims.Claim(Batch(X), Other);
        _dead.Add(Other.Silo);
        Assert.True(_claims.Settle(Batch(X), Other, states));
        _dead.Add(Owner.Silo);
        Assert.False(_claims.Settle(Batch(X), Other, states));
        Assert.Equal([ClaimState.Owned], states);
    }

    [Fact]
    public void Claims_handed_over_keep_their_owners_and_their_age()
    {
        _claims.Claim(Batch(X), Owner);
        _clock.Advance(TimeSpan.FromSeconds(20));
        _claims.Claim(Batch(Y), Owner);
        var handOver = _claims.Export();

        var later = new ManualClock();
        var next = new ShardClaims(_index, Lease, later, _dead.Contains);
        next.Import(handOver);
        var states = next.Claim(Batch(X, Y), Other);
        Assert.Equal([ClaimState.Pending, ClaimState.Pending], states);
        // X was 20 s old when it moved: 10 s on, its lease is over; Y's is not
        later.Advance(TimeSpan.FromSeconds(10));
        Assert.True(next.Settle(Batch(X, Y), Other, states));
        Assert.Equal([ClaimState.Owned, ClaimState.Pending], states);
    }

    private static Fingerprint[] Batch(params Fingerprint[] fingerprints) => fingerprints;

    private static NewIndexEntry Entry(Fingerprint fingerprint) => new(fingerprint, new ChunkLocation(1, 8, 0, 4096), null);

    private bool Indexed(Fingerprint fingerprint) => _index.Resolve([fingerprint])[0].Found;

    /// <summary>A clock that moves only when told.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
