using OrleansDedup.Host.Security;

namespace OrleansDedup.Host.Tests;

/// <summary>The path check on its own, on a real directory tree with links in every position.</summary>
public sealed class ImageRootsTests : IDisposable
{
    private readonly string _base = Path.Combine(Path.GetTempPath(), "orleans-dedup-roots-" + Guid.NewGuid().ToString("N"));

    public ImageRootsTests()
    {
        Directory.CreateDirectory(Path.Combine(_base, "root", "sub"));
        Directory.CreateDirectory(Path.Combine(_base, "other"));
        File.WriteAllText(Path.Combine(_base, "root", "sub", "a.img"), "a");
        File.WriteAllText(Path.Combine(_base, "other", "b.img"), "b");
    }

    private string Root => Path.Combine(_base, "root");

    public void Dispose() => Directory.Delete(_base, recursive: true);

    [Fact]
    public void A_file_inside_is_allowed_and_resolved()
    {
        var roots = new ImageRoots([Root]);
        Assert.Equal(ImageRoots.Verdict.Allowed, roots.Check(Path.Combine(Root, "sub", "a.img"), out var resolved));
        Assert.Equal(Path.Combine(Root, "sub", "a.img"), resolved);
        Assert.Equal(ImageRoots.Verdict.Allowed, roots.Check(Path.Combine(Root, "sub", "..", "sub", "a.img"), out _));
    }

    [Fact]
    public void Relative_links_that_climb_out_are_refused()
    {
        File.CreateSymbolicLink(Path.Combine(Root, "sub", "up.img"), Path.Combine("..", "..", "other", "b.img"));
        Directory.CreateSymbolicLink(Path.Combine(Root, "sub", "updir"), Path.Combine("..", ".."));
        var roots = new ImageRoots([Root]);
        Assert.Equal(ImageRoots.Verdict.Outside, roots.Check(Path.Combine(Root, "sub", "up.img"), out _));
        Assert.Equal(ImageRoots.Verdict.Outside, roots.Check(Path.Combine(Root, "sub", "updir", "other", "b.img"), out _));
    }

    [Fact]
    public void A_path_lexically_inside_through_a_directory_link_out_is_refused()
    {
        Directory.CreateSymbolicLink(Path.Combine(Root, "sub", "l"), Path.Combine("..", "..", "other"));
        var roots = new ImageRoots([Root]);
        Assert.Equal(ImageRoots.Verdict.Outside, roots.Check(Path.Combine(Root, "sub", "l", "b.img"), out _));
        // "l/.." is collapsed as text before anything is resolved, and the grid is handed that resolved path, so what
        // is read is what was checked (never other/../sub/a.img, which the kernel would make of the raw string).
        Assert.Equal(ImageRoots.Verdict.Allowed, roots.Check(Root + "/sub/l/../sub/a.img", out var resolved));
        Assert.Equal(Path.Combine(Root, "sub", "sub", "a.img"), resolved);
    }

    [Fact]
    public void A_link_chain_ending_inside_is_allowed_and_a_loop_is_refused()
    {
        File.CreateSymbolicLink(Path.Combine(Root, "one.img"), Path.Combine(Root, "two.img"));
        File.CreateSymbolicLink(Path.Combine(Root, "two.img"), Path.Combine("sub", "a.img"));
        File.CreateSymbolicLink(Path.Combine(Root, "loop1"), Path.Combine(Root, "loop2"));
        File.CreateSymbolicLink(Path.Combine(Root, "loop2"), Path.Combine(Root, "loop1"));
        var roots = new ImageRoots([Root]);
        Assert.Equal(ImageRoots.Verdict.Allowed, roots.Check(Path.Combine(Root, "one.img"), out var resolved));
        Assert.Equal(Path.Combine(Root, "sub", "a.img"), resolved);
        Assert.Equal(ImageRoots.Verdict.Outside, roots.Check(Path.Combine(Root, "loop1"), out _));
    }

    [Fact]
    public void A_root_reached_through_a_link_still_works()
    {
        var linkedRoot = Path.Combine(_base, "linked-root");
        Directory.CreateSymbolicLink(linkedRoot, Root);
        var roots = new ImageRoots([linkedRoot]);
        Assert.Equal(ImageRoots.Verdict.Allowed, roots.Check(Path.Combine(linkedRoot, "sub", "a.img"), out var resolved));
        Assert.Equal(Path.Combine(Root, "sub", "a.img"), resolved);
        Assert.Equal(ImageRoots.Verdict.Outside, roots.Check(Path.Combine(_base, "other", "b.img"), out _));
    }

    [Fact]
    public void A_sibling_with_the_root_as_prefix_is_outside()
    {
        Directory.CreateDirectory(Root + "-evil");
        File.WriteAllText(Path.Combine(Root + "-evil", "c.img"), "c");
        Assert.Equal(ImageRoots.Verdict.Outside, new ImageRoots([Root]).Check(Path.Combine(Root + "-evil", "c.img"), out _));
    }

    [Fact]
    public void No_roots_refuses_everything_and_relative_paths_are_not_absolute()
    {
        Assert.Equal(ImageRoots.Verdict.NoRoots, new ImageRoots([]).Check(Path.Combine(Root, "sub", "a.img"), out _));
        Assert.Equal(ImageRoots.Verdict.NotAbsolute, new ImageRoots([Root]).Check("sub/a.img", out _));
        Assert.Equal(ImageRoots.Verdict.NotAbsolute, new ImageRoots([Root]).Check("", out _));
    }
}
