namespace OrleansDedup.Abstractions.Index;

/// <summary>Who holds a claim: one attempt at a segment, and the silo it runs on, so that a shard can pass the claim on as
/// soon as the cluster declares that silo dead.</summary>
[GenerateSerializer, Immutable]
public readonly record struct ClaimOwner([property: Id(0)] Guid Id, [property: Id(1)] Orleans.Runtime.SiloAddress Silo);
