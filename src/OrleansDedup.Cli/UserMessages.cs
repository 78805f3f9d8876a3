namespace OrleansDedup.Cli;

/// <summary>What a user sees of an exception's message: its first line. Orleans and the database drivers append the
/// remote stack and inner exceptions to theirs; the log keeps those.</summary>
public static class UserMessages
{
    public static string FirstLine(string message)
    {
        var line = message.Trim().ReplaceLineEndings("\n").Split('\n')[0];
        foreach (var tail in (ReadOnlySpan<string>)[" ---> ", " Exc level "])
        {
            var at = line.IndexOf(tail, StringComparison.Ordinal);
            if (at > 0) line = line[..at];
        }
        return line.Trim();
    }
}
