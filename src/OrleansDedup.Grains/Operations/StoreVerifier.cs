using System.Security.Cryptography;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Abstractions.Maintenance;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Index;
using OrleansDedup.Storage.Packs;
using OrleansDedup.Storage.Recipes;

namespace OrleansDedup.Grains.Operations;

/// <summary>
/// Re-reads every stored chunk and checks it against its fingerprint, checks every alias and every recipe, and
/// counts the index entries no image uses (garbage that gc reclaims).
/// </summary>
public sealed class StoreVerifier(IGrainFactory grains, ChunkStore store, IndexRouter index, StoreLayout layout)
{
    private const int MaxProblems = 50;

    public async Task<VerifyReport> Verify(Action<string>? step = null)
    {
        var problems = new List<string>();
        void Problem(string p)
        {
            if (problems.Count < MaxProblems) problems.Add(p);
        }

        step?.Invoke("reading the index");
        var entries = new Dictionary<Fingerprint, IndexEntryView>();
        await foreach (var e in index.ListAll()) entries[e.Fingerprint] = e;

        step?.Invoke("checking chunks");
        var used = new HashSet<Fingerprint>();
        long bytes = 0, chunks = 0, aliases = 0;
        var buffer = new byte[1 << 20];
        // In pack order, so that each frame is decoded once; aliases by their first chunk, for the same reason.
        using var packs = new PackReader(store, frames: 64);
        foreach (var e in entries.Values.OrderBy(e => e.Pieces is null ? 0 : 1).ThenBy(e => FirstLocation(e, entries)))
        {
            var length = e.Pieces is null ? e.Location.Length : e.Pieces.Sum(p => p.Length);
            if (buffer.Length < length) buffer = new byte[length];
            var data = buffer.AsSpan(0, length);
            try
            {
                if (e.Pieces is null)
                {
                    chunks++;
                    packs.Read(e.Location, data);
                }
                else
                {
                    aliases++;
                    var at = 0;
                    foreach (var piece in e.Pieces)
                    {
                        if (!entries.TryGetValue(piece.Chunk, out var chunk) || chunk.Pieces is not null)
                            throw new InvalidDataException($"alias {e.Fingerprint} points at chunk {piece.Chunk}, which is not in the index");
                        if (piece.Offset < 0 || piece.Length < 0 || piece.Offset + piece.Length > chunk.Location.Length)
                            throw new InvalidDataException($"alias {e.Fingerprint} takes bytes past the end of chunk {piece.Chunk}");
                        packs.Read(chunk.Location with { Offset = chunk.Location.Offset + piece.Offset, Length = piece.Length }, data.Slice(at, piece.Length));
                        at += piece.Length;
                    }
                }
                if (Fingerprint.Compute(data) != e.Fingerprint) Problem($"chunk {e.Fingerprint} does not match its fingerprint");
                bytes += length;
            }
            catch (InvalidDataException x)
            {
                Problem($"chunk {e.Fingerprint}: {x.Message}");
            }
        }

        step?.Invoke("checking recipes");
        var names = await grains.GetGrain<ICatalogGrain>(0).List();
        foreach (var name in names)
        {
            // A name listed without a record is a commit that never completed: nothing refers to it.
            var manifest = await grains.GetGrain<IImageGrain>(name).GetManifest();
            if (manifest is null) continue;
            using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long covered = 0;
            try
            {
                foreach (var recipe in manifest.SegmentRecipes)
                {
                    using var reader = new RecipeReader(layout.RecipeOf(recipe), layout.Runs);
                    while (reader.TryRead(out var entry))
                    {
                        covered += entry.Length;
                        if (entry.IsZero) continue;
                        used.Add(entry.Fingerprint);
                        if (!entries.ContainsKey(entry.Fingerprint)) Problem($"'{name}' refers to {entry.Fingerprint}, which is not in the index");
                    }
                    digest.AppendData(reader.Finish());
                }
                if (covered != manifest.Image.Size) Problem($"the recipes of '{name}' cover {covered} bytes, the image has {manifest.Image.Size}");
                if (Convert.ToHexStringLower(digest.GetHashAndReset()) != manifest.Image.Digest) Problem($"the recipes of '{name}' do not match its digest");
            }
            catch (InvalidDataException x)
            {
                Problem($"'{name}': {x.Message}");
            }
        }

        // Entries nothing uses only cost space (a deleted image's, an interrupted ingest's), which gc's sweep reclaims.
        foreach (var alias in entries.Values.Where(e => e.Pieces is not null && used.Contains(e.Fingerprint)).ToArray())
        {
            foreach (var piece in alias.Pieces!)
                used.Add(piece.Chunk);
        }

        var unreferenced = entries.Keys.LongCount(fp => !used.Contains(fp));
        return new VerifyReport(names.Length, chunks, aliases, bytes, problems.ToArray(), unreferenced);
    }

    private static (int, long, int) FirstLocation(IndexEntryView entry, Dictionary<Fingerprint, IndexEntryView> entries)
    {
        var location = entry.Pieces is null ? entry.Location
            : entry.Pieces.Length > 0 && entries.TryGetValue(entry.Pieces[0].Chunk, out var chunk) ? chunk.Location : default;
        return (location.Pack, location.Frame, location.Offset);
    }
}
