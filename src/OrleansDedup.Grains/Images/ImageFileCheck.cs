using OrleansDedup.Abstractions.Images;

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

    /// <summary>
    /// The image grain's check, on the file it opens rather than on a name: opens the request's file once (beneath its
    /// root if it has one), says what makes it unusable, and on success returns the request with the path to read and
    /// the identity every later open must find (the one the client gave, if it gave one and it still holds).
    /// </summary>
    public static string? Pin(ref IngestRequest request, out long length)
    {
        length = 0;
        var path = request.Root is null ? Resolve(request.Path).FullName : request.Path;
        // Without a root, the path's own checks give the familiar lines (a directory, missing, empty, unreadable).
        if (request.Root is null && Problem(new FileInfo(path)) is { } problem) return problem;
        try
        {
            using var file = SourceFile.Open(path, request.Root);
            if (OperatingSystem.IsLinux())
            {
                var status = LinuxFiles.Stat(file);
                if (status.IsDirectory) return $"{path} is a directory; give the path of an image file";
                if (!status.IsRegular) return $"{path} is not a regular file; give the path of an image file";
            }
            length = RandomAccess.GetLength(file);
            if (length == 0) return $"{path} is empty (0 bytes); there is nothing to ingest";
            var identity = SourceFile.Identify(file);
            if (request.Identity is { } expected && identity is not null && !expected.SameFile(identity)) return SourceFile.Changed(path).Message;
            request = request with { Path = path, Identity = identity };
            return null;
        }
        catch (IngestException e)
        {
            return e.Message;
        }
        catch (IOException e)
        {
            return $"{path} cannot be read ({e.Message}); check its permissions";
        }
    }
}
