namespace OrleansDedup.Abstractions.Index;

/// <summary>What a claim found for one fingerprint (see <see cref="IFingerprintIndexGrain.Claim"/>). Pending: another
/// ingest is storing it. Known: indexed. Owned: claimed for the caller, who stores the bytes and inserts the entry.</summary>
/// <remarks>Generated so that an answer of many claims crosses the wire without a box per claim: without it Orleans boxes
/// every element, writing and reading, and writes three bytes for it instead of two.</remarks>
[GenerateSerializer]
public enum ClaimState : byte { Pending, Known, Owned }
