namespace OrleansDedup.ImageFormats.Layout;

/// <summary>
/// What reading a container's tables may cost, whatever they claim: the readers keep one small record per table, data
/// run and compressed unit, and refuse a file once those records would take more than <see cref="BytesPerFileByte"/>
/// times its length (at least <see cref="MinimumBytes"/>). Real images stay far below the default (a compressed
/// qcow2 cluster takes tens of bytes of file or more, its record 28); a file packed with one-byte units does not.
/// </summary>
public sealed record LayoutBudget(double BytesPerFileByte = 1, long MinimumBytes = 1 << 20)
{
    public static LayoutBudget Default { get; } = new();

    /// <summary>The bookkeeping bytes allowed for a file of <paramref name="fileLength"/> bytes.</summary>
    public long For(long fileLength) => (long)Math.Clamp(fileLength * BytesPerFileByte, MinimumBytes, long.MaxValue / 2);
}
