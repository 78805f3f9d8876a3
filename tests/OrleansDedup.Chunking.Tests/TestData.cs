namespace OrleansDedup.Chunking.Tests;

internal static class TestData
{
    public static byte[] Random(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>Chunk end offsets when data arrives in reads of the given sizes, as a streaming reader would see it.</summary>
    public static List<int> Cuts(RabinChunker chunker, byte[] data, Func<int> readSize)
    {
        var cuts = new List<int>();
        chunker.Reset();
        for (int offset = 0; offset < data.Length;)
        {
            int length = Math.Min(readSize(), data.Length - offset);
            var read = data.AsSpan(offset, length);
            for (int used = 0, cut; used < length && (cut = chunker.FindBoundary(read[used..])) > 0;)
            {
                used += cut;
                cuts.Add(offset + used);
            }

            offset += length;
        }

        if (chunker.CurrentLength > 0)
        {
            cuts.Add(data.Length);
        }

        return cuts;
    }

    public static List<int> Cuts(RabinChunker chunker, byte[] data) => Cuts(chunker, data, () => data.Length);

    public static List<int> Lengths(List<int> cuts) => cuts.Select((cut, i) => cut - (i == 0 ? 0 : cuts[i - 1])).ToList();
}
