using System.Text;
using System.Text.Json.Serialization;
using Newtonsoft.Json;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Images;
using OrleansDedup.Grains.Offline;

namespace OrleansDedup.Grains.Tests.Offline;

/// <summary>Rows written by Newtonsoft with the metadata Orleans' ADO.NET storage asks for read back whole without it.</summary>
public sealed class RowJsonTests
{
    // The settings Orleans' ADO.NET grain storage writes rows with.
    private static readonly JsonSerializerSettings Orleans = new()
    {
        TypeNameHandling = TypeNameHandling.All,
        PreserveReferencesHandling = PreserveReferencesHandling.Objects,
        DefaultValueHandling = DefaultValueHandling.Ignore,
        NullValueHandling = NullValueHandling.Ignore,
    };

    private static byte[] Row(object value) => Encoding.UTF8.GetBytes(JsonConvert.SerializeObject(value, Orleans));

    private static readonly DedupStats Stats = new(1, 2, 3, 4, 5, 6, 7, 8, 9);

    [Fact]
    public void An_image_row_reads_back_field_for_field()
    {
        var record = new ImageRecord
        {
            Info = new ImageInfo("a.qcow2", "/images/a.qcow2", 1 << 30, ChunkingStrategy.Rabin, "ab12", DateTimeOffset.UnixEpoch.AddDays(3),
                2, Stats, 1.5, new ContainerInfo("qcow2", "qcow2 v3", 2 << 30, 1 << 29, 0, 65536, true)),
            SegmentRecipes = ["recipes/x/segment-00000.recipe", "recipes/x/segment-00001.recipe"],
        };
        var read = RowJson.Read(Row(record), CatalogJson.Default.ImageRecord)!;
        Assert.Equal(record.Info, read.Info);
        Assert.Equal(record.SegmentRecipes, read.SegmentRecipes);
        Assert.Null(read.Ingesting);
    }

    [Fact]
    public void A_catalog_row_unwraps_its_set()
    {
        var state = new CatalogState { Names = new SortedSet<string>(["b.raw", "a.raw", "c.vdi"], StringComparer.Ordinal) };
        var bytes = Row(state);
        Assert.Contains("$values", Encoding.UTF8.GetString(bytes));
        Assert.Equal(state.Names, RowJson.Read(bytes, CatalogJson.Default.CatalogState)!.Names);
    }

    [Fact]
    public void An_object_written_twice_is_a_reference_and_reads_back_as_the_same_values()
    {
        var bytes = Row(new Pair(Stats, Stats));
        Assert.Contains("$ref", Encoding.UTF8.GetString(bytes));
        var read = RowJson.Read(bytes, PairJson.Default.Pair)!;
        Assert.Equal(Stats, read.First);
        Assert.Equal(Stats, read.Second);
    }

    public sealed record Pair(DedupStats First, DedupStats Second);
}

[JsonSerializable(typeof(RowJsonTests.Pair))]
internal sealed partial class PairJson : JsonSerializerContext;
