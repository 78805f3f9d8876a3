using System.Text.Json;
using OrleansDedup.Testing.PostgreSql;
using Xunit.Abstractions;

namespace OrleansDedup.Integration.Tests.Infrastructure;

/// <summary>The end of every fault scenario: delete what it stored, let gc run, and find nothing left anywhere.</summary>
public partial class ClusterFixture
{
    /// <summary>Deletes <paramref name="images"/>; once every dead attempt's heartbeat has expired, runs gc (through
    /// the silos in turn, up to three times) until the store is empty, and asserts that it is: no pack bytes, no index
    /// entries, no recipe files, and no image rows in PostgreSQL.</summary>
    public async Task DeleteAllAndAssertNothingLeft(IReadOnlyList<SiloNode> via, ITestOutputHelper output, params string[] images)
    {
        var deleted = await CliOk(via[0], ["delete", .. images]);
        Assert.Equal(images.Length, deleted.Json.GetProperty("deleted").GetArrayLength());
        await Task.Delay(TimeSpan.FromSeconds(HeartbeatExpirySeconds + 2));
        JsonElement stats = default;
        for (var gc = 1; gc <= 3; gc++)
        {
            var collected = await CliOk(via[gc % via.Count], "gc");
            output.WriteLine($"gc {gc}: {collected.Out}");
            stats = await Stats(via[0]);
            if (PackFileBytes() == 0 && AllShardsEmpty(stats) && !collected.Json.GetProperty("sweepSkipped").GetBoolean()) break;
            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        Assert.Equal(0, stats.GetProperty("images").GetArrayLength());
        Assert.True(PackFileBytes() == 0, $"pack files left: {string.Join(", ", PackFiles())}");
        Assert.True(AllShardsEmpty(stats), $"index shards not empty: {stats.GetProperty("shards")}");
        Assert.Equal(0L, stats.GetProperty("overall").GetProperty("packBytes").GetInt64());
        var recipes = Path.Combine(DataDirectory, "recipes");
        var leftRecipes = System.IO.Directory.Exists(recipes) ? System.IO.Directory.GetFiles(recipes, "*", SearchOption.AllDirectories) : [];
        Assert.True(leftRecipes.Length == 0, $"recipe files left: {string.Join(", ", leftRecipes)}");

        // PostgreSQL: no image grain state left, and no row with a cleared (NULL) payload.
        var rows = await PostgreSqlTestServer.QueryAsync(ConnectionString, "SELECT GrainTypeString, GrainIdExtensionString, PayloadBinary IS NULL FROM OrleansStorage");
        output.WriteLine("OrleansStorage: " + string.Join("; ", rows.Select(r => string.Join(" | ", r))));
        Assert.DoesNotContain(rows, r => ((string)r[0]!).Contains("image", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(rows, r => (bool)r[2]!);
    }

    public static bool AllShardsEmpty(JsonElement stats) => stats.GetProperty("shards").EnumerateArray()
        .All(s => s.GetProperty("chunks").GetInt64() == 0 && s.GetProperty("aliases").GetInt64() == 0);
}
