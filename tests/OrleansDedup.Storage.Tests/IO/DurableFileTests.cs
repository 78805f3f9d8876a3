using OrleansDedup.Storage.IO;

namespace OrleansDedup.Storage.Tests.IO;

public sealed class DurableFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WriteReplacesTheFileWhole()
    {
        var path = Path.Combine(_dir.Path, "settings.json");
        File.WriteAllText(path, "old, and longer than the new content");

        DurableFile.Write(path, "new"u8);

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(["settings.json"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AFailedWriteLeavesNoTemporaryFile()
    {
        // A directory in the file's place: the temporary file is written, and the rename over the name fails.
        var path = Path.Combine(_dir.Path, "taken");
        Directory.CreateDirectory(path);

        Assert.ThrowsAny<IOException>(() => DurableFile.Write(path, "content"u8));

        Assert.Empty(Directory.GetFiles(_dir.Path));
        Assert.True(Directory.Exists(path));
    }

    [Fact]
    public void PublishMovesAWrittenFileUnderItsName()
    {
        var partial = Path.Combine(_dir.Path, "image.partial");
        var path = Path.Combine(_dir.Path, "image");
        File.WriteAllBytes(partial, [1, 2, 3]);
        File.WriteAllBytes(path, [9]);

        DurableFile.Publish(partial, path);

        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.False(File.Exists(partial));
    }

    [Fact]
    public async Task WritesInTheBackgroundOfTheSameFileEachUseTheirOwnTemporary()
    {
        var path = Path.Combine(_dir.Path, "run");
        var content = Enumerable.Range(0, 1 << 16).Select(i => (byte)i).ToArray();

        // Two writers of one file, as two segments storing the same recipe run: neither's rename may find its
        // temporary taken or rewritten by the other.
        var writes = Enumerable.Range(0, 16).Select(_ => DurableFile.WriteInBackground(path, content)).ToArray();
        await Task.WhenAll(writes);

        Assert.Equal(content, File.ReadAllBytes(path));
        Assert.Equal(["run"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task AFailedBackgroundWriteFaultsItsTaskAndLeavesNoTemporaryFile()
    {
        var path = Path.Combine(_dir.Path, "taken");
        Directory.CreateDirectory(path);

        var write = DurableFile.WriteInBackground(path, "content"u8);

        await Assert.ThrowsAnyAsync<IOException>(() => write);
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }
}
