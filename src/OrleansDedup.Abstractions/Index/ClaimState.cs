namespace OrleansDedup.Abstractions.Index;

/// <summary>What a claim found for one fingerprint (see <see cref="IFingerprintIndexGrain.Claim"/>). Pending: another
/// ingest is storing it. Known: indexed. Owned: claimed for the caller, who stores the bytes and inserts the entry.</summary>
public enum ClaimState : byte { Pending, Known, Owned }
