using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;

namespace OrleansDedup.Storage;

/// <summary>
/// Content-addressed chunk storage in append-only pack files under <c>{directory}/packs/</c>. Thread-safe; use one
/// instance per process per directory (several processes may share a directory: pack ids never collide).
/// </summary>
/// <remarks>
/// An id is never reused while its pack exists. Once a pack is deleted its id may be handed out again by a later
/// process, so the index must drop every location in a pack before <see cref="DeletePack"/>.
/// </remarks>
public sealed class ChunkStore : IDisposable
{
    private readonly ConcurrentDictionary<int, SafeFileHandle> _readHandles = new();
    private readonly ConcurrentDictionary<int, byte> _openForWriting = new();
    private readonly Lock _handleGate = new();
    private readonly Lock _idGate = new();
    private int _nextId = -1;
    private bool _disposed;

    /// <summary>Opens (creating if needed) the store rooted at <paramref name="directory"/>.</summary>
    public ChunkStore(string directory)
    {
        PackDirectory = Path.Combine(Path.GetFullPath(directory), "packs");
        Directory.CreateDirectory(PackDirectory);
    }

    /// <summary>The folder holding the pack files.</summary>
    public string PackDirectory { get; }

    /// <summary>The path of a pack's file, e.g. for <see cref="PackScanner.Scan"/>.</summary>
    public string PackPath(int packId) => Path.Combine(PackDirectory, PackFormat.FileName(packId));

    /// <summary>Creates a writer on a new pack with a fresh id.</summary>
    public PackWriter CreateWriter()
    {
        lock (_idGate)
        {
            var id = _nextId < 0 ? HighestPackId() + 1 : _nextId;
            while (true)
            {
                var path = PackPath(id);
                SafeFileHandle handle;
                try
                {
                    // CreateNew is the cross-process arbiter: exactly one creator wins each id.
                    handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete);
                }
                catch (IOException) when (File.Exists(path))
                {
                    // Another process is writing here too; jump past everything it created rather than probe one by one.
                    id = Math.Max(id + 1, HighestPackId() + 1);
                    continue;
                }

                _nextId = id + 1;
                _openForWriting[id] = 0;
                return new PackWriter(this, id, handle);
            }
        }
    }

    /// <summary>Reads a chunk's bytes into the start of <paramref name="destination"/>. Allocation-free on the hot path.</summary>
    /// <exception cref="InvalidDataException">The pack is missing or ends before the chunk does.</exception>
    public void Read(ChunkLocation location, Span<byte> destination)
    {
        if (destination.Length < location.Length)
        {
            throw new ArgumentException($"Destination holds {destination.Length} bytes; the chunk needs {location.Length}.", nameof(destination));
        }

        if (location.Length < 0 || location.Offset < PackFormat.MagicSize + PackWriter.RecordHeaderSize)
        {
            throw new InvalidDataException($"Invalid chunk location {location}.");
        }

        var handle = ReadHandle(location.Pack);
        var remaining = destination[..location.Length];
        var offset = location.Offset;
        try
        {
            while (!remaining.IsEmpty)
            {
                var read = RandomAccess.Read(handle, remaining, offset);
                if (read == 0)
                {
                    throw new InvalidDataException($"Short read: pack {location.Pack} ends at offset {offset}, before the end of chunk {location}.");
                }

                remaining = remaining[read..];
                offset += read;
            }
        }
        catch (ObjectDisposedException)
        {
            throw new InvalidDataException($"Pack {location.Pack} was closed (deleted, or the store disposed) while chunk {location} was being read.");
        }
    }

    /// <summary>Every pack file in the directory, by ascending id, including packs still being written.</summary>
    public IReadOnlyList<PackInfo> ListPacks()
    {
        var packs = new List<PackInfo>();
        foreach (var file in new DirectoryInfo(PackDirectory).EnumerateFiles(PackFormat.SearchPattern))
        {
            if (PackFormat.TryParseId(file.Name, out var id))
            {
                packs.Add(new PackInfo(id, file.Length));
            }
        }

        packs.Sort((a, b) => a.Id.CompareTo(b.Id));
        return packs;
    }

    /// <summary>Whether a writer of this process still has the pack open (so it must not be collected).</summary>
    public bool IsOpenForWriting(int packId) => _openForWriting.ContainsKey(packId);

    /// <summary>Closes cached handles on the pack and deletes its file.</summary>
    /// <exception cref="InvalidOperationException">A writer of this process still has the pack open.</exception>
    public void DeletePack(int packId)
    {
        if (IsOpenForWriting(packId))
        {
            throw new InvalidOperationException($"Pack {packId} is still open for writing.");
        }

        lock (_handleGate)
        {
            if (_readHandles.TryRemove(packId, out var handle))
            {
                handle.Dispose();
            }

            File.Delete(PackPath(packId));
        }
    }

    /// <summary>Total size of all pack files in bytes.</summary>
    public long TotalBytes() => ListPacks().Sum(p => p.Length);

    /// <summary>Closes the cached read handles. Writers close on their own.</summary>
    public void Dispose()
    {
        lock (_handleGate)
        {
            _disposed = true;
            foreach (var handle in _readHandles.Values)
            {
                handle.Dispose();
            }

            _readHandles.Clear();
        }
    }

    internal void OnWriterClosed(int packId, bool deleteFile)
    {
        if (deleteFile)
        {
            File.Delete(PackPath(packId));
        }

        _openForWriting.TryRemove(packId, out _);
    }

    private SafeFileHandle ReadHandle(int packId) =>
        _readHandles.TryGetValue(packId, out var handle) ? handle : OpenReadHandle(packId);

    private SafeFileHandle OpenReadHandle(int packId)
    {
        // Serialised with DeletePack so a handle on a file being deleted never lands in the cache.
        lock (_handleGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_readHandles.TryGetValue(packId, out var cached))
            {
                return cached;
            }

            SafeFileHandle handle;
            try
            {
                handle = File.OpenHandle(PackPath(packId), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (FileNotFoundException e)
            {
                throw new InvalidDataException($"Pack {packId} does not exist in '{PackDirectory}'.", e);
            }

            _readHandles[packId] = handle;
            return handle;
        }
    }

    private int HighestPackId()
    {
        var highest = 0;
        foreach (var path in Directory.EnumerateFiles(PackDirectory, PackFormat.SearchPattern))
        {
            if (PackFormat.TryParseId(Path.GetFileName(path), out var id) && id > highest)
            {
                highest = id;
            }
        }

        return highest;
    }
}
