using OrleansDedup.Chunking;

namespace OrleansDedup.Host.Api;

public static class Strategies
{
    public static string Name(ChunkingStrategy s) => s.ToString().ToLowerInvariant();

    /// <summary>adaptive (default when absent), guest, fixed or rabin; numbers are refused.</summary>
    public static bool TryParse(string? text, out ChunkingStrategy strategy)
    {
        strategy = ChunkingStrategy.Adaptive;
        if (string.IsNullOrWhiteSpace(text)) return true;
        return !int.TryParse(text, out _) && Enum.TryParse(text, ignoreCase: true, out strategy) && Enum.IsDefined(strategy);
    }

    public const string Unknown = "unknown strategy '{0}'; use adaptive, guest, fixed or rabin";
}
