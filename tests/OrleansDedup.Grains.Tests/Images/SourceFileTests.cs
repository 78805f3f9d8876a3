using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Images;
using OrleansDedup.Grains.Pipeline;
using OrleansDedup.Grains.Tests.Infrastructure;

namespace OrleansDedup.Grains.Tests.Images;

/// <summary>
/// Open once, check what was opened: beneath an image root no symbolic link is followed (not even one that stays
/// inside), and every open compares the file's device and inode with the identity the ingest was started with, so a
/// file replaced under the same name is refused by the grain, the container reader and each segment alike.
/// </summary>
public sealed class SourceFileTests(GridFixture fixture) : IClassFixture<GridFixture>
{
    [Fact]
    public void A_file_replaced_under_its_name_is_refused_at_every_later_open()
    {
        var path = Write("replaced.raw", 1);
        FileIdentity checkedIdentity;
        using (var file = SourceFile.Open(path, root: null)) checkedIdentity = SourceFile.Identify(file)!;
        using (SourceFile.OpenVerified(path, null, checkedIdentity)) { } // the same file passes

        File.Move(Write("other.raw", 2), path, overwrite: true);

        AssertChanged(() => SourceFile.OpenVerified(path, null, checkedIdentity).Dispose(), path);
        AssertChanged(() => ContainerLayouts.Read(path, 1 << 20, null, checkedIdentity), path);
        AssertChanged(() => new SegmentSource(path, 1 << 20, 0, 1 << 20, null, checkedIdentity).Dispose(), path);
    }

    [Fact]
    public void Beneath_a_root_no_symbolic_link_is_followed_and_nothing_outside_is_opened()
    {
        var root = Path.Combine(fixture.Temp.Path, "root");
        Directory.CreateDirectory(Path.Combine(root, "real"));
        var inside = Path.Combine(root, "real", "disk.raw");
        File.WriteAllBytes(inside, [1, 2, 3]);
        Directory.CreateSymbolicLink(Path.Combine(root, "link"), Path.Combine(root, "real"));

        using (var file = SourceFile.Open(inside, root)) Assert.Equal(3, RandomAccess.GetLength(file));
        var linked = Assert.Throws<IngestException>(() => SourceFile.Open(Path.Combine(root, "link", "disk.raw"), root));
        Assert.Equal(IngestErrorKind.BadInput, linked.Kind);
        Assert.Contains("symbolic link", linked.Message);
        var outside = Assert.Throws<IngestException>(() => SourceFile.Open(Path.Combine(root, "..", "elsewhere.raw"), root));
        Assert.Contains("outside the image root", outside.Message);
        Assert.Contains("does not exist", Assert.Throws<IngestException>(() => SourceFile.Open(Path.Combine(root, "missing.raw"), root)).Message);
    }

    [Fact]
    public async Task An_ingest_whose_file_is_not_the_one_checked_is_refused_and_stores_nothing()
    {
        var path = Write("checked.raw", 3);
        FileIdentity other;
        using (var file = SourceFile.Open(Write("another.raw", 4), null)) other = SourceFile.Identify(file)!;

        var status = await fixture.Grid.Image("not-checked").StartIngest(new IngestRequest(path, ChunkingStrategy.Fixed, Identity: other));

        Assert.Equal(IngestState.Failed, status.State);
        Assert.Equal(IngestErrorKind.BadInput, status.ErrorKind);
        Assert.Contains("not the one that was checked", status.Error);
        Assert.DoesNotContain('\n', status.Error!);
        Assert.Null(await fixture.Grid.Image("not-checked").GetInfo());
        // Without an identity (the CLI's case) the grain takes the one it opens, and the ingest goes through.
        Assert.Equal(new FileInfo(path).Length, (await fixture.Grid.IngestOk("checked", path, ChunkingStrategy.Fixed)).Size);
    }

    private string Write(string name, int seed)
    {
        var path = fixture.Temp.File(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = new byte[1 << 20];
        new Random(seed).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static void AssertChanged(Action open, string path)
    {
        var refused = Assert.Throws<IngestException>(open);
        Assert.Equal(IngestErrorKind.BadInput, refused.Kind);
        Assert.Contains($"{path} changed while it was being ingested", refused.Message);
    }
}
