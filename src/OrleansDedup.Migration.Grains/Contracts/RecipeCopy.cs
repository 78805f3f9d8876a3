namespace OrleansDedup.Migration.Grains.Contracts;

/// <summary>One segment recipe of an image, as the destination keeps it: the recipe file's bytes and the runs it names.</summary>
[GenerateSerializer, Immutable]
public sealed record RecipeCopy(
    [property: Id(0)] string Image,
    [property: Id(1)] int Segment,
    [property: Id(2)] int SegmentCount,
    [property: Id(3)] long ImageSize,
    [property: Id(4)] string ImageDigest,
    [property: Id(5)] byte[] Recipe,
    [property: Id(6)] RecipeRunCopy[] Runs);
