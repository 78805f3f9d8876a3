using Microsoft.Win32.SafeHandles;
using OrleansDedup.Abstractions.Images;

namespace OrleansDedup.Grains.Images;

/// <summary>
/// Opens the file an ingest reads, the same way at every open (the image grain's check, its container tables, each
/// segment on any silo): beneath its image root without following a symbolic link when it has one (openat2, or on a
/// kernel without it an ordinary open whose descriptor's real path is then checked), and then compares what was opened
/// with the identity the ingest was started with. A file swapped in between is refused, never read.
/// </summary>
public static class SourceFile
{
    private static readonly Lazy<string> Kernel = new(() =>
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    });

    /// <summary>Opens <paramref name="path"/> for reading, beneath <paramref name="root"/> if given; a path that cannot be
    /// opened is an <see cref="IngestException"/> of kind bad input with one line.</summary>
    public static SafeFileHandle Open(string path, string? root)
    {
        if (root is null || !OperatingSystem.IsLinux()) return OpenByName(path);
        var relative = Path.GetRelativePath(root, path);
        if (relative == "." || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
            throw Refused($"{path} is outside the image root {root}");
        var file = LinuxFiles.OpenBeneath(root, relative, out var errno);
        if (file is not null) return file;
        return errno switch
        {
            LinuxFiles.NotImplemented or LinuxFiles.NotPermitted => OpenThenCheck(path, root),
            LinuxFiles.NoSuchFile => throw Refused($"{path} does not exist"),
            LinuxFiles.PermissionDenied => throw Refused($"{path} cannot be read (permission denied); check its permissions"),
            LinuxFiles.TooManyLinks or LinuxFiles.CrossDevice =>
                throw Refused($"{path} is no longer the file that was checked: a symbolic link now stands in its path inside {root}; refused"),
            _ => throw Refused($"cannot open {path} (errno {errno})"),
        };
    }

    /// <summary>Opens as <see cref="Open"/> does and refuses a file whose identity is not <paramref name="expected"/>
    /// (no check when it is null).</summary>
    public static SafeFileHandle OpenVerified(string path, string? root, FileIdentity? expected)
    {
        var file = Open(path, root);
        if (expected is null || Identify(file) is not { } actual || expected.SameFile(actual)) return file;
        file.Dispose();
        throw Changed(path);
    }

    /// <summary>The identity of what <paramref name="file"/> is open on; null where the platform cannot say.</summary>
    public static FileIdentity? Identify(SafeFileHandle file)
    {
        if (!OperatingSystem.IsLinux()) return null;
        var status = LinuxFiles.Stat(file);
        return new FileIdentity(status.Device, status.Inode, Kernel.Value);
    }

    /// <summary>The identity of the file at <paramref name="path"/> beneath <paramref name="root"/>, or null if it cannot
    /// be opened (the image grain then says why).</summary>
    public static FileIdentity? TryIdentify(string path, string? root)
    {
        try
        {
            using var file = Open(path, root);
            return Identify(file);
        }
        catch (Exception e) when (e is IngestException or IOException)
        {
            return null;
        }
    }

    public static IngestException Changed(string path) =>
        Refused($"{path} changed while it was being ingested: the file opened now is not the one that was checked (replaced or swapped); refused");

    private static SafeFileHandle OpenByName(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw Refused($"{path} does not exist");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Refused($"{path} cannot be read ({e.Message}); check its permissions");
        }
    }

    /// <summary>Without openat2 (old kernels, some container sandboxes): open by name, then ask the kernel where the
    /// descriptor really is; whatever links were swapped on the way, that is the file that will be read.</summary>
    private static SafeFileHandle OpenThenCheck(string path, string root)
    {
        var file = OpenByName(path);
        var real = new FileInfo($"/proc/self/fd/{file.DangerousGetHandle()}").LinkTarget;
        if (real is not null && real.StartsWith(Path.TrimEndingDirectorySeparator(root) + "/", StringComparison.Ordinal)) return file;
        file.Dispose();
        throw Refused($"{path} is no longer the file that was checked: it now leads outside {root}; refused");
    }

    private static IngestException Refused(string message) => new(IngestErrorKind.BadInput, message);
}
