namespace OrleansDedup.Host.Security;

/// <summary>
/// The directories ingest-by-path may read. A path is accepted only if it lies inside a root both as written
/// (after <see cref="Path.GetFullPath(string)"/>: no <c>../</c> way out) and after every symbolic link on the way is
/// resolved (no link out). The grid is then given the resolved path and its root, and opens the file beneath that root
/// without following links and checks its identity at every open (<c>SourceFile</c>), so that a link swapped in after
/// this check leads nowhere.
/// </summary>
public sealed class ImageRoots
{
    private const int MaxLinkHops = 40;

    private readonly (string Lexical, string Resolved)[] _roots;

    public ImageRoots(IEnumerable<string> roots) =>
        _roots = roots.Select(r => (WithSeparator(Path.GetFullPath(r)), WithSeparator(Resolve(r)))).ToArray();

    public bool IsEmpty => _roots.Length == 0;

    public enum Verdict { Allowed, NotAbsolute, Outside, NoRoots }

    /// <summary>Checks a client's path; on <see cref="Verdict.Allowed"/>, <paramref name="resolved"/> is the path to read.</summary>
    public Verdict Check(string path, out string resolved) => Check(path, out resolved, out _);

    /// <summary>As <see cref="Check(string, out string)"/>; <paramref name="root"/> is the resolved root the path lies in.</summary>
    public Verdict Check(string path, out string resolved, out string root)
    {
        resolved = "";
        root = "";
        if (IsEmpty) return Verdict.NoRoots;
        if (string.IsNullOrWhiteSpace(path) || !Path.IsPathFullyQualified(path) || path.Contains('\0')) return Verdict.NotAbsolute;
        var lexical = Path.GetFullPath(path);
        if (!_roots.Any(r => IsInside(lexical, r.Lexical))) return Verdict.Outside;
        string real;
        try
        {
            real = Resolve(lexical);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Verdict.Outside; // a link loop, or a link that cannot be read: nothing to trust
        }
        if (_roots.FirstOrDefault(r => IsInside(real, r.Resolved)) is not { Resolved: not null } inside) return Verdict.Outside;
        resolved = real;
        root = Path.TrimEndingDirectorySeparator(inside.Resolved);
        return Verdict.Allowed;
    }

    /// <summary>The path with every symbolic link among its components resolved (like realpath(3), for existing parts;
    /// components that do not exist are kept as written).</summary>
    public static string Resolve(string path)
    {
        var current = Path.GetFullPath(path);
        for (var hops = 0; ; hops++)
        {
            var next = ResolveFirstLink(current);
            if (next is null) return current;
            if (hops >= MaxLinkHops) throw new IOException($"too many levels of symbolic links in {path}");
            current = next;
        }
    }

    /// <summary>Replaces the first symbolic link among the components of <paramref name="full"/> with its target;
    /// null when no component is a link. One hop at a time, resolved against the link's directory, whose components
    /// are all real directories by then: the caller rescans from the root after each hop, as the kernel would.</summary>
    private static string? ResolveFirstLink(string full)
    {
        var root = Path.GetPathRoot(full)!;
        var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var at = root;
        for (var i = 0; i < parts.Length; i++)
        {
            at = Path.Combine(at, parts[i]);
            var info = new FileInfo(at);
            if (info.LinkTarget is null) continue;
            var target = info.ResolveLinkTarget(returnFinalTarget: false)
                ?? throw new IOException($"cannot resolve the link {at}");
            return Path.GetFullPath(Path.Combine([target.FullName, .. parts[(i + 1)..]]));
        }
        return null;
    }

    private static bool IsInside(string path, string rootWithSeparator) =>
        path.StartsWith(rootWithSeparator, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    private static string WithSeparator(string directory) =>
        Path.EndsInDirectorySeparator(directory) ? directory : directory + Path.DirectorySeparatorChar;
}
