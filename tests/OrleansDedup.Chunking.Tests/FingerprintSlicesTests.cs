namespace OrleansDedup.Chunking.Tests;

public class FingerprintSlicesTests
{
    /// <summary>Slices of uneven lengths, some all zero, enough of them to spread over every core.</summary>
    private static (byte[] Data, (int Start, int Length)[] Slices) Batch(int count)
    {
        var slices = new (int Start, int Length)[count];
        var at = 0;
        for (var k = 0; k < count; k++)
        {
            slices[k] = (at, 1 + k * 37 % 5000);
            at += slices[k].Length;
        }
        var data = TestData.Random(at, seed: count);
        foreach (var (start, length) in slices.Where((_, k) => k % 3 == 0)) data.AsSpan(start, length).Clear();
        return (data, slices);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(1000)]
    public void ComputeMatchesOneByOne(int count)
    {
        var (data, slices) = Batch(count);
        var fingerprints = new Fingerprint[count];

        FingerprintSlices.Compute(data, count, k => slices[k], fingerprints);

        for (var k = 0; k < count; k++) Assert.Equal(Fingerprint.Compute(data.AsSpan(slices[k].Start, slices[k].Length)), fingerprints[k]);
    }

    [Fact]
    public void ZeroSlicesAreFlaggedAndNotHashed()
    {
        var (data, slices) = Batch(500);
        var fingerprints = new Fingerprint[500];
        var zeros = new bool[500];

        FingerprintSlices.Compute(data, 500, k => slices[k], fingerprints, zeros);

        for (var k = 0; k < 500; k++)
        {
            Assert.Equal(k % 3 == 0, zeros[k]);
            Assert.Equal(k % 3 == 0 ? default : Fingerprint.Compute(data.AsSpan(slices[k].Start, slices[k].Length)), fingerprints[k]);
        }
    }

    [Fact]
    public void FindMismatchNamesTheDamagedSlice()
    {
        var (data, slices) = Batch(700);
        var expected = slices.Select(s => Fingerprint.Compute(data.AsSpan(s.Start, s.Length))).ToArray();
        Assert.Equal(-1, FingerprintSlices.FindMismatch(data, 700, k => slices[k], k => expected[k]));

        data[slices[412].Start] ^= 1;

        Assert.Equal(412, FingerprintSlices.FindMismatch(data, 700, k => slices[k], k => expected[k]));
    }
}
