namespace OrleansDedup.Cli.Hosting;

/// <summary>A way into the grid: the embedded silo in this process, or a client of a running cluster.</summary>
public interface IGrid : IAsyncDisposable
{
    IClusterClient Client { get; }

    IServiceProvider Services { get; }
}
