namespace OrleansDedup.Integration.Tests.Infrastructure;

public static class Clear
{
    /// <summary>Asserts that a failed CLI run explained itself in one line per problem, "error: ...", with
    /// something after the prefix, and no stack trace.</summary>
    public static string[] AssertCliError(CliResult result)
    {
        Assert.True(result.ExitCode != 0, $"expected a failure:\n{result}");
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length is >= 1 and <= 3, $"expected one clear line on stderr:\n{result}");
        foreach (var line in lines)
        {
            Assert.True(line.StartsWith("error: ", StringComparison.Ordinal), $"not an error line: '{line}'\n{result}");
            // "error: IMAGE: MESSAGE" must carry a message
            var message = line["error: ".Length..];
            var colon = message.IndexOf(": ", StringComparison.Ordinal);
            var tail = colon >= 0 ? message[(colon + 2)..] : message;
            Assert.True(tail.Trim().Length >= 10, $"the error says nothing: '{line}'\n{result}");
        }
        AssertNoStackTrace(result.Error);
        return lines;
    }

    /// <summary>As <see cref="AssertCliError"/>, but returns the problem instead of throwing, so that a scenario
    /// can go on and report every problem at the end.</summary>
    public static string? CliErrorProblem(CliResult result)
    {
        try
        {
            AssertCliError(result);
            return null;
        }
        catch (Xunit.Sdk.XunitException e)
        {
            return e.Message;
        }
    }

    public static void AssertNoStackTrace(string text)
    {
        Assert.DoesNotContain("   at ", text);
        Assert.DoesNotMatch(@"\bat [A-Z][\w.]+\.[\w<>]+\(", text);
        Assert.DoesNotContain("--- End of", text);
    }
}
