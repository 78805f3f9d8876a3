using System.Buffers.Binary;
using OrleansDedup.ImageFormats.GuestDisks;
using OrleansDedup.ImageFormats.Layout;
using OrleansDedup.Testing.Images;
using Xunit.Abstractions;

namespace OrleansDedup.ImageFormats.Tests.Layout;

/// <summary>
/// Seeded random corruption of the header and table bytes of every container layout: each case must either map
/// to a valid cover of the file or be refused with an <see cref="ImageFormatException"/>, in bounded time and
/// allocation. The corruption is written into a copy and undone after each case, so no case pays for a copy.
/// </summary>
public sealed class FuzzTests(FuzzImages images, ITestOutputHelper output) : IClassFixture<FuzzImages>, IDisposable
{
    private const int CasesPerLayout = 2000;
    private const int GuestViewEvery = 40;
    private const long AllocationBound = 16 << 20;
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(10);

    private readonly ImageSet _set = images.Set;
    private readonly string _directory = Directory.CreateTempSubdirectory("image-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string> Containers() => [.. ImageSet.Layouts.Select(layout => layout.Name).Where(name => name != "raw")];

    [Theory]
    [MemberData(nameof(Containers))]
    public void CorruptHeadersAndTablesAreMappedOrRefused(string name)
    {
        string path = Path.Combine(_directory, name + ".img");
        File.Copy(_set.PathOf(name), path);
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        long length = RandomAccess.GetLength(file);
        var targets = Targets(ImageLayoutReader.Read(file, length), length);
        var random = new Random(ImageSet.Layouts.ToList().FindIndex(layout => layout.Name == name));
        int refused = 0;
        for (int i = 0; i < CasesPerLayout; i++)
        {
            var undo = Corrupt(file, length, targets, random);
            // Every tenth case also claims a shorter file, as a truncated download would present it.
            long claimed = i % 10 == 9 ? random.NextInt64(length) : length;
            refused += RunCase(file, claimed, $"{name} case {i}", guestView: i % GuestViewEvery == 0) ? 0 : 1;
            for (int k = undo.Count - 1; k >= 0; k--)
            {
                RandomAccess.Write(file, undo[k].Original, undo[k].Offset);
            }
        }

        output.WriteLine($"{name}: {CasesPerLayout - refused} mapped, {refused} refused");
        Assert.InRange(refused, 1, CasesPerLayout - 1);
    }

    /// <summary>True when the case mapped to a valid cover, false when it was refused.</summary>
    private bool RunCase(Microsoft.Win32.SafeHandles.SafeFileHandle file, long length, string label, bool guestView)
    {
        var run = Task.Run(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var layout = ImageLayoutReader.Read(file, length);
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.True(allocated < AllocationBound, $"{label}: reading allocated {allocated} bytes");
                LayoutAssert.ValidCover(layout, length);
                if (guestView && layout.VirtualSize <= 64 << 20)
                {
                    using var output = File.OpenHandle(Path.Combine(_directory, "guest.raw"), FileMode.Create, FileAccess.ReadWrite);
                    GuestDiskWriter.WriteRaw(file, layout, output);
                }

                return true;
            }
            catch (ImageFormatException e) when (!e.Message.Contains('\n'))
            {
                return false;
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"{label}: {e.GetType().Name}: {e.Message}");
            }
        });
        Assert.True(((IAsyncResult)run).AsyncWaitHandle.WaitOne(CaseTimeout), $"{label} did not finish within {CaseTimeout}");
        return run.GetAwaiter().GetResult();
    }

    private static List<(long Offset, long Length)> Targets(ImageLayout layout, long length)
    {
        // Half the mutations go to the first sector, where every format but fixed VHD keeps its header fields.
        var targets = new List<(long Offset, long Length)> { (0, Math.Min(length, 512)), (Math.Max(0, length - 1536), Math.Min(length, 1536)) };
        targets.AddRange(layout.Regions.Where(r => r.Kind == RegionKind.Metadata).Select(r => (r.FileOffset, Math.Min(r.Length, 4096))));
        return targets;
    }

    private static List<(long Offset, byte[] Original)> Corrupt(
        Microsoft.Win32.SafeHandles.SafeFileHandle file, long length, List<(long Offset, long Length)> targets, Random random)
    {
        var undo = new List<(long Offset, byte[] Original)>();
        int mutations = 1 + random.Next(4);
        for (int m = 0; m < mutations; m++)
        {
            var target = random.Next(2) == 0 ? targets[0] : targets[random.Next(targets.Count)];
            byte[] value = Mutation(random, length);
            long offset = target.Offset + random.NextInt64(target.Length);
            if (value.Length > 1)
            {
                offset &= ~(value.Length - 1L);
            }

            offset = Math.Min(offset, length - value.Length);
            byte[] original = new byte[value.Length];
            RandomAccess.Read(file, original, offset);
            if (value.Length == 1 && random.Next(2) == 0)
            {
                value[0] = (byte)(original[0] ^ (1 << random.Next(8)));
            }

            undo.Add((offset, original));
            RandomAccess.Write(file, value, offset);
        }

        return undo;
    }

    /// <summary>Single bytes, or 4- and 8-byte fields of either byte order set to values near the bounds that matter.</summary>
    private static byte[] Mutation(Random random, long length)
    {
        if (random.Next(3) == 0)
        {
            return [(byte)random.Next(256)];
        }

        ulong[] interesting = [0, 1, 2, 0xFFFFFFFF, 0xFFFFFFFE, ulong.MaxValue, (ulong)length, (ulong)length - 1, (ulong)length / 512,
            (ulong)length + 512, 1UL << 62, 1UL << 63, (ulong)random.NextInt64(), (ulong)random.NextInt64(length)];
        ulong chosen = interesting[random.Next(interesting.Length)];
        byte[] value = new byte[random.Next(2) == 0 ? 4 : 8];
        bool bigEndian = random.Next(2) == 0;
        if (value.Length == 4 && bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(value, (uint)chosen);
        }
        else if (value.Length == 4)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(value, (uint)chosen);
        }
        else if (bigEndian)
        {
            BinaryPrimitives.WriteUInt64BigEndian(value, chosen);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(value, chosen);
        }

        return value;
    }
}
