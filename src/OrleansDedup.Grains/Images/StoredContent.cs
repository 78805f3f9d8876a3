using System.Buffers;
using Microsoft.Win32.SafeHandles;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Storage.IO;
using OrleansDedup.Storage.Recipes;

namespace OrleansDedup.Grains.Images;

/// <summary>
/// Whether a file holds exactly the bytes an image's recipes describe, so that ingesting it again under the same name is
/// a repeat, not a conflict. It reads the file once and hashes each recipe entry's range, as the ingest did, with the
/// segments in parallel; it stops at the first difference. Nothing is read from the packs.
/// </summary>
internal static class StoredContent
{
    public static async Task<bool> Matches(IngestRequest source, long size, string[] recipes, StoreLayout layout, CancellationToken cancellation)
    {
        using var file = SourceFile.OpenVerified(source.Path, source.Root, source.Identity);
        if (RandomAccess.GetLength(file) != size) return false;
        using var differs = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        try
        {
            await Parallel.ForEachAsync(recipes, new ParallelOptions { CancellationToken = differs.Token }, (recipe, token) =>
            {
                if (!SegmentMatches(file, layout.RecipeOf(recipe), layout.Runs, token)) differs.Cancel();
                return ValueTask.CompletedTask;
            });
            return true;
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return false;
        }
    }

    private static bool SegmentMatches(SafeFileHandle file, string recipe, RecipeRuns runs, CancellationToken cancellation)
    {
        using var reader = new RecipeReader(recipe, runs);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            var position = reader.Offset;
            while (reader.TryRead(out var entry))
            {
                cancellation.ThrowIfCancellationRequested();
                var remaining = (long)entry.Length;
                if (!entry.IsZero && entry.Length > buffer.Length) return false;
                while (remaining > 0)
                {
                    var piece = buffer.AsSpan(0, (int)Math.Min(remaining, entry.IsZero ? buffer.Length : entry.Length));
                    if (FileReads.ReadFully(file, piece, position) != piece.Length) return false;
                    if (entry.IsZero ? piece.ContainsAnyExcept((byte)0) : Fingerprint.Compute(piece) != entry.Fingerprint) return false;
                    position += piece.Length;
                    remaining -= piece.Length;
                }
            }
            return position == reader.Offset + reader.Length;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
