using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OrleansDedup.Observability.Tests;

/// <summary>The Grafana dashboards of the repository (grafana/dashboards/*.json) and their panel queries.</summary>
public static partial class Dashboards
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Directory => Path.Combine(RepositoryRoot, "grafana", "dashboards");

    public static string[] Files => System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal).ToArray();

    public static JsonObject Load(string file) => JsonNode.Parse(File.ReadAllText(file))!.AsObject();

    /// <summary>Every panel, those inside rows included.</summary>
    public static IEnumerable<JsonObject> Panels(JsonObject dashboard)
    {
        foreach (var panel in dashboard["panels"]?.AsArray() ?? [])
        {
            if (panel is not JsonObject p) continue;
            yield return p;
            foreach (var inner in p["panels"]?.AsArray() ?? [])
                if (inner is JsonObject i) yield return i;
        }
    }

    public static bool IsRow(JsonObject panel) => (string?)panel["type"] == "row";

    public sealed record Query(string Dashboard, string Panel, string RefId, string Expr)
    {
        public override string ToString() => $"{Dashboard} / \"{Panel}\" / {RefId}";
    }

    public static IEnumerable<Query> Queries()
    {
        foreach (var file in Files)
        {
            var dashboard = Load(file);
            var title = (string?)dashboard["title"] ?? Path.GetFileName(file);
            foreach (var panel in Panels(dashboard).Where(p => !IsRow(p)))
            {
                foreach (var target in panel["targets"]?.AsArray() ?? [])
                    yield return new Query(title, (string?)panel["title"] ?? "?", (string?)target?["refId"] ?? "?", (string?)target?["expr"] ?? "");
            }
        }
    }

    /// <summary>Grafana's variables made concrete for Prometheus: intervals as durations, every other variable as
    /// "any value" (the queries use them in regex matchers, e.g. instance=~"$silo").</summary>
    public static string Substitute(string expr)
    {
        expr = expr.Replace("$__rate_interval", "10s").Replace("${__rate_interval}", "10s")
            .Replace("$__interval", "5s").Replace("${__interval}", "5s")
            .Replace("$__range", "5m").Replace("${__range}", "5m");
        return Variable().Replace(expr, ".*");
    }

    /// <summary>The metric names a query reads (identifiers followed by a selector or a range, outside label matchers).</summary>
    public static string[] Metrics(string expr) =>
        MetricName().Matches(LabelMatchers().Replace(expr, "{}")).Select(m => m.Groups[1].Value)
            .Where(n => n.StartsWith("orleans_", StringComparison.Ordinal) || n.StartsWith("dotnet_", StringComparison.Ordinal) || n == "target_info")
            .Distinct().ToArray();

    [GeneratedRegex(@"\$\{[A-Za-z_][A-Za-z0-9_]*(?::[a-z]+)?\}|\$[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex Variable();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[\{\[]")]
    private static partial Regex MetricName();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansDedup.sln")) && System.IO.Directory.Exists(Path.Combine(dir.FullName, "grafana")))
                return dir.FullName;
        }

        throw new InvalidOperationException($"no repository root (OrleansDedup.sln and grafana/) above {AppContext.BaseDirectory}");
    }
}
