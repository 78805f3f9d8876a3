using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Operations;

namespace OrleansDedup.Migration.Grains.Tests.Infrastructure;

/// <summary>An in-process dedup grid whose silos also model hosts: a test cluster of real silos sharing one data
/// directory, each running the grid and the migration grains.</summary>
public sealed class MigrationGrid : IAsyncDisposable
{
    private MigrationGrid(InProcessTestCluster cluster) => Cluster = cluster;

    public InProcessTestCluster Cluster { get; }

    public IClusterClient Client => Cluster.Client;

    /// <summary>Starts <paramref name="silos"/> silos on <paramref name="dataDirectory"/>; each claims the hosts
    /// <paramref name="hostsOf"/> gives for its name. Small segments and batches, so that small images span several.</summary>
    public static async Task<MigrationGrid> StartAsync(string dataDirectory, short silos, Func<string, string[]> hostsOf)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ServiceId = "orleans-dedup-migration-tests";
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((options, silo) => silo
            .AddDedupGrid(settings =>
            {
                settings.DataDirectory = dataDirectory;
                settings.SegmentSize = 1 << 20;
                settings.BatchSize = 256 << 10;
                settings.ShardCount = 8;
            })
            .AddDedupMigration(hostsOf(options.SiloName)));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new MigrationGrid(cluster);
    }

    /// <summary>Ingests an image into the grid, waits for it and insists that it succeeded; returns the committed image.</summary>
    public async Task<ImageInfo> IngestOk(string name, string path, ChunkingStrategy strategy, int timeoutSeconds = 60)
    {
        var grain = Client.GetGrain<IImageGrain>(name);
        var status = await grain.StartIngest(new IngestRequest(path, strategy));
        var clock = Stopwatch.StartNew();
        while (status.State == IngestState.Running && clock.Elapsed < TimeSpan.FromSeconds(timeoutSeconds))
        {
            await Task.Delay(10);
            status = await grain.GetIngestStatus();
        }
        Assert.True(status.State == IngestState.Succeeded, $"ingest of {name} ended {status.State}: {status.ErrorKind} {status.Error}");
        Assert.NotNull(status.Image);
        return status.Image!;
    }

    /// <summary>Checks the grid's store through the <see cref="StoreVerifier"/> of the first silo.</summary>
    public async Task VerifyOk()
    {
        var report = await Cluster.Silos[0].ServiceProvider.GetRequiredService<StoreVerifier>().Verify();
        Assert.True(report.Ok, "verify found problems:\n" + string.Join("\n", report.Problems));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Cluster.StopAllSilosAsync();
        }
        finally
        {
            await Cluster.DisposeAsync();
        }
    }
}
