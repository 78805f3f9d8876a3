namespace OrleansDedup.Cli.Ingest;

/// <summary>The order a command's images start in: largest first, so that the last to finish are the small ones and
/// the grid is not left with one large image working alone at the end. Images the client cannot see (a cluster's silos
/// read the paths) keep their given order after the ones it can.</summary>
public static class IngestOrder
{
    /// <summary>Indexes into <paramref name="images"/>, largest file first; equal sizes keep the given order.</summary>
    public static int[] LargestFirst(IReadOnlyList<ImageSource> images)
    {
        var sizes = images.Select(image => SizeOf(image.Path)).ToArray();
        return Enumerable.Range(0, images.Count).OrderByDescending(i => sizes[i]).ToArray();
    }

    private static long SizeOf(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? file.Length : -1;
    }
}
