using System.Text.Json;
using OrleansDedup.ImageFormats.GuestDisks;
using OrleansDedup.Testing.Images;

namespace OrleansDedup.ImageFormats.Tests.GuestDisks;

/// <summary>A 100 TiB thin qcow2 (a 2 MB file) exported in every format: the work follows its data, never its virtual
/// size; the formats that hold it give files QEMU checks and reads, the others are refused before any file is made.</summary>
public sealed class ThinDiskExportTests : IDisposable
{
    private const long TiB = 1L << 40;
    private const int Cluster = 64 << 10;
    private static readonly long[] DataAt = [0, 50 * TiB + 3 * Cluster, 100 * TiB - Cluster];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orleans-dedup-thin-" + Guid.NewGuid().ToString("N"));
    private readonly string _thin;

    public ThinDiskExportTests()
    {
        Directory.CreateDirectory(_directory);
        _thin = Path.Combine(_directory, "thin.qcow2");
        ImageSet.Run("qemu-img", $"create -q -f qcow2 {_thin} 100T");
        foreach (var at in DataAt) ImageSet.Run("qemu-io", $"-f qcow2 -c \"write -P 0xab {at} {Cluster}\" {_thin}");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(ImageFormat.Qcow2, "qcow2")]
    [InlineData(ImageFormat.Vdi, "vdi")]
    [InlineData(ImageFormat.Vmdk, "vmdk")]
    public void The_formats_that_hold_100_TiB_write_it_from_its_data_alone(ImageFormat format, string qemuName)
    {
        string output = Path.Combine(_directory, "thin.out." + qemuName);
        GuestDiskExporter.CheckTarget(format, 100 * TiB, output);
        long progress = 0;
        GuestDiskExporter.Export(_thin, output, format, n => progress += n);

        // Three 64 KiB clusters of data were read, not 100 TiB.
        Assert.Equal(DataAt.Length * (long)Cluster, progress);
        var info = JsonDocument.Parse(ImageSet.Run("qemu-img", $"info --output=json -f {qemuName} {output}")).RootElement;
        Assert.Equal(100 * TiB, info.GetProperty("virtual-size").GetInt64());
        ImageSet.Run("qemu-img", $"check -f {qemuName} {output}");
        foreach (var at in DataAt) ImageSet.Run("qemu-io", $"-f {qemuName} -c \"read -P 0xab {at} {Cluster}\" {output}");
        ImageSet.Run("qemu-io", $"-f {qemuName} -c \"read -P 0 {Cluster} {Cluster}\" {output}");
        Assert.True(new FileInfo(output).Length < 1L << 30, $"{new FileInfo(output).Length} bytes");
    }

    [Fact]
    public void A_vhd_of_100_TiB_is_refused_naming_its_limit_before_any_file_is_made()
    {
        string output = Path.Combine(_directory, "thin.vhd");
        var e = Assert.Throws<FormatLimitException>(() => GuestDiskExporter.CheckTarget(ImageFormat.Vhd, 100 * TiB, output));
        Assert.Contains("2040 GiB", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(File.Exists(output));
        Assert.Throws<FormatLimitException>(() => GuestDiskExporter.Export(_thin, output, ImageFormat.Vhd));
    }

    [Fact]
    public void A_raw_disk_of_100_TiB_is_a_hole_or_refused_by_the_file_system()
    {
        string output = Path.Combine(_directory, "thin.raw");
        try
        {
            GuestDiskExporter.CheckTarget(ImageFormat.Raw, 100 * TiB, output);
        }
        catch (FormatLimitException e)
        {
            // ext4 holds files of at most 16 TiB (EFBIG).
            Assert.Contains("cannot hold a file of 100 TiB", e.Message);
            Assert.False(File.Exists(output));
            return;
        }

        GuestDiskExporter.Export(_thin, output, ImageFormat.Raw);
        Assert.Equal(100 * TiB, new FileInfo(output).Length);
        foreach (var at in DataAt) ImageSet.Run("qemu-io", $"-f raw -c \"read -P 0xab {at} {Cluster}\" {output}");
    }

    [Theory]
    [InlineData(ImageFormat.Qcow2, "2 PiB")]
    [InlineData(ImageFormat.Vmdk, "1 PiB")]
    [InlineData(ImageFormat.Vdi, "512 TiB less 128 MiB")]
    [InlineData(ImageFormat.Vhd, "2040 GiB")]
    public void A_disk_of_2_to_the_56_bytes_is_refused_in_one_line_naming_the_limit(ImageFormat format, string limit)
    {
        var e = Assert.Throws<FormatLimitException>(() => GuestDiskLimits.Check(format, 1L << 56));
        Assert.Contains($"at most {limit}", e.Message);
        Assert.Contains("64 PiB", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_cancelled_export_stops_at_its_next_block()
    {
        using var cancel = new CancellationTokenSource();
        string output = Path.Combine(_directory, "cancelled.qcow2");
        // Cancelled as the first data arrives: the export must not go on to the other two clusters.
        long progress = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => GuestDiskExporter.Export(_thin, output, ImageFormat.Qcow2, n =>
        {
            progress += n;
            cancel.Cancel();
        }, cancellation: cancel.Token));
        Assert.Equal(Cluster, progress);
    }
}
