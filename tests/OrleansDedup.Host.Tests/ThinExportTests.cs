using System.Net;
using System.Text.Json;
using OrleansDedup.Testing.Images;

namespace OrleansDedup.Host.Tests;

/// <summary>The content endpoint follows the data: a 100 TiB thin qcow2 exports as a qcow2 and a VMDK that QEMU checks
/// and reads; a disk a format cannot hold is 422 with one line naming the limit; a client that goes away leaves no
/// temporary file.</summary>
public sealed class ThinExportTests(SiloFixture silo) : IClassFixture<SiloFixture>
{
    private const long TiB = 1L << 40;
    private const int Cluster = 64 << 10;
    private static readonly long[] DataAt = [0, 30 * TiB + 7 * Cluster, 100 * TiB - Cluster];

    private string Restores => Path.Combine(silo.Data, "restores");

    [Fact]
    public async Task A_100_TiB_thin_qcow2_exports_in_the_formats_that_hold_it_and_is_422_in_the_others()
    {
        var thin = Path.Combine(silo.Root, "thin.qcow2");
        ImageSet.Run("qemu-img", $"create -q -f qcow2 {thin} 100T");
        foreach (var at in DataAt) ImageSet.Run("qemu-io", $"-f qcow2 -c \"write -P 0xef {at} {Cluster}\" {thin}");
        await Ingest("thin", thin);

        foreach (var format in new[] { "qcow2", "vmdk" })
        {
            var output = Path.Combine(silo.Outside, "thin." + format);
            using (var response = await Get($"/api/images/thin/content?format={format}"))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                await using var file = File.Create(output);
                await response.Content.CopyToAsync(file);
            }

            var info = JsonDocument.Parse(ImageSet.Run("qemu-img", $"info --output=json -f {format} {output}")).RootElement;
            Assert.Equal(100 * TiB, info.GetProperty("virtual-size").GetInt64());
            if (format == "qcow2") ImageSet.Run("qemu-img", $"check -f qcow2 {output}");
            foreach (var at in DataAt) ImageSet.Run("qemu-io", $"-f {format} -c \"read -P 0xef {at} {Cluster}\" {output}");
        }

        Assert.Contains("at most 2040 GiB", await SiloFixture.Problem(await Get("/api/images/thin/content?format=vhd"), HttpStatusCode.UnprocessableEntity));
        using (var raw = await Get("/api/images/thin/content?format=raw"))
        {
            // A file system that holds 100 TiB streams a hole; ext4 (16 TiB at most) refuses.
            if (raw.StatusCode != HttpStatusCode.OK)
                Assert.Contains("cannot hold a file of 100 TiB", await SiloFixture.Problem(raw, HttpStatusCode.UnprocessableEntity));
        }
        await AssertNoTemporaryFiles();
    }

    [Fact]
    public async Task A_disk_of_2_to_the_56_bytes_is_422_with_one_line_for_every_format_that_cannot_hold_it()
    {
        var huge = Path.Combine(silo.Root, "huge.qcow2");
        ImageSet.Run("qemu-img", $"create -q -f qcow2 -o cluster_size=2M {huge} 64P");
        await Ingest("huge", huge);

        foreach (var (format, limit) in new[] { ("qcow2", "2 PiB"), ("vmdk", "1 PiB"), ("vdi", "512 TiB"), ("vhd", "2040 GiB") })
        {
            var detail = await SiloFixture.Problem(await Get($"/api/images/huge/content?format={format}"), HttpStatusCode.UnprocessableEntity);
            Assert.Contains($"at most {limit}", detail);
            Assert.Contains("64 PiB", detail);
        }

        using (var raw = await Get("/api/images/huge/content?format=raw"))
        {
            if (raw.StatusCode != HttpStatusCode.OK)
                Assert.Contains("cannot hold a file of 64 PiB", await SiloFixture.Problem(raw, HttpStatusCode.UnprocessableEntity));
        }
        await AssertNoTemporaryFiles();
    }

    [Fact]
    public async Task A_client_that_goes_away_mid_export_or_mid_download_leaves_no_temporary_file()
    {
        // 256 MiB of guest data that the store keeps as 16 MiB.
        var path = Path.Combine(silo.Root, "large.raw");
        var block = new byte[16 << 20];
        Random.Shared.NextBytes(block);
        await using (var file = File.Create(path))
            for (var i = 0; i < 16; i++) await file.WriteAsync(block);
        await Ingest("large", path);

        // Gone while the silo restores and exports, before any header is sent.
        using (var cancel = new CancellationTokenSource())
        {
            var request = Get("/api/images/large/content?format=vdi", cancel.Token);
            for (var i = 0; i < 1200 && !Directory.EnumerateFiles(Restores).Any(); i++) await Task.Delay(10);
            cancel.Cancel();
            try
            {
                (await request).Dispose();
            }
            catch (OperationCanceledException)
            {
            }
        }
        await AssertNoTemporaryFiles();

        // Gone after the first MiB of the body.
        using (var response = await Get("/api/images/large/content"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var body = await response.Content.ReadAsStreamAsync();
            await body.ReadExactlyAsync(new byte[1 << 20]);
        }
        await AssertNoTemporaryFiles();
    }

    private async Task Ingest(string name, string path)
    {
        await SiloFixture.Json(await silo.IngestByPath(name, path, silo.ApiKey), HttpStatusCode.Accepted);
        Assert.Equal("succeeded", (await silo.WaitForIngest(name)).GetProperty("state").GetString());
    }

    /// <summary>Headers only: a body is read by the caller, if at all. The key is sent, as reads may need it.</summary>
    private Task<HttpResponseMessage> Get(string uri, CancellationToken cancellation = default) =>
        silo.Http.SendAsync(silo.Request(HttpMethod.Get, uri, silo.ApiKey), HttpCompletionOption.ResponseHeadersRead, cancellation);

    /// <summary>The silo removes its temporary files once it sees the client gone: asked again for up to 10 s.</summary>
    private async Task AssertNoTemporaryFiles()
    {
        for (var i = 0; i < 100 && Directory.EnumerateFiles(Restores).Any(); i++) await Task.Delay(100);
        Assert.Empty(Directory.EnumerateFiles(Restores));
    }
}
