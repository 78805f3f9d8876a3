using System.Text.RegularExpressions;
using System.Xml.Linq;
using OrleansDedup.Host.Configuration;
using OrleansDedup.Host.Hosting;

namespace OrleansDedup.Deployment.Tests;

/// <summary>src/OrleansDedup.Host/Dockerfile, checked by reading it (no Docker engine here): stages, every COPY source,
/// the project path and its references, the user, ports and entry point; and the repository's .dockerignore.</summary>
public class DockerfileTests
{
    private static readonly string Root = Deployment.Instance.Root;
    private const string HostProject = "src/OrleansDedup.Host/OrleansDedup.Host.csproj";

    private sealed record Instruction(string Op, string Args);

    private static List<Instruction> Instructions()
    {
        var text = File.ReadAllText(Path.Combine(Root, "src/OrleansDedup.Host/Dockerfile"));
        var joined = Regex.Replace(text, @"\\\r?\n", " ");
        return joined.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => { var i = l.IndexOf(' '); return new Instruction(l[..i].ToUpperInvariant(), l[(i + 1)..].Trim()); })
            .ToList();
    }

    private static List<List<Instruction>> Stages()
    {
        var stages = new List<List<Instruction>>();
        foreach (var i in Instructions())
        {
            if (i.Op == "FROM") stages.Add([]);
            Assert.True(stages.Count > 0, "an instruction before the first FROM");
            stages[^1].Add(i);
        }
        return stages;
    }

    private static IEnumerable<string[]> CopySources() => Instructions()
        .Where(i => i.Op == "COPY" && !i.Args.StartsWith("--from"))
        .Select(i => i.Args.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(a => !a.StartsWith("--")).ToArray());

    [Fact]
    public void Builds_with_the_sdk_and_runs_on_the_aspnet_runtime()
    {
        var stages = Stages();
        Assert.True(stages.Count >= 2, "not a multi-stage build");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", stages[0][0].Args);
        Assert.Matches(@"^mcr\.microsoft\.com/dotnet/aspnet:10\.0(-noble-chiseled)?( |$)", stages[^1][0].Args);
        // The final stage takes only the published output of the build stage.
        var copies = stages[^1].Where(i => i.Op == "COPY").ToList();
        Assert.NotEmpty(copies);
        Assert.All(copies, c => Assert.StartsWith("--from=build /app/publish", c.Args));
    }

    [Fact]
    public void Every_copy_source_exists_and_is_not_excluded_by_dockerignore()
    {
        var ignore = DockerIgnore();
        foreach (var args in CopySources())
        {
            Assert.True(args.Length >= 2, $"COPY {string.Join(' ', args)}: no destination");
            foreach (var source in args[..^1])
            {
                var path = Path.Combine(Root, source);
                Assert.True(File.Exists(path) || Directory.Exists(path), $"COPY source {source} does not exist (paths are relative to the repository root)");
                Assert.False(ignore.Any(p => IgnoreMatches(p, source.TrimEnd('/'))), $"COPY source {source} is excluded by .dockerignore");
            }
        }
    }

    [Fact]
    public void Restores_and_publishes_the_host_project_with_every_project_it_references()
    {
        var runs = Instructions().Where(i => i.Op == "RUN").Select(i => i.Args).ToList();
        Assert.Contains(runs, r => r.StartsWith("dotnet restore " + HostProject));
        Assert.Contains(runs, r => r.StartsWith("dotnet publish " + HostProject) && r.Contains("-c Release") && r.Contains("-o /app/publish"));
        Assert.True(File.Exists(Path.Combine(Root, HostProject)));

        var copied = CopySources().SelectMany(a => a[..^1]).Select(s => s.TrimEnd('/')).ToHashSet();
        Assert.Contains("Directory.Packages.props", copied);
        Assert.Contains("Directory.Build.props", copied);
        // Without it the published silo runs with the runtime's default JIT tiering and no cross-module generics.
        Assert.Contains("Directory.Build.targets", copied);
        foreach (var project in ProjectClosure(HostProject))
        {
            Assert.True(copied.Contains(project), $"{project} is referenced by the host but not copied before the restore");
            Assert.True(copied.Contains(Path.GetDirectoryName(project)!.Replace('\\', '/')), $"the sources of {project} are not copied");
            foreach (var import in RelativeToRoot(project, XDocument.Load(Path.Combine(Root, project)).Descendants("Import")))
                Assert.True(copied.Contains(import), $"{import}, which {project} imports, is not copied before the restore");
        }
    }

    [Fact]
    public void Runs_the_host_dll_as_the_non_root_app_user_and_exposes_the_hosts_ports()
    {
        var final = Stages()[^1];
        var user = final.Last(i => i.Op == "USER").Args;
        Assert.Contains(user, new[] { "1654", "app", "$APP_UID" });
        Assert.Equal("1654", Deployment.Instance.SiloContainer.Str("securityContext", "runAsUser"));

        var exposed = final.Where(i => i.Op == "EXPOSE").SelectMany(i => i.Args.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(int.Parse).Order().ToList();
        var defaults = new SiloHostOptions();
        Assert.Equal(new[] { SiloHost.DefaultHttpPort, defaults.SiloPort, defaults.GatewayPort }.Order(), exposed);

        var assembly = typeof(SiloHostOptions).Assembly.GetName().Name;
        Assert.Equal($"[\"dotnet\", \"{assembly}.dll\"]", final.Single(i => i.Op == "ENTRYPOINT").Args);
    }

    [Fact]
    public void Dockerignore_keeps_build_outputs_and_the_repository_metadata_out()
    {
        var ignore = DockerIgnore();
        foreach (var path in new[] { "src/OrleansDedup.Host/bin", "src/OrleansDedup.Grains/obj", ".git", "tests" })
            Assert.True(ignore.Any(p => IgnoreMatches(p, path)), $".dockerignore does not exclude {path}");
    }

    [Fact]
    public void The_manifests_use_the_image_the_dockerfile_builds()
    {
        var images = Deployment.Instance.Kustomization.Maps("images").Select(i => i.Str("name")).ToList();
        Assert.Contains(Deployment.SiloImage, images);
        Assert.Contains(Deployment.SiloImage, File.ReadAllText(Path.Combine(Root, "src/OrleansDedup.Host/Dockerfile")));
    }

    private static List<string> DockerIgnore() => File.ReadAllLines(Path.Combine(Root, ".dockerignore"))
        .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

    /// <summary>Docker's .dockerignore matching (Go filepath.Match with **), for the patterns a repository uses: a pattern
    /// excludes a path when it matches the path or one of its parent directories.</summary>
    private static bool IgnoreMatches(string pattern, string path)
    {
        if (pattern.StartsWith('!')) return false;
        var regex = "^" + Regex.Escape(pattern.TrimEnd('/'))
            .Replace(@"\*\*/", "(.*/)?").Replace(@"\*\*", ".*").Replace(@"\*", "[^/]*").Replace(@"\?", "[^/]") + "(/.*)?$";
        return Regex.IsMatch(path, regex);
    }

    /// <summary>The project and every project it references, transitively, as repository-relative paths.</summary>
    private static HashSet<string> ProjectClosure(string project)
    {
        var result = new HashSet<string>();
        var queue = new Queue<string>([project]);
        while (queue.TryDequeue(out var current))
        {
            if (!result.Add(current)) continue;
            foreach (var reference in RelativeToRoot(current, XDocument.Load(Path.Combine(Root, current)).Descendants("ProjectReference")))
                queue.Enqueue(reference);
        }
        return result;
    }

    /// <summary>The files that <paramref name="project"/>'s elements name (Include of a reference, Project of an import),
    /// as repository-relative paths.</summary>
    private static IEnumerable<string> RelativeToRoot(string project, IEnumerable<XElement> elements)
    {
        var dir = Path.GetDirectoryName(Path.Combine(Root, project))!;
        return elements.Select(e => (e.Attribute("Include") ?? e.Attribute("Project"))!.Value.Replace('\\', '/'))
            .Select(file => Path.GetRelativePath(Root, Path.GetFullPath(Path.Combine(dir, file))).Replace('\\', '/'));
    }
}
