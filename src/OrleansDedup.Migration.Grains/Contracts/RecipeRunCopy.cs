using OrleansDedup.Chunking;

namespace OrleansDedup.Migration.Grains.Contracts;

/// <summary>A recipe run (a content-addressed piece of recipes) by its id, as it is stored.</summary>
[GenerateSerializer, Immutable]
public sealed record RecipeRunCopy([property: Id(0)] Fingerprint Id, [property: Id(1)] byte[] Bytes);
