using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OrleansDedup.Grains.Images;

/// <summary>
/// The two Linux calls .NET does not offer: openat2 (open a path beneath a directory, refusing every symbolic link and
/// every way out, in one step the kernel makes atomic) and statx on a descriptor (device, inode, type and size of what
/// was opened, not of whatever a path names now). Both structures are the same on every Linux architecture.
/// </summary>
internal static partial class LinuxFiles
{
    public const int NoSuchFile = 2, PermissionDenied = 13, CrossDevice = 18, NotImplemented = 38, TooManyLinks = 40, NotPermitted = 1;

    private const nint AtFdCwd = -100;
    private const nint SysOpenat2 = 437; // x86-64 and the generic table (arm64) alike
    private const ulong ReadOnly = 0, NonBlocking = 0x800, CloseOnExec = 0x80000, PathOnly = 0x200000;
    private const ulong ResolveNoMagicLinks = 0x02, ResolveNoSymlinks = 0x04, ResolveBeneath = 0x08;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxSize = 256, ModeAt = 28, InodeAt = 32, SizeAt = 40, DevMajorAt = 136, DevMinorAt = 140;

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    public readonly record struct Status(ulong Device, ulong Inode, UnixFileMode Permissions, bool IsRegular, bool IsDirectory, long Size);

    /// <summary>Opens <paramref name="relative"/> beneath <paramref name="root"/> for reading; a negative errno on failure.
    /// Non-blocking, so that a FIFO put in an image's place cannot hang the open.</summary>
    public static unsafe SafeFileHandle? OpenBeneath(string root, string relative, out int errno)
    {
        using var directory = Open(AtFdCwd, root, new OpenHow { Flags = PathOnly | CloseOnExec }, out errno);
        if (directory is null) return null;
        var how = new OpenHow { Flags = ReadOnly | NonBlocking | CloseOnExec, Resolve = ResolveBeneath | ResolveNoSymlinks | ResolveNoMagicLinks };
        return Open(directory.DangerousGetHandle(), relative, how, out errno);
    }

    public static unsafe Status Stat(SafeFileHandle file)
    {
        var buffer = stackalloc byte[StatxSize];
        var added = false;
        file.DangerousAddRef(ref added);
        try
        {
            if (Statx((int)file.DangerousGetHandle(), "", AtEmptyPath, StatxBasicStats, buffer) != 0)
                throw new IOException($"statx failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            if (added) file.DangerousRelease();
        }
        var mode = *(ushort*)(buffer + ModeAt);
        var device = ((ulong)*(uint*)(buffer + DevMajorAt) << 32) | *(uint*)(buffer + DevMinorAt);
        return new Status(device, *(ulong*)(buffer + InodeAt), (UnixFileMode)(mode & 0xfff), (mode & 0xf000) == 0x8000,
            (mode & 0xf000) == 0x4000, *(long*)(buffer + SizeAt));
    }

    private static unsafe SafeFileHandle? Open(nint directory, string path, OpenHow how, out int errno)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        nint fd;
        fixed (byte* p = bytes) fd = Openat2(SysOpenat2, directory, p, &how, (nuint)sizeof(OpenHow));
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial nint Openat2(nint number, nint directory, byte* path, OpenHow* how, nuint size);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);
}
