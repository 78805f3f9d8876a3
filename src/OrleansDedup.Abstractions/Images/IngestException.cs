namespace OrleansDedup.Abstractions.Images;

/// <summary>An ingest failed for a reason the user can act on; <see cref="Kind"/> says which kind.</summary>
[GenerateSerializer]
public sealed class IngestException : Exception
{
    public IngestException(IngestErrorKind kind, string message) : base(message) => Kind = kind;

    [Id(0)]
    public IngestErrorKind Kind { get; init; }
}
