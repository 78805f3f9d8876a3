namespace OrleansDedup.Testing.Files;

/// <summary>A temporary directory that goes away with the test (or fixture) that made it.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "odgrid")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Data => System.IO.Path.Combine(Path, "data");

    public string File(string name) => System.IO.Path.Combine(Path, "files", name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
