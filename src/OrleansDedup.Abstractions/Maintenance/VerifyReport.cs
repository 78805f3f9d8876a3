namespace OrleansDedup.Abstractions.Maintenance;

[GenerateSerializer, Immutable]
public sealed record VerifyReport(
    [property: Id(0)] int Images,
    [property: Id(1)] long Chunks,
    [property: Id(2)] long Aliases,
    [property: Id(3)] long BytesChecked,
    [property: Id(4)] string[] Problems,
    [property: Id(5)] long UnreferencedEntries)
{
    public bool Ok => Problems.Length == 0;
}
