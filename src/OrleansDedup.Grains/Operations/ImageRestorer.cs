using System.Security.Cryptography;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Index;
using OrleansDedup.Grains.Recipes;
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

    public async Task<ImageInfo> Restore(string image, string outputPath, Action<long>? progress = null, CancellationToken cancellation = default)
    {
        var manifest = await grains.GetGrain<IImageGrain>(image).GetManifest()
            ?? throw new IngestException(IngestErrorKind.BadInput, $"there is no image named '{image}'; see `list`");
        var partial = outputPath + ".partial";
        try
        {
            await using (var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            {
                var assembler = new ChunkAssembler(store, index);
                var buffer = new byte[BatchBytes + (1 << 20)];
                using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                foreach (var recipe in manifest.SegmentRecipes)
                {
                    using var reader = new RecipeReader(layout.RecipeOf(recipe));
                    output.Position = reader.Offset;
                    var batch = new List<RecipeEntry>();
                    var batchBytes = 0L;
                    while (reader.TryRead(out var entry))
                    {
                        batch.Add(entry);
                        batchBytes += entry.Length;
                        if (batchBytes < BatchBytes) continue;
                        await WriteBatch(batch, assembler, buffer, output, progress);
                        batch.Clear();
                        batchBytes = 0;
                        cancellation.ThrowIfCancellationRequested();
                    }
                    await WriteBatch(batch, assembler, buffer, output, progress);
                    digest.AppendData(reader.Finish());
                }
                output.SetLength(manifest.Image.Size);
                output.Flush(flushToDisk: true);
                if (Convert.ToHexStringLower(digest.GetHashAndReset()) != manifest.Image.Digest)
                    throw new InvalidDataException($"the recipes of '{image}' do not match its recorded digest; run verify");
            }
            File.Move(partial, outputPath, overwrite: true);
            return manifest.Image;
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    private static async Task WriteBatch(List<RecipeEntry> batch, ChunkAssembler assembler, byte[] buffer, FileStream output, Action<long>? progress)
    {
        var data = batch.Where(e => !e.IsZero).Select(e => e.Fingerprint).Distinct().ToArray();
        var views = data.Length > 0 ? await assembler.Load(data) : null;
        var i = 0;
        while (i < batch.Count)
        {
            if (batch[i].IsZero)
            {
                output.Seek(batch[i].Length, SeekOrigin.Current);
                progress?.Invoke(batch[i].Length);
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
            output.Write(buffer, 0, filled);
            progress?.Invoke(filled);
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
