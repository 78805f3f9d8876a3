using OrleansDedup.Chunking;
using OrleansDedup.Storage.IO;

namespace OrleansDedup.Storage.Recipes;

/// <summary>
/// The content-addressed recipe runs of a store (or of a migration host): one file per distinct run, named by the
/// SHA-256 of its bytes, written once however many recipes use it. A file that exists is complete (written aside, synced,
/// renamed), and a recipe that names it is written only after the directory is synced, so a recipe never names a run
/// that a crash lost. Runs no committed recipe names are removed by gc, which never runs beside an ingest.
/// </summary>
public sealed class RecipeRuns(string directory)
{
    private const string Extension = ".run";

    public string Directory { get; } = directory;

    public string PathOf(in Fingerprint id) => Path.Combine(Directory, id + Extension);

    /// <summary>Stores a run unless it is there already; returns the bytes written (0 when it was there).
    /// The caller syncs the directory once (<see cref="Sync"/>) before it records the run anywhere.</summary>
    public long Add(in Fingerprint id, ReadOnlySpan<byte> run)
    {
        if (NewPath(id) is not { } path) return 0;
        DurableFile.Write(path, run, syncDirectory: false);
        return run.Length;
    }

    /// <summary>Stores a run unless it is there already, as <see cref="Add"/> does, but makes it durable and names it in
    /// the background (<see cref="DurableFile.WriteInBackground"/>); null when it was there. Meanwhile another writer of
    /// the same run stores its own copy: the copies are identical, and the last rename wins.</summary>
    public Task? AddInBackground(in Fingerprint id, ReadOnlySpan<byte> run) =>
        NewPath(id) is { } path ? DurableFile.WriteInBackground(path, run) : null;

    /// <summary>Where a run not stored yet goes (its directory made), or null when it is there.</summary>
    private string? NewPath(in Fingerprint id)
    {
        var path = PathOf(id);
        if (File.Exists(path)) return null;
        System.IO.Directory.CreateDirectory(Directory);
        return path;
    }

    public void Sync() => DurableFile.SyncDirectory(Directory);

    /// <summary>The run's bytes, checked against its id.</summary>
    public byte[] Read(in Fingerprint id, string recipe)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(PathOf(id));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidDataException($"The recipe {recipe} names the run {id}, which is missing.");
        }
        if (Id(bytes) != id)
            throw new InvalidDataException($"The recipe run {id} (of {recipe}) is damaged: its bytes do not match its name.");
        return bytes;
    }

    public static Fingerprint Id(ReadOnlySpan<byte> run) => Fingerprint.Compute(run);

    /// <summary>Bytes the run files take.</summary>
    public long Bytes() => System.IO.Directory.Exists(Directory)
        ? new DirectoryInfo(Directory).EnumerateFiles("*" + Extension).Sum(f => f.Length)
        : 0;

    /// <summary>Removes every run that <paramref name="live"/> does not hold, and leftovers of interrupted writes;
    /// returns how many runs went.</summary>
    public int Sweep(IReadOnlySet<Fingerprint> live)
    {
        if (!System.IO.Directory.Exists(Directory)) return 0;
        var removed = 0;
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory))
        {
            var name = Path.GetFileName(path);
            var isRun = name.EndsWith(Extension, StringComparison.Ordinal) && name.Length == 64 + Extension.Length;
            if (isRun && live.Contains(Fingerprint.Parse(name[..64]))) continue;
            File.Delete(path);
            if (isRun) removed++;
        }
        return removed;
    }
}
