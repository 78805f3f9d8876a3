using OrleansDedup.Cli.Ingest;
using OrleansDedup.Testing.Files;

namespace OrleansDedup.Cli.Tests.Ingest;

public sealed class IngestOrderTests : IDisposable
{
    private readonly TempDirectory _directory = new("orleans-dedup-order");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Images_start_largest_first_and_equal_sizes_keep_their_order()
    {
        var images = new[] { File("small", 10), File("large", 300), File("mid-1", 100), File("mid-2", 100) };

        Assert.Equal([1, 2, 3, 0], IngestOrder.LargestFirst(images));
    }

    [Fact]
    public void Paths_the_client_cannot_see_keep_their_order_after_the_ones_it_can()
    {
        var images = new[] { new ImageSource("remote-1", "/no/such/dir/a.raw"), File("local", 1), new ImageSource("remote-2", "/no/such/dir/b.raw") };

        Assert.Equal([1, 0, 2], IngestOrder.LargestFirst(images));
    }

    private ImageSource File(string name, int length)
    {
        var path = Path.Combine(_directory.Path, name);
        System.IO.File.WriteAllBytes(path, new byte[length]);
        return new ImageSource(name, path);
    }
}
