namespace OrleansDedup.Migration.Grains.Hosts;

/// <summary>An image a host holds the recipes of, as its <c>image.json</c> records it.</summary>
internal sealed record HeldImage(string Name, long Size, string Digest, int Segments);
