using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansDedup.Observability.Tests;

/// <summary>Every dashboard of grafana/ is well-formed for provisioning: a unique uid and a title, panels with queries,
/// and data sources only through the Prometheus data-source variable (no hard-coded data source uid).</summary>
public sealed class DashboardStructureTests
{
    public static readonly string[] Expected =
        ["orleans-dedup-cluster", "orleans-dedup-ingest", "orleans-dedup-index", "orleans-dedup-store", "orleans-dedup-migrations"];

    [Fact]
    public void Every_dashboard_is_well_formed()
    {
        var problems = new List<string>();
        var uids = new Dictionary<string, string>();
        Assert.NotEmpty(Dashboards.Files);
        foreach (var file in Dashboards.Files)
        {
            var name = Path.GetFileName(file);
            JsonObject dashboard;
            try
            {
                dashboard = Dashboards.Load(file);
            }
            catch (JsonException e)
            {
                problems.Add($"{name}: not JSON ({e.Message})");
                continue;
            }
            var uid = (string?)dashboard["uid"];
            if (string.IsNullOrWhiteSpace(uid)) problems.Add($"{name}: no uid");
            else if (uid.Length > 40) problems.Add($"{name}: uid '{uid}' is longer than Grafana's 40 characters");
            else if (!uids.TryAdd(uid, name)) problems.Add($"{name}: uid '{uid}' is also the uid of {uids[uid]}");
            if (string.IsNullOrWhiteSpace((string?)dashboard["title"])) problems.Add($"{name}: no title");
            if (dashboard["id"] is JsonValue) problems.Add($"{name}: has a numeric id (provisioned dashboards must not)");

            var variables = dashboard["templating"]?["list"]?.AsArray().OfType<JsonObject>().ToArray() ?? [];
            if (!variables.Any(v => (string?)v["name"] == "datasource" && (string?)v["type"] == "datasource" && (string?)v["query"] == "prometheus"))
                problems.Add($"{name}: no template variable 'datasource' of type datasource for prometheus");

            var panels = Dashboards.Panels(dashboard).Where(p => !Dashboards.IsRow(p)).ToArray();
            if (panels.Length == 0) problems.Add($"{name}: no panels");
            var ids = new HashSet<int>();
            foreach (var panel in Dashboards.Panels(dashboard))
            {
                var title = (string?)panel["title"];
                var where = $"{name} / \"{title}\"";
                if (string.IsNullOrWhiteSpace(title)) problems.Add($"{name}: a panel without title");
                if (panel["id"] is not JsonValue id || !ids.Add((int)id)) problems.Add($"{where}: missing or repeated panel id");
                if (panel["gridPos"] is not JsonObject) problems.Add($"{where}: no gridPos");
                if (Dashboards.IsRow(panel)) continue;
                if (string.IsNullOrWhiteSpace((string?)panel["type"])) problems.Add($"{where}: no type");
                var targets = panel["targets"]?.AsArray().OfType<JsonObject>().ToArray() ?? [];
                if (targets.Length == 0) problems.Add($"{where}: no targets");
                if (targets.Any(t => string.IsNullOrWhiteSpace((string?)t["expr"]))) problems.Add($"{where}: a target without expr");
                if (targets.Select(t => (string?)t["refId"]).Distinct().Count() != targets.Length) problems.Add($"{where}: missing or repeated refId");
                if (panel["datasource"] is null) problems.Add($"{where}: no datasource");
            }
            // Every data source reference anywhere (panels, targets, variables) goes through the variable.
            foreach (var (path, reference) in DataSourceReferences(dashboard, "$"))
                if (!UsesVariable(reference)) problems.Add($"{name}: {path} is {reference.ToJsonString()}, not the ${{datasource}} variable");
        }
        foreach (var uid in Expected)
            if (!uids.ContainsKey(uid)) problems.Add($"no dashboard with uid {uid}");
        Assert.True(problems.Count == 0, "dashboard problems:\n" + string.Join('\n', problems));
    }

    [Fact]
    public void Provisioning_files_name_prometheus_and_the_dashboards()
    {
        var root = Path.Combine(Dashboards.RepositoryRoot, "grafana", "provisioning");
        var datasource = File.ReadAllText(Path.Combine(root, "datasources", "prometheus.yaml"));
        var dashboards = File.ReadAllText(Path.Combine(root, "dashboards", "dashboards.yaml"));
        Assert.Contains("apiVersion: 1", datasource);
        Assert.Contains("type: prometheus", datasource);
        Assert.Contains("apiVersion: 1", dashboards);
        Assert.Contains("type: file", dashboards);
        Assert.Matches(@"(?m)^\s+path:\s*/\S+", dashboards);
    }

    private static bool UsesVariable(JsonNode reference) => reference switch
    {
        JsonValue v => (string?)v is "${datasource}" or "$datasource",
        JsonObject o => (string?)o["uid"] is "${datasource}" or "$datasource" && (string?)o["type"] is null or "prometheus",
        _ => false,
    };

    private static IEnumerable<(string Path, JsonNode Reference)> DataSourceReferences(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    // The datasource variable itself names a plugin type in "query", not a reference.
                    if (key == "datasource" && value is not null) yield return ($"{path}.{key}", value);
                    else foreach (var r in DataSourceReferences(value, $"{path}.{key}")) yield return r;
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                    foreach (var r in DataSourceReferences(a[i], $"{path}[{i}]")) yield return r;
                break;
        }
    }
}
