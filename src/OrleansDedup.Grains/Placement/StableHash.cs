namespace OrleansDedup.Grains.Placement;

/// <summary>A hash that is the same on every silo and in every run, as string.GetHashCode is not.</summary>
public static class StableHash
{
    /// <summary>FNV-1a over the UTF-16 code units, finished with a 64-bit mix so that near-identical keys spread.</summary>
    public static ulong Of(string text)
    {
        var hash = 14695981039346656037ul;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 1099511628211ul;
        }
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdul;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53ul;
        return hash ^ (hash >> 33);
    }
}
