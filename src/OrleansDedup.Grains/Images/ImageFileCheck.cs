namespace OrleansDedup.Grains.Images;

/// <summary>What makes a path unusable as an image, said in a sentence the user can act on.</summary>
public static class ImageFileCheck
{
    /// <summary>The file a path names, through any symbolic links: a link's own size is the length of its target's name,
    /// and the ingest measures and reads the target.</summary>
    public static FileInfo Resolve(string path)
    {
        var file = new FileInfo(path);
        try
        {
            return file.LinkTarget is null ? file : file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file;
        }
        catch (IOException)
        {
            return file; // a loop of links: Problem says it cannot be read
        }
    }

    public static string? Problem(FileInfo file)
    {
        if (Directory.Exists(file.FullName)) return $"{file.FullName} is a directory; give the path of an image file";
        if (!file.Exists) return $"{file.FullName} does not exist";
        if (file.Length == 0) return $"{file.FullName} is empty (0 bytes); there is nothing to ingest";
        try
        {
            using var _ = file.OpenRead();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{file.FullName} cannot be read ({e.Message}); check its permissions";
        }
        return null;
    }
}
