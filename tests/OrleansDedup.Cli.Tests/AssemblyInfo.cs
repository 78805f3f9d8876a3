// The fixtures are made with mke2fs and qemu-img, and the unreadable-file test uses Unix permissions.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
