using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Index;
using OrleansDedup.Grains.Recipes;
using OrleansDedup.ImageFormats;
using OrleansDedup.Storage;

namespace OrleansDedup.Grains.Operations;

/// <summary>
/// Writes an image back from its recipes. Every chunk is checked against its fingerprint and the recipes against the
/// image digest; zero runs become holes, so a sparse image stays sparse. The file appears under its name only once
/// it is complete and checked.
/// </summary>
public sealed class ImageRestorer(IGrainFactory grains, ChunkStore store, IndexRouter index, StoreLayout layout)
{
    private const int BatchBytes = 8 << 20;

    /// <summary>Restores into a file: written as "FILE.partial" and renamed only once complete and checked.</summary>
    /// <exception cref="FormatLimitException">The file system cannot hold a file the image's size.</exception>
    public async Task<ImageInfo> Restore(string image, string outputPath, Action<long>? progress = null, CancellationToken cancellation = default)
    {
        var info = await grains.GetGrain<IImageGrain>(image).GetInfo()
            ?? throw new IngestException(IngestErrorKind.BadInput, $"there is no image named '{image}'; see `list`");
        var partial = outputPath + ".partial";
        try
        {
            await using (var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            {
                // Sized first, as a hole: a file system that cannot hold the image refuses before anything is read.
                GuestDiskLimits.SetLength(output.SafeFileHandle, info.Size, outputPath);
                await foreach (var piece in Read(image, cancellation))
                {
                    output.Position = piece.Offset;
                    output.Write(piece.Data.Span);
                    progress?.Invoke(piece.Data.Length + piece.ZerosBefore);
                }
                output.SetLength(info.Size);
                output.Flush(flushToDisk: true);
            }
            File.Move(partial, outputPath, overwrite: true);
            return info;
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    /// <summary>
    /// The image's data runs in order, each checked against its fingerprints; zero runs are skipped (they are holes).
    /// A piece's buffer is reused for the next one: consume it before moving on. The enumeration throws at the end if
    /// the recipes do not match the image digest, so only a complete enumeration is a good restore.
    /// </summary>
    public async IAsyncEnumerable<RestoredPiece> Read(string image, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        var manifest = await grains.GetGrain<IImageGrain>(image).GetManifest()
            ?? throw new IngestException(IngestErrorKind.BadInput, $"there is no image named '{image}'; see `list`");
        using var assembler = new ChunkAssembler(store, index);
        var buffer = new byte[BatchBytes + (1 << 20)];
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var recipe in manifest.SegmentRecipes)
        {
            using var reader = new RecipeReader(layout.RecipeOf(recipe), layout.Runs);
            var position = reader.Offset;
            var batch = new List<RecipeEntry>();
            var batchBytes = 0L;
            var more = true;
            while (more)
            {
                more = reader.TryRead(out var entry);
                if (more)
                {
                    batch.Add(entry);
                    batchBytes += entry.Length;
                    if (batchBytes < BatchBytes) continue;
                }
                await foreach (var piece in Assemble(batch, assembler, buffer, position))
                    yield return piece;
                position += batchBytes;
                batch.Clear();
                batchBytes = 0;
                cancellation.ThrowIfCancellationRequested();
            }
            digest.AppendData(reader.Finish());
        }
        if (Convert.ToHexStringLower(digest.GetHashAndReset()) != manifest.Image.Digest)
            throw new InvalidDataException($"the recipes of '{image}' do not match its recorded digest; run verify");
    }

    private static async IAsyncEnumerable<RestoredPiece> Assemble(List<RecipeEntry> batch, ChunkAssembler assembler, byte[] buffer, long position)
    {
        var data = batch.Where(e => !e.IsZero).Select(e => e.Fingerprint).Distinct().ToArray();
        var views = data.Length > 0 ? await assembler.Load(data) : null;
        var i = 0;
        long zeros = 0;
        while (i < batch.Count)
        {
            if (batch[i].IsZero)
            {
                zeros += batch[i].Length;
                position += batch[i].Length;
                i++;
                continue;
            }
            var start = i;
            var filled = 0;
            for (; i < batch.Count && !batch[i].IsZero; i++)
            {
                var n = assembler.CopyTo(views![batch[i].Fingerprint], buffer.AsSpan(filled));
                if (n != batch[i].Length) throw new InvalidDataException($"chunk {batch[i].Fingerprint} has {n} bytes, the recipe says {batch[i].Length}");
                filled += n;
            }
            CheckFingerprints(batch, start, i, buffer);
            yield return new RestoredPiece(position, buffer.AsMemory(0, filled), zeros);
            position += filled;
            zeros = 0;
        }
    }

    /// <summary>Hashes what is about to be written, over all cores: a damaged chunk never reaches the output.</summary>
    private static void CheckFingerprints(List<RecipeEntry> batch, int from, int to, byte[] buffer)
    {
        var offsets = new int[to - from + 1];
        for (var k = from; k < to; k++) offsets[k - from + 1] = offsets[k - from] + batch[k].Length;
        var bad = -1;
        Parallel.For(from, to, k =>
        {
            if (Fingerprint.Compute(buffer.AsSpan(offsets[k - from], batch[k].Length)) != batch[k].Fingerprint) bad = k;
        });
        if (bad >= 0) throw new InvalidDataException($"chunk {batch[bad].Fingerprint} is damaged in the store; run verify");
    }
}

/// <summary>A run of restored bytes at an offset of the image, after <see cref="ZerosBefore"/> bytes of zeros.</summary>
public readonly record struct RestoredPiece(long Offset, ReadOnlyMemory<byte> Data, long ZerosBefore);
