using OrleansDedup.Cli.Ingest;
using OrleansDedup.Grains.Images;

namespace OrleansDedup.Cli.Commands;

public static class ImagePaths
{
    /// <summary>Refuses the whole command, before the store is touched, if any path is unusable.</summary>
    public static void Check(IReadOnlyList<ImageSource> sources)
    {
        foreach (var source in sources)
        {
            if (ImageFileCheck.Problem(ImageFileCheck.Resolve(source.Path)) is { } problem)
                throw new UserError(problem, ExitCodes.BadInput);
        }

        var duplicate = sources.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new UserError($"two paths would both be named '{duplicate.Key}'; ingest them separately with --name", ExitCodes.Usage);
    }
}
