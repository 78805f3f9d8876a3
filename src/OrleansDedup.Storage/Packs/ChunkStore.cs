using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;
using OrleansDedup.Chunking;

namespace OrleansDedup.Storage.Packs;

/// <summary>
/// Content-addressed chunk storage in append-only pack files under <c>{directory}/packs/</c>. Thread-safe; use one
/// instance per process per directory (several processes may share a directory: pack ids never collide).
/// </summary>
/// <remarks>
/// Several processes may share the directory (silos on a shared volume). Pack ids come from a counter file updated
/// under a file lock, so an id is never handed out twice and no cached read handle can meet a newer pack of the same
/// id. A writer holds an exclusive lock on <c>pack-N.writing</c> while it writes, so that any process can tell that the
/// pack is still open; a writer that crashed leaves its marker unlocked, and the pack counts as closed.
/// </remarks>
public sealed class ChunkStore : IDisposable
{
    private readonly ConcurrentDictionary<int, SafeFileHandle> _readHandles = new();
    private readonly ConcurrentDictionary<int, FileStream> _openForWriting = new();
    private readonly Lock _handleGate = new();
    private readonly Lock _idGate = new();
    private bool _disposed;
    private int _users = 1;

    /// <summary>Opens (creating if needed) the store rooted at <paramref name="directory"/>.</summary>
    public ChunkStore(string directory, PackSettings? settings = null)
    {
        Settings = settings ?? PackSettings.Default;
        Settings.Validate();
        PackDirectory = Path.Combine(Path.GetFullPath(directory), "packs");
        Directory.CreateDirectory(PackDirectory);
    }

    /// <summary>How new packs are written: compression and frame size. Packs already written keep theirs.</summary>
    public PackSettings Settings { get; }

    /// <summary>The folder holding the pack files.</summary>
    public string PackDirectory { get; }

    /// <summary>The path of a pack's file, e.g. for <see cref="PackScanner.Scan"/>.</summary>
    public string PackPath(int packId) => Path.Combine(PackDirectory, PackFormat.FileName(packId));

    /// <summary>Creates a writer on a new pack with a fresh id.</summary>
    public PackWriter CreateWriter()
    {
        lock (_idGate)
        {
            while (true)
            {
                var id = NextId();
                var path = PackPath(id);
                var marker = AcquireWritingMarker(id);
                SafeFileHandle handle;
                try
                {
                    handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete);
                }
                catch (IOException) when (File.Exists(path))
                {
                    // Left by a store that predates the counter, or by a counter reset: take the next id.
                    marker.Dispose();
                    continue;
                }

                _openForWriting[id] = marker;
                return new PackWriter(this, id, handle, Settings);
            }
        }
    }

    /// <summary>Reads a chunk's bytes into the start of <paramref name="destination"/>, decoding its frame. Readers of
    /// many chunks use one <see cref="PackReader"/>, which decodes each frame once.</summary>
    /// <exception cref="InvalidDataException">The pack is missing, or its frame is damaged or ends before the chunk does.</exception>
    public void Read(ChunkLocation location, Span<byte> destination)
    {
        using var reader = new PackReader(this, frames: 1);
        reader.Read(location, destination);
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

    /// <summary>Whether a writer, of this or another process, still has the pack open (so it must not be collected).</summary>
    public bool IsOpenForWriting(int packId)
    {
        if (_openForWriting.ContainsKey(packId)) return true;
        var marker = MarkerPath(packId);
        if (!File.Exists(marker)) return false;
        try
        {
            using (new FileStream(marker, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
            File.Delete(marker);
            return false;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

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

    /// <summary>Adds a user who disposes the store too (each silo's container, when silos in one process share it): the
    /// read handles close when the last user has disposed it.</summary>
    public ChunkStore AddUser()
    {
        lock (_handleGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _users++;
            return this;
        }
    }

    /// <summary>Closes the cached read handles once every user has disposed the store. Writers close on their own.</summary>
    public void Dispose()
    {
        lock (_handleGate)
        {
            if (_disposed || --_users > 0) return;
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

        if (_openForWriting.TryRemove(packId, out var marker))
        {
            File.Delete(MarkerPath(packId));
            marker.Dispose();
        }
    }

    private string MarkerPath(int packId) => PackPath(packId) + ".writing";

    private FileStream AcquireWritingMarker(int packId) =>
        new(MarkerPath(packId), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

    /// <summary>Takes the next id from <c>packs/next-id</c> under an exclusive lock shared by every process.</summary>
    private int NextId()
    {
        for (var attempt = 0; ; attempt++)
        {
            FileStream counter;
            try
            {
                counter = new FileStream(Path.Combine(PackDirectory, "next-id"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 1000)
            {
                Thread.Sleep(2);
                continue;
            }
            using (counter)
            {
                Span<byte> text = stackalloc byte[16];
                var n = counter.Read(text);
                var stored = n > 0 && int.TryParse(text[..n], out var value) ? value : 0;
                var id = Math.Max(stored, HighestPackId() + 1);
                counter.SetLength(0);
                counter.Position = 0;
                counter.Write(System.Text.Encoding.ASCII.GetBytes((id + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                counter.Flush(flushToDisk: true);
                return id;
            }
        }
    }

    internal SafeFileHandle ReadHandle(int packId) =>
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
