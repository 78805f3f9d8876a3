namespace OrleansDedup.Chunking.Tests;

/// <summary>
/// Cut points and digests of a fixed input under the grid's default options, as restic/chunker's chunker_test.go pins
/// its own. A stored fingerprint is the digest of the bytes between two cuts, so a change of any cut (polynomial, table,
/// window, mask, minimum, maximum, the scan's lanes) silently stops new data from deduplicating against stored chunks:
/// this table must fail on it. It was produced once from the code and must never be regenerated to make a change pass.
/// </summary>
public class RabinGoldenTests
{
    /// <summary>(offset, length, SHA-256) of every chunk of <see cref="Input"/>; the zero stretch gives cuts at MaxSize.</summary>
    private static readonly (int Offset, int Length, string Digest)[] Expected =
    [
        (0, 3215, "effdee7193e9b494b3c549c81b7ac71dabc10892686c811fae0a5646297a40a0"),
        (3215, 47032, "3c8ba6ae0503d641998a5b94216bef03d97949f488778a6d3354bedda21b0986"),
        (50247, 3109, "5f88fcfc7fb54b50a220629b88914b58511e808987c744c2d31b6aa520a6b969"),
        (53356, 5635, "526df62cb3efb7ecc9f7134bc8f20442f7cb7eaaf628bc297ab399e9b4925143"),
        (58991, 10617, "b7f8aa22de6c6923b22e6b881a52b0f83c790b18bc1fa5886c01aa4da7b79c9c"),
        (69608, 5340, "fb328ab16a347b2f71ec0f34405a8874cab1d00e6871ad1c2add0eb891dfc4bd"),
        (74948, 25734, "f2729fd08b5ec10fda209c4ecd89c6b7f4866186b1a4648e901985170ef8502d"),
        (100682, 42518, "b6176b9e3900783e3cfa74bc1985c2a5270669d8d0b3e90810ef706c9d0ab9ce"),
        (143200, 27180, "313a247442df0cab7b0780e3adfe0b6a466009c9061a06feeea9626e3d9d05a6"),
        (170380, 15957, "3b0278c58b99daadc71496c6deb85a19c13d24a05cec8f23f4c450d0ecd9fcef"),
        (186337, 3419, "1fa7c9fe45e264ae5152e42756f83a9369bbf9d64628bf9da90c163793c5d9b9"),
        (189756, 2404, "7de404085e5d74bc2ecb82cf463c3ff756315bd0d373e972fc2e99e9c4e55ca7"),
        (192160, 3621, "afabf1159d6d5219d22e69640d4320d4981e257513d7556f0d351b5243a0d67e"),
        (195781, 15539, "99cb494d4436471f78f18fb55cede684b411c48ac6668956eb1b0be95c9b42ab"),
        (211320, 5778, "b0478c9f814defd43cf3baf70d5616b42d0b885f900b05cffc2346d7d845f235"),
        (217098, 3764, "0f5e3ebfa199f28fc290e0a6554a39727b6e7e2136bb4edd2e67282a2850767b"),
        (220862, 9336, "2d40b2afbd8e33cfc15278aef4cf7253dc3d4e9484c0a8a116cd12c9a5fda871"),
        (230198, 4202, "175f36faf12abfdbcbe1ea4bbb6b10ee70fd8f60e7c8314c90a2bd883fe03a93"),
        (234400, 37995, "0c45136e9222500d3dd07c4ffb590ef4a98798f7277a53344f690c5c0db15be0"),
        (272395, 11220, "39301e7fa88aca528480dbe75b19495ac700417e2a37ae1be6f846e09446b489"),
        (283615, 8331, "ad339f749a7374bd7499473b4981612a659c5b3232987f044d2b49acafe478ab"),
        (291946, 10787, "7bb0376dc7fc817d82c3b8795fdd021da199a4edbae80e5d59d6a9da3c983aa7"),
        (302733, 6122, "18944b006b80c5ec9a0ac24eeff580968f89339c5e822920a7631478038302c5"),
        (308855, 4592, "ff81fa563b162d85c032261a4d1a9953eb31b3a1a050f167ccf2a7aa9bd262fc"),
        (313447, 5154, "c09790382d39f9fa7a1e4de51ca95125ac68a254df01b284e657ed3c48dcb550"),
        (318601, 65536, "97f3d5fb7232ce14fab2f0735e152236f59ea4040850f9c5874d7937f995fb9d"),
        (384137, 65536, "de2f256064a0af797747c2b97505dc0b9f3df0de4f489eac731c23ae9ca9cc31"),
        (449673, 24602, "4b2654dc415886b1309cec7e5d5b177c17b4bab0389093c9cf42190b1d55acee"),
        (474275, 7162, "accad766e2bcaa32edfa2d332bbeeac5dd14f4ecf3d4c95ffe4a000776168095"),
        (481437, 3524, "aaf121c61f230066ca615f23d2aebb8359f05afbbb86e21fb87621b64505a306"),
        (484961, 14751, "169bd03284908316bd4183c38142d92bd9567616ed0240e3a13cd049e8887f7e"),
    ];

    [Fact]
    public void DefaultOptionsCutTheFixedInputWhereTheyAlwaysHave()
    {
        byte[] data = Input();
        var chunker = new RabinChunker(new RabinOptions());
        var chunks = new List<(int Offset, int Length, string Digest)>();
        for (int at = 0; at < data.Length;)
        {
            int n = chunker.FindBoundary(data.AsSpan(at));
            int length = n < 0 ? data.Length - at : n;
            chunks.Add((at, length, Fingerprint.Compute(data.AsSpan(at, length)).ToString()));
            at += length;
        }

        Assert.Equal(Expected, chunks);
    }

    /// <summary>320 KiB of xorshift64 output, 136 KiB of zeros (no content cut: only MaxSize ends a chunk there), then 32
    /// KiB more. Written out here rather than System.Random, whose sequence is not promised across runtimes.</summary>
    private static byte[] Input()
    {
        var data = new byte[(320 + 136 + 32) << 10];
        ulong state = 0x9E3779B97F4A7C15;
        for (int i = 0; i < data.Length; i++)
        {
            if (i >= 320 << 10 && i < 456 << 10) continue;
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            data[i] = (byte)(state >> 56);
        }

        return data;
    }
}
