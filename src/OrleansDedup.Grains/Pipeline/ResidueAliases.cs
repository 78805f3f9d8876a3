using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Chunking.Segments;

namespace OrleansDedup.Grains.Pipeline;

/// <summary>The adaptive method's aliases: each residue block is assembled from pieces of the content-defined chunks
/// its run was cut into.</summary>
internal static class ResidueAliases
{
    /// <summary>One alias per block of <paramref name="residue"/> (block numbers in order, their runs chunked into the
    /// scratch's chunks).</summary>
    public static NewIndexEntry[] Build(BatchScratch s, int[] residue, Fingerprint[] blockFingerprints)
    {
        var aliases = new NewIndexEntry[residue.Length];
        var c = 0;
        for (var r = 0; r < residue.Length; r++)
        {
            var b = residue[r];
            var blockStart = s.Start(b);
            var blockEnd = s.Start(b + 1);
            while (End(s.Chunk(c)) <= blockStart) c++;
            var pieces = new List<AliasPiece>(3);
            for (var k = c; k < s.ChunkCount && s.Chunk(k).Start < blockEnd; k++)
            {
                var chunk = s.Chunk(k);
                var from = Math.Max(blockStart, chunk.Start);
                var to = Math.Min(blockEnd, End(chunk));
                pieces.Add(new AliasPiece(s.ChunkFingerprint(k), from - chunk.Start, to - from));
            }
            aliases[r] = new NewIndexEntry(blockFingerprints[s.BlockDistinct(b)], default, pieces.ToArray());
        }
        return aliases;
    }

    private static int End((int Start, int Length) chunk) => chunk.Start + chunk.Length;
}
