using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.ImageFormats;
using OrleansDedup.ImageFormats.GuestDisks;
using OrleansDedup.Storage.IO;
using OrleansDedup.Storage.Packs;
using OrleansDedup.Storage.Recipes;

namespace OrleansDedup.Grains.Operations;

/// <summary>
/// Writes an image back from its recipes. Every chunk is checked against its fingerprint and the recipes against the
/// image digest; zero runs become holes, so a sparse image stays sparse. The file appears under its name only once
/// it is complete and checked.
/// </summary>
public sealed class ImageRestorer(IStoreView view, ChunkStore store, StoreLayout layout)
{
    private const int BatchBytes = 8 << 20;

    /// <summary>Restores into a file: written as "FILE.partial" and renamed only once complete and checked. Two stages
    /// overlap: one assembles and checks the next run of the image while the other writes the last one and starts its
    /// write-back, so the final fsync finds little left to do.</summary>
    /// <exception cref="FormatLimitException">The file system cannot hold a file the image's size.</exception>
    public async Task<ImageInfo> Restore(string image, string outputPath, Action<long>? progress = null, CancellationToken cancellation = default)
    {
        var info = await view.GetInfo(image)
            ?? throw new IngestException(IngestErrorKind.BadInput, $"there is no image named '{image}'; see `list`");
        var partial = outputPath + ".partial";
        try
        {
            using (var output = File.OpenHandle(partial, FileMode.Create, FileAccess.Write))
            {
                // Sized first, as a hole: a file system that cannot hold the image refuses before anything is read.
                GuestDiskLimits.SetLength(output, info.Size, outputPath);
                await Write(image, output, progress, cancellation);
            }
            DurableFile.Publish(partial, outputPath);
            return info;
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    /// <summary>Writes the pieces <see cref="Read"/> assembles on another task; a failure on either side stops both, and
    /// the reader's failure (a damaged chunk, a digest that does not match) is what is thrown.</summary>
    private async Task Write(string image, SafeFileHandle output, Action<long>? progress, CancellationToken cancellation)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        // One piece in the channel, one being written, one being assembled: the three buffers Read rotates.
        var pieces = Channel.CreateBounded<RestoredPiece>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var piece in Read(image, stop.Token))
                    await pieces.Writer.WriteAsync(piece, stop.Token);
                pieces.Writer.Complete();
            }
            catch (Exception e)
            {
                pieces.Writer.Complete(e);
                throw;
            }
        }, stop.Token);
        try
        {
            await foreach (var piece in pieces.Reader.ReadAllAsync(stop.Token))
            {
                stop.Token.ThrowIfCancellationRequested();
                RandomAccess.Write(output, piece.Data.Span, piece.Offset);
                WriteBehind.Start(output, piece.Offset, piece.Data.Length);
                progress?.Invoke(piece.Data.Length + piece.ZerosBefore);
            }
        }
        catch when (!reading.IsCompleted)
        {
            await stop.CancelAsync();
            await reading.ContinueWith(_ => { }, TaskScheduler.Default);
            throw;
        }
        catch
        {
            await reading;
            throw;
        }
        await reading;
        // A restore cancelled after its last piece leaves no file either.
        cancellation.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// The image's data runs in order, each checked against its fingerprints; zero runs are skipped (they are holes).
    /// Pieces rotate over three buffers: a piece's buffer is reused two pieces later, so consume it before then. The enumeration throws at the end if
    /// the recipes do not match the image digest, so only a complete enumeration is a good restore.
    /// </summary>
    public async IAsyncEnumerable<RestoredPiece> Read(string image, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        var manifest = await view.GetManifest(image)
            ?? throw new IngestException(IngestErrorKind.BadInput, $"there is no image named '{image}'; see `list`");
        using var assembler = new ChunkAssembler(store, view.Resolve);
        var buffers = new PieceBuffers(BatchBytes + (1 << 20));
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
                await foreach (var piece in Assemble(batch, assembler, buffers, position))
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

    private static async IAsyncEnumerable<RestoredPiece> Assemble(List<RecipeEntry> batch, ChunkAssembler assembler, PieceBuffers buffers, long position)
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
            var buffer = buffers.Next();
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
        var bad = FingerprintSlices.FindMismatch(buffer, to - from, k => (offsets[k], batch[from + k].Length),
            k => batch[from + k].Fingerprint);
        if (bad >= 0) throw new InvalidDataException($"chunk {batch[from + bad].Fingerprint} is damaged in the store; run verify");
    }
}

/// <summary>The three buffers restored pieces rotate over (<see cref="ImageRestorer.Read"/>).</summary>
internal sealed class PieceBuffers(int size)
{
    private readonly byte[][] _buffers = [new byte[size], new byte[size], new byte[size]];
    private int _next;

    public byte[] Next() => _buffers[_next++ % _buffers.Length];
}

/// <summary>A run of restored bytes at an offset of the image, after <see cref="ZerosBefore"/> bytes of zeros.</summary>
public readonly record struct RestoredPiece(long Offset, ReadOnlyMemory<byte> Data, long ZerosBefore);
