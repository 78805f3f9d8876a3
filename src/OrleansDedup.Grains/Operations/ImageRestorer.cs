using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Index;
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

    /// <summary>Restores into a file: written as "FILE.partial" and renamed only once complete and checked. Three stages
    /// overlap: one loads the chunks of the next run of the image, one assembles and checks the run before, and one
    /// writes the run before that and starts its write-back, so the final fsync finds little left to do.</summary>
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
                await foreach (var piece in Read(image, stop.Token, loadOnThreadPool: true))
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
    /// While a batch is assembled and checked, the next one is loaded (index look-ups, pack reads, decompression) by a
    /// second assembler. Pieces rotate over three buffers: a piece's buffer is reused two pieces later, so consume it
    /// before then. The enumeration throws at the end if the recipes do not match the image digest, so only a complete
    /// enumeration is a good restore.
    /// </summary>
    /// <param name="loadOnThreadPool">Loads on the thread pool, beside the caller. Off, the load runs in the caller's
    /// context whenever the caller waits: a grain's index look-ups then stay grain-to-grain calls, and a silo that
    /// streams the image to a client (whose wire is the bottleneck) gains nothing from another thread.</param>
    public async IAsyncEnumerable<RestoredPiece> Read(string image, [EnumeratorCancellation] CancellationToken cancellation = default,
        bool loadOnThreadPool = false)
    {
        var manifest = await view.GetManifest(image)
            ?? throw new IngestException(IngestErrorKind.BadInput, $"there is no image named '{image}'; see `list`");
        using var first = new ChunkAssembler(store, view.Resolve);
        using var second = new ChunkAssembler(store, view.Resolve);
        ChunkAssembler[] assemblers = [first, second];
        var buffers = new PieceBuffers(BatchBytes + (1 << 20));
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var batches = Batches(manifest.SegmentRecipes, digest).GetEnumerator();
        var loading = batches.MoveNext() ? LoadBatch(batches.Current, assemblers[0], loadOnThreadPool) : null;
        try
        {
            for (var k = 0; loading is not null; k++)
            {
                var (batch, views) = await loading;
                // The other assembler finished its batch in the last round: it may load the next one now.
                loading = batches.MoveNext() ? LoadBatch(batches.Current, assemblers[(k + 1) % 2], loadOnThreadPool) : null;
                foreach (var piece in Assemble(batch, views, assemblers[k % 2], buffers))
                    yield return piece;
                cancellation.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            // A batch still loading uses an assembler that is about to be disposed.
            if (loading is not null) await loading.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        if (Convert.ToHexStringLower(digest.GetHashAndReset()) != manifest.Image.Digest)
            throw new InvalidDataException($"the recipes of '{image}' do not match its recorded digest; run verify");
    }

    /// <summary>The recipes' entries in batches of about <see cref="BatchBytes"/>; each recipe is added to
    /// <paramref name="digest"/> once read to its end.</summary>
    private IEnumerable<RecipeBatch> Batches(IEnumerable<string> recipes, IncrementalHash digest)
    {
        foreach (var recipe in recipes)
        {
            using var reader = new RecipeReader(layout.RecipeOf(recipe), layout.Runs);
            var position = reader.Offset;
            var batch = new List<RecipeEntry>();
            var batchBytes = 0L;
            while (reader.TryRead(out var entry))
            {
                batch.Add(entry);
                batchBytes += entry.Length;
                if (batchBytes < BatchBytes) continue;
                yield return new RecipeBatch(batch, position);
                position += batchBytes;
                (batch, batchBytes) = ([], 0);
            }
            if (batch.Count > 0) yield return new RecipeBatch(batch, position);
            digest.AppendData(reader.Finish());
        }
    }

    private static Task<(RecipeBatch Batch, IReadOnlyDictionary<Fingerprint, IndexEntryView>? Views)> LoadBatch(
        RecipeBatch batch, ChunkAssembler assembler, bool onThreadPool)
    {
        var data = batch.Entries.Where(e => !e.IsZero).Select(e => e.Fingerprint).Distinct().ToArray();
        return onThreadPool ? Task.Run(Load) : Load();

        async Task<(RecipeBatch, IReadOnlyDictionary<Fingerprint, IndexEntryView>?)> Load() =>
            (batch, data.Length > 0 ? await assembler.Load(data) : null);
    }

    private static IEnumerable<RestoredPiece> Assemble(RecipeBatch recipeBatch, IReadOnlyDictionary<Fingerprint, IndexEntryView>? views,
        ChunkAssembler assembler, PieceBuffers buffers)
    {
        var (batch, position) = recipeBatch;
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

/// <summary>Recipe entries in order, the first at <see cref="Position"/> of the image.</summary>
internal readonly record struct RecipeBatch(List<RecipeEntry> Entries, long Position);

/// <summary>A run of restored bytes at an offset of the image, after <see cref="ZerosBefore"/> bytes of zeros.</summary>
public readonly record struct RestoredPiece(long Offset, ReadOnlyMemory<byte> Data, long ZerosBefore);
