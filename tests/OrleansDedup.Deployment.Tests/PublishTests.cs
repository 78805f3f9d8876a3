using System.Text.Json;

namespace OrleansDedup.Deployment.Tests;

/// <summary>How the grid's two programs are built and published (src/GridProgram.props, Directory.Build.targets), as
/// MSBuild evaluates them for a build and for `dotnet publish -r`.</summary>
public class PublishTests
{
    private static readonly string[] Programs = ["src/OrleansDedup.Cli/OrleansDedup.Cli.csproj", "src/OrleansDedup.Host/OrleansDedup.Host.csproj"];

    public static TheoryData<string> ProgramProjects() => new(Programs);

    [Theory]
    [MemberData(nameof(ProgramProjects))]
    public void A_publish_for_a_runtime_ships_the_runtime_in_one_composite_image_without_the_builds_crossgen_switches(string project)
    {
        var properties = Evaluate(project, "-p:_IsPublishing=true", "-p:RuntimeIdentifier=linux-x64");
        Assert.Equal("true", properties["SelfContained"]);
        Assert.Equal("true", properties["PublishReadyToRun"]);
        Assert.Equal("true", properties["PublishReadyToRunComposite"]);
        // Crossgen's cross-module switches make a composite image that crashes at start.
        Assert.Equal("", properties["PublishReadyToRunCrossgen2ExtraArgs"]);
    }

    [Theory]
    [MemberData(nameof(ProgramProjects))]
    public void A_build_and_a_publish_without_a_runtime_stay_framework_dependent_with_per_assembly_images(string project)
    {
        foreach (var properties in new[] { Evaluate(project), Evaluate(project, "-p:_IsPublishing=true") })
        {
            Assert.NotEqual("true", properties["SelfContained"]);
            Assert.NotEqual("true", properties["PublishReadyToRunComposite"]);
            Assert.Equal("true", properties["ReadyToRunOnBuild"]);
            Assert.Contains("--non-local-generics-module:*", properties["PublishReadyToRunCrossgen2ExtraArgs"]);
        }
    }

    private static Dictionary<string, string> Evaluate(string project, params string[] globals)
    {
        string[] names = ["SelfContained", "PublishReadyToRun", "PublishReadyToRunComposite", "PublishReadyToRunCrossgen2ExtraArgs", "ReadyToRunOnBuild"];
        var dotnet = Tools.Find("dotnet") ?? throw new InvalidOperationException("dotnet is not on PATH");
        var (code, output) = Tools.Run(dotnet, ["msbuild", Path.Combine(Deployment.Instance.Root, project), "-p:Configuration=Release",
            .. globals, .. names.Select(n => $"-getProperty:{n}")]);
        Assert.True(code == 0, output);
        return JsonDocument.Parse(output).RootElement.GetProperty("Properties").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
    }
}
