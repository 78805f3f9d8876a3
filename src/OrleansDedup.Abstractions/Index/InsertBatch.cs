namespace OrleansDedup.Abstractions.Index;

[GenerateSerializer, Immutable]
public sealed record InsertBatch([property: Id(0)] NewIndexEntry[] Entries);
