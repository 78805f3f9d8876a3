namespace OrleansDedup.Chunking;

/// <summary>
/// Where a file is cut into blocks. Uniform: every multiple of the block size from the file's start. Anchored:
/// each <see cref="GridSpan"/> is cut by its own phase, and span ends are cuts, so blocks follow a container's guest
/// blocks wherever the container put them. Both cut the file's end.
/// </summary>
public sealed class BlockGrid
{
    private readonly GridSpan[] _spans;

    private BlockGrid(int blockSize, GridSpan[] spans)
    {
        BlockSize = blockSize;
        _spans = spans;
    }

    public int BlockSize { get; }

    public bool IsUniform => _spans.Length == 0;

    public static BlockGrid Uniform(int blockSize) => new(blockSize, []);

    /// <param name="spans">Ordered, adjacent, non-empty spans that cover the part of the file that will be cut.</param>
    public static BlockGrid Anchored(int blockSize, IReadOnlyList<GridSpan> spans)
    {
        for (var i = 0; i < spans.Count; i++)
        {
            if (spans[i].Length <= 0 || (i > 0 && spans[i].Start != spans[i - 1].End))
                throw new ArgumentException($"grid span {i} ({spans[i]}) is empty or not adjacent to the one before it", nameof(spans));
        }
        return spans.Count == 0 ? Uniform(blockSize) : new BlockGrid(blockSize, spans.ToArray());
    }

    /// <summary>The last cut at or before <paramref name="position"/>: never more than a block before it.</summary>
    public long CutAtOrBefore(long position)
    {
        if (IsUniform) return position - position % BlockSize;
        var span = _spans[SpanAt(position)];
        if (position >= span.End) return span.End;
        var inBlock = (position - span.Start + span.Phase) % BlockSize;
        return Math.Max(span.Start, position - inBlock);
    }

    /// <summary>
    /// Writes the block starts of [<paramref name="start"/>, start + <paramref name="length"/>), relative to start,
    /// into <paramref name="starts"/> (grown when too small), followed by <paramref name="length"/>; returns the
    /// block count. Both ends must be cuts. Block b is [starts[b], starts[b + 1]).
    /// </summary>
    public int Cut(long start, int length, ref int[] starts)
    {
        if (IsUniform) return CutUniform(length, ref starts);
        var count = 0;
        var end = start + length;
        for (var s = SpanAt(start); s < _spans.Length && _spans[s].Start < end; s++)
        {
            var span = _spans[s];
            var from = Math.Max(start, span.Start);
            var to = Math.Min(end, span.End);
            var first = from - span.Start + span.Phase;
            var cut = from + (BlockSize - first % BlockSize) % BlockSize;
            Append(ref starts, ref count, (int)(from - start));
            for (cut = cut == from ? cut + BlockSize : cut; cut < to; cut += BlockSize)
                Append(ref starts, ref count, (int)(cut - start));
        }
        EnsureCapacity(ref starts, count + 1);
        starts[count] = length;
        return count;
    }

    private int CutUniform(int length, ref int[] starts)
    {
        var count = (length + BlockSize - 1) / BlockSize;
        EnsureCapacity(ref starts, count + 1);
        for (var b = 0; b < count; b++) starts[b] = b * BlockSize;
        starts[count] = length;
        return count;
    }

    /// <summary>Whether <paramref name="position"/> lies in a span marked as container metadata.</summary>
    public bool IsMetadata(long position) => !IsUniform && _spans[SpanAt(position)].Metadata;

    private int SpanAt(long position)
    {
        int lo = 0, hi = _spans.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (_spans[mid].Start <= position) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    private static void Append(ref int[] starts, ref int count, int value)
    {
        EnsureCapacity(ref starts, count + 2);
        starts[count++] = value;
    }

    /// <summary>Grows rarely: only a batch with more region ends than the scratch was sized for.</summary>
    private static void EnsureCapacity(ref int[] starts, int needed)
    {
        if (starts.Length < needed) Array.Resize(ref starts, Math.Max(needed, starts.Length * 2));
    }
}
