namespace OrleansDedup.Cli.Tests;

/// <summary>Every command's help renders: option descriptions are console markup, where a bracket must be escaped.</summary>
public sealed class HelpTests
{
    [Theory]
    [InlineData("ingest")]
    [InlineData("restore")]
    [InlineData("list")]
    [InlineData("stats")]
    [InlineData("verify")]
    [InlineData("delete")]
    [InlineData("gc")]
    [InlineData("compare")]
    [InlineData("bench")]
    [InlineData("simulate")]
    public void Help_of_every_command_lists_its_options(string command)
    {
        var result = Cli.RunWithoutStore(command, "--help");

        Assert.True(result.ExitCode == 0, $"{command} --help exited {result.ExitCode}: {result.Error}{result.Out}");
        Assert.Contains("OPTIONS:", result.Out);
        Assert.Contains("--help", result.Out);
    }
}
