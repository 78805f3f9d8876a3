using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

namespace OrleansDedup.Host.Tests;

/// <summary>A container whose table points outside the file fails its ingest as bad input, naming the entry; with
/// "opaque": true in the body it is stored as plain bytes.</summary>
public sealed class ContainerIngestTests(SiloFixture silo) : IClassFixture<SiloFixture>
{
    [Fact]
    public async Task A_broken_qcow2_is_bad_input_unless_ingested_as_opaque()
    {
        var path = BrokenQcow2(Path.Combine(silo.Root, "broken.qcow2"));

        await SiloFixture.Json(await Ingest("broken", path, opaque: false), HttpStatusCode.Accepted);
        var refused = await silo.WaitForIngest("broken");
        Assert.Equal("failed", refused.GetProperty("state").GetString());
        Assert.Equal("badinput", refused.GetProperty("errorKind").GetString());
        Assert.Contains("L1 entry 0 points at", refused.GetProperty("error").GetString());
        await silo.AssertNoImage("broken");

        await SiloFixture.Json(await Ingest("broken", path, opaque: true), HttpStatusCode.Accepted);
        var accepted = await silo.WaitForIngest("broken");
        Assert.Equal("succeeded", accepted.GetProperty("state").GetString());
        var container = accepted.GetProperty("result").GetProperty("container");
        Assert.Equal("qcow2", container.GetProperty("format").GetString());
        Assert.Contains("opaque", container.GetProperty("variant").GetString());
        Assert.Equal(await File.ReadAllBytesAsync(path), await silo.Content("broken"));
    }

    private Task<HttpResponseMessage> Ingest(string name, string path, bool opaque) =>
        silo.Send(HttpMethod.Post, $"/api/images/{name}/ingest", silo.ApiKey, JsonContent.Create(new { path, strategy = "adaptive", opaque }));

    /// <summary>An empty qcow2 from qemu-img whose first L1 entry then points past the end of the file.</summary>
    private static string BrokenQcow2(string path)
    {
        using (var process = Process.Start("qemu-img", $"create -q -f qcow2 {path} 8M")) process.WaitForExit();
        var image = File.ReadAllBytes(path);
        var l1 = (int)BinaryPrimitives.ReadUInt64BigEndian(image.AsSpan(40));
        BinaryPrimitives.WriteUInt64BigEndian(image.AsSpan(l1), (1UL << 63) | (ulong)((image.Length / 65536 + 16) * 65536L));
        File.WriteAllBytes(path, image);
        return path;
    }
}
