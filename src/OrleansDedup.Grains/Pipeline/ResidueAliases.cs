using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;

namespace OrleansDedup.Grains.Pipeline;

/// <summary>The adaptive method's aliases: each residue block is assembled from pieces of the content-defined chunks
/// its run was cut into.</summary>
internal static class ResidueAliases
{
    /// <summary>One alias per block of <paramref name="residue"/> (block numbers in order, their runs chunked into the
    /// scratch's chunks). Fills the scratch's distinct chunks.</summary>
    public static NewIndexEntry[] Build(BatchScratch s, int[] residue, Fingerprint[] blockFingerprints)
    {
        var chunks = s.Chunks;
        var distinct = s.DistinctChunks;
        distinct.Clear();
        for (var k = 0; k < chunks.Count; k++) s.ChunkDistinct[k] = distinct.Add(s.ChunkFingerprints[k], k);

        var aliases = new NewIndexEntry[residue.Length];
        var c = 0;
        for (var r = 0; r < residue.Length; r++)
        {
            var b = residue[r];
            var blockStart = s.Starts[b];
            var blockEnd = s.Starts[b + 1];
            while (chunks[c].Start + chunks[c].Length <= blockStart) c++;
            var pieces = new List<AliasPiece>(3);
            for (var k = c; k < chunks.Count && chunks[k].Start < blockEnd; k++)
            {
                var from = Math.Max(blockStart, chunks[k].Start);
                var to = Math.Min(blockEnd, chunks[k].Start + chunks[k].Length);
                pieces.Add(new AliasPiece(s.ChunkFingerprints[k], from - chunks[k].Start, to - from));
            }
            aliases[r] = new NewIndexEntry(blockFingerprints[s.BlockDistinct[b]], default, pieces.ToArray());
        }
        return aliases;
    }
}
