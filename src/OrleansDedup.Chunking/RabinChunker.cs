namespace OrleansDedup.Chunking;

/// <summary>
/// Streaming Rabin content-defined chunker (as in LBFS and restic): a chunk ends where the rolling Rabin digest of
/// its last <see cref="RabinOptions.WindowSize"/> bytes has all <c>AverageSize - 1</c> low bits set, or at MaxSize.
/// The window restarts empty with every chunk, so a boundary depends only on the chunk's own bytes and the result
/// is the same however the stream is split across calls. Not thread-safe: one instance per stream.
/// </summary>
public sealed unsafe class RabinChunker
{
    private const int Lanes = RabinKernel.Lanes;

    private readonly ulong[] _tables;
    // The WindowSize bytes before the current call (oldest first): the leaving bytes of its first WindowSize steps.
    private readonly byte[] _tail;
    private readonly int _min;
    private readonly int _max;
    private readonly int _window;
    private readonly int _warmStart;
    private readonly int _laneSpan;
    private readonly int _minLaneSpan;
    private readonly ulong _mask;
    private int _count;
    private ulong _digest;

    /// <summary>Creates a chunker; throws <see cref="ArgumentException"/> if the options are inconsistent.</summary>
    public RabinChunker(RabinOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _tables = RabinTables.Build(options.Polynomial, options.WindowSize);
        _tail = new byte[options.WindowSize];
        _min = options.MinSize;
        _max = options.MaxSize;
        _window = options.WindowSize;
        _warmStart = options.MinSize - options.WindowSize;
        // Short stretches waste little when an early lane matches; long ones amortize each lane's window warm-up.
        // These sizes measured best for windows of 48 and 1024 bytes.
        _laneSpan = Math.Max(512, 2 * options.WindowSize);
        _minLaneSpan = Math.Max(64, options.WindowSize / 2);
        _mask = (ulong)options.AverageSize - 1;
    }

    /// <summary>The validated options this chunker was built with.</summary>
    public RabinOptions Options { get; }

    /// <summary>Bytes already consumed into the open chunk.</summary>
    public int CurrentLength => _count;

    /// <summary>The rolling digest after the last byte consumed (meaningful once that byte's window is full).</summary>
    internal ulong Digest => _digest;

    /// <summary>Starts a new stream: the next byte begins a fresh chunk with an empty window.</summary>
    public void Reset()
    {
        _count = 0;
        _digest = 0;
    }

    /// <summary>
    /// Consumes <paramref name="data"/> as the continuation of the open chunk. Returns how many of its bytes complete
    /// that chunk (1..data.Length; the next call then starts a new chunk, so pass the rest of the data again), or -1
    /// if all of it belongs to the still open chunk.
    /// </summary>
    public int FindBoundary(ReadOnlySpan<byte> data)
    {
        int limit = Math.Min(data.Length, _max - _count);
        nint match;
        fixed (byte* input = data)
        fixed (byte* tail = _tail)
        fixed (ulong* tables = _tables)
        {
            match = Scan(input, limit, tail, tables);
        }

        if (match >= 0 || _count + limit == _max)
        {
            Reset();
            return match >= 0 ? (int)match + 1 : limit;
        }

        _count += data.Length;
        if (_count > _warmStart)
        {
            RememberTail(data);
        }

        return -1;
    }

    /// <summary>Returns the index in input of the first byte ending a chunk by content, or -1.</summary>
    private nint Scan(byte* input, nint limit, byte* tail, ulong* tables)
    {
        nint count = _count;
        nint window = _window;
        ulong mask = _mask;
        ulong digest = _digest;

        // i: the next index to roll in, starting at chunk position MinSize. The window ending at i - 1 (the first one
        // that may cut) is either in digest already or, when firstWindowAhead, lies wholly in this call unhashed.
        nint i = _min - count;
        bool firstWindowAhead = count <= _warmStart;
        if (firstWindowAhead)
        {
            // Bytes before the window that ends at MinSize cannot influence any tested digest: skip them.
            if (i > limit)
            {
                nint from = _warmStart - count;
                _digest = from < limit ? RabinKernel.Absorb(0, input + from, limit - from, tables) : 0;
                return -1;
            }
        }
        else
        {
            if (i > 0)
            {
                nint end = Math.Min(i, limit);
                digest = RabinKernel.Absorb(digest, input, end, tables);
                if (end < i)
                {
                    _digest = digest;
                    return -1;
                }

                if ((~digest & mask) == 0)
                {
                    return i - 1;
                }
            }

            i = Math.Max(i, 0);
            nint tailEnd = Math.Min(limit, window);
            if (i < tailEnd)
            {
                nint hit = RabinKernel.Roll(ref digest, input + i, tail + i, tailEnd - i, tables, mask);
                if (hit >= 0)
                {
                    return i + hit;
                }

                i = tailEnd;
            }
        }

        // Every window ending at or after i - 1 now lies in this call's data, and a digest depends only on its window,
        // so lanes can start afresh anywhere.
        ulong* lanes = stackalloc ulong[Lanes];
        for (nint span = LaneSpan(limit - i); span > 0; span = LaneSpan(limit - i))
        {
            byte* start = input + i;
            RabinKernel.Absorb4(lanes, start - window, span, window, tables);
            if (firstWindowAhead && (~lanes[0] & mask) == 0)
            {
                return i - 1;
            }

            firstWindowAhead = false;
            nint step = RabinKernel.Roll4(lanes, start, span, span, window, tables, mask);
            if (step >= 0)
            {
                return i + Resolve(lanes, start, span, step, tables);
            }

            digest = lanes[Lanes - 1];
            i += Lanes * span;
        }

        if (firstWindowAhead)
        {
            digest = RabinKernel.Absorb(0, input + i - window, window, tables);
            if ((~digest & mask) == 0)
            {
                return i - 1;
            }
        }

        nint last = RabinKernel.Roll(ref digest, input + i, input + i - window, limit - i, tables, mask);
        if (last >= 0)
        {
            return i + last;
        }

        _digest = digest;
        return -1;
    }

    /// <summary>The per-lane stretch for the bytes left, or 0 when too few remain to pay for the lanes' warm-up.</summary>
    private nint LaneSpan(nint remaining)
    {
        nint span = Math.Min(_laneSpan, remaining / Lanes);
        return span >= _minLaneSpan ? span : 0;
    }

    /// <summary>
    /// Some lane matched at <paramref name="step"/>; an earlier lane may still match later in its own stretch, and
    /// that earlier position wins. Returns the offset from start of the first match.
    /// </summary>
    private nint Resolve(ulong* lanes, byte* start, nint span, nint step, ulong* tables)
    {
        for (nint lane = 0; ; lane++)
        {
            nint at = lane * span + step;
            if ((~lanes[lane] & _mask) == 0)
            {
                return at;
            }

            nint hit = RabinKernel.Roll(
                ref lanes[lane], start + at + 1, start + at + 1 - _window, span - step - 1, tables, _mask);
            if (hit >= 0)
            {
                return at + 1 + hit;
            }
        }
    }

    private void RememberTail(ReadOnlySpan<byte> data)
    {
        if (data.Length >= _window)
        {
            data[^_window..].CopyTo(_tail);
        }
        else
        {
            _tail.AsSpan(data.Length).CopyTo(_tail);
            data.CopyTo(_tail.AsSpan(_window - data.Length));
        }
    }
}
