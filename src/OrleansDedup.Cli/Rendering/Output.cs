using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Maintenance;
using Spectre.Console;

namespace OrleansDedup.Cli.Rendering;

/// <summary>Tables for people, JSON for scripts.</summary>
public static class Output
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static void Json(object value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    public static void Images(bool json, ImageInfo[] images)
    {
        if (json)
        {
            Json(images.Select(ImageJson));
            return;
        }
        if (images.Length == 0) return;
        // Time is in --json; the speed says it here, so that the table fits 160 columns.
        var table = new Table().AddColumns("Image", "Format", "Guest / metadata", "Strategy", "Size", "Unique", "Stored", "Compr.", "Zero", "Duplicate", "New",
            "Dedup rate", "Speed");
        foreach (var i in images)
        {
            table.AddRow(Markup.Escape(i.Name), Markup.Escape(FormatOf(i)), Split(i), i.Strategy.ToString().ToLowerInvariant(), Sizes.Format(i.Size),
                Sizes.Format(i.Stats.NewBytes), Sizes.Format(i.Stats.StoredBytes), $"{i.Stats.CompressionRatio:0.00}x",
                $"{i.Stats.ZeroChunks:N0}", $"{i.Stats.DuplicateChunks:N0}", $"{i.Stats.NewChunks:N0}", $"{i.DedupRate:0.00} %",
                i.Seconds > 0 ? $"{Sizes.Format(i.Size / i.Seconds)}/s" : "");
        }

        AnsiConsole.Write(table);
    }

    /// <summary>Images stored before formats were detected have no container record.</summary>
    private static string FormatOf(ImageInfo i) => i.Container is { } c ? (c.Variant.StartsWith(c.Format, StringComparison.Ordinal) ? c.Variant : $"{c.Format} ({c.Variant})") : "unknown";

    private static string Split(ImageInfo i) => i.Container is { GuestDataBytes: > 0 } or { CompressedGuestBytes: > 0 } or { MetadataBytes: > 0 }
        ? $"{Sizes.Format(i.Container.GuestDataBytes + i.Container.CompressedGuestBytes)} / {Sizes.Format(i.Container.MetadataBytes)}"
        : "";

    public static object ImageJson(ImageInfo i) => new
    {
        i.Name,
        i.SourcePath,
        i.Size,
        Strategy = i.Strategy.ToString().ToLowerInvariant(),
        i.Digest,
        i.IngestedAt,
        i.Segments,
        i.Stats.ZeroChunks,
        i.Stats.DuplicateChunks,
        i.Stats.NewChunks,
        i.Stats.ZeroBytes,
        i.Stats.DuplicateBytes,
        i.Stats.NewBytes,
        DeduplicatedBytes = i.Stats.NewBytes,
        StoredChunkBytes = i.Stats.StoredChunkBytes,
        MetadataBytes = i.Stats.MetadataBytes,
        StoredBytes = i.Stats.StoredBytes,
        DedupRate = Math.Round(i.DedupRate, 4),
        CompressionRatio = Math.Round(i.Stats.CompressionRatio, 4),
        i.Seconds,
        Format = i.Container?.Format,
        FormatVariant = i.Container?.Variant,
        VirtualSize = i.Container?.VirtualSize,
        GuestDataBytes = i.Container?.GuestDataBytes,
        CompressedGuestBytes = i.Container?.CompressedGuestBytes,
        ContainerMetadataBytes = i.Container?.MetadataBytes,
        FormatAware = i.Container?.FormatAware,
    };

    public static void Store(bool json, StoreReport report)
    {
        if (json)
        {
            Json(new
            {
                Images = report.Images.Select(ImageJson),
                Overall = new
                {
                    ImageCount = report.Images.Length,
                    report.OriginalBytes,
                    DeduplicatedBytes = report.LiveChunkBytes,
                    report.PackBytes,
                    report.PackRawBytes,
                    report.LiveChunkBytes,
                    report.IndexBytes,
                    report.RecipeBytes,
                    report.MetadataBytes,
                    report.StoredBytes,
                    DedupRate = Math.Round(report.DedupRate, 4),
                    report.Compression,
                    CompressionRatio = Math.Round(report.CompressionRatio, 4),
                    ZeroChunks = report.Images.Sum(i => i.Stats.ZeroChunks),
                    DuplicateChunks = report.Images.Sum(i => i.Stats.DuplicateChunks),
                    NewChunks = report.Images.Sum(i => i.Stats.NewChunks),
                },
                ShardCount = report.Shards.Length,
                Silos = SiloShards.Of(report.Shards),
                Shards = report.Shards.OrderBy(s => s.Shard).Select(s => new { s.Shard, s.Silo, s.Chunks, s.Aliases, s.ChunkBytes, s.MetadataBytes }),
            });
            return;
        }
        Images(false, report.Images);
        var overall = new Table().AddColumns("Overall", "");
        overall.AddRow("Images", $"{report.Images.Length:N0}");
        overall.AddRow("Original size", Sizes.Format(report.OriginalBytes));
        overall.AddRow("Deduplicated (live chunks)", Sizes.Format(report.LiveChunkBytes));
        overall.AddRow("Chunk packs on disk", $"{Sizes.Format(report.PackBytes)} (holding {Sizes.Format(report.PackRawBytes)})");
        overall.AddRow("Compression", $"{report.Compression}, {report.CompressionRatio:0.00}x");
        overall.AddRow("Index", Sizes.Format(report.IndexBytes));
        overall.AddRow("Recipes", Sizes.Format(report.RecipeBytes));
        overall.AddRow("Stored size", Sizes.Format(report.StoredBytes));
        overall.AddRow("Zero / duplicate / new chunks",
            $"{report.Images.Sum(i => i.Stats.ZeroChunks):N0} / {report.Images.Sum(i => i.Stats.DuplicateChunks):N0} / {report.Images.Sum(i => i.Stats.NewChunks):N0}");
        overall.AddRow("Dedup rate", $"{report.DedupRate:0.00} %");
        AnsiConsole.Write(overall);
        var silos = new Table().AddColumns("Silo", "Shards", "Chunks", "Aliases", "Chunk bytes");
        foreach (var s in SiloShards.Of(report.Shards))
            silos.AddRow(Markup.Escape(s.Silo), $"{s.Shards}", $"{s.Chunks:N0}", $"{s.Aliases:N0}", Sizes.Format(s.ChunkBytes));
        AnsiConsole.Write(silos);
    }
}
