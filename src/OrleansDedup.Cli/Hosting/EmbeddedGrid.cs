using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using OrleansDedup.Grains.Hosting;

namespace OrleansDedup.Cli.Hosting;

/// <summary>
/// The embedded default: one process with an in-process Orleans silo on localhost clustering and a durable store
/// in the data directory. A lock file keeps a second process off the same store.
/// </summary>
public sealed class EmbeddedGrid : IGrid
{
    /// <summary>The service id the embedded silo stores its grains' rows under.</summary>
    public const string ServiceId = "orleans-dedup";

    private readonly IHost _host;
    private readonly FileStream _lock;

    private EmbeddedGrid(IHost host, FileStream lockFile)
    {
        _host = host;
        _lock = lockFile;
    }

    public IServiceProvider Services => _host.Services;

    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    public T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    /// <summary>Starts the silo on <paramref name="dataDirectory"/> with the grid's options as <paramref name="configure"/>
    /// sets them; the silo validates them at start.</summary>
    /// <exception cref="UserError">The validator refuses the options (a usage error, as the flags set them).</exception>
    public static async Task<EmbeddedGrid> StartAsync(string dataDirectory, Action<DedupOptions> configure, CancellationToken cancellation = default)
    {
        Directory.CreateDirectory(dataDirectory);
        var lockFile = StoreLock.Exclusive(dataDirectory);
        try
        {
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            CliLog.WriteTo(builder, new StoreLayout(dataDirectory).Logs);
            builder.UseOrleans(silo => silo
                .UseLocalhostClustering(FreePort(), FreePort(), serviceId: ServiceId, clusterId: "embedded")
                .AddDedupGrid(options =>
                {
                    configure(options);
                    // The store the silo opens is the one this process locked.
                    options.DataDirectory = dataDirectory;
                }));
            var host = builder.Build();
            // The silo's start resolves its services on one thread. Meanwhile another core prepares the store (its
            // manifest and catalog schema) and builds the serializer's codecs, which the start would wait for later.
            // Both resolve the same singletons, so what fails here fails the start too, and is reported from there.
            var preparing = Task.Run(() =>
            {
                _ = host.Services.GetRequiredService<IOptions<DedupOptions>>().Value;
                _ = host.Services.GetRequiredService<Serializer>();
            }, cancellation);
            try
            {
                await host.StartAsync(cancellation);
            }
            finally
            {
                // The store is not let go of while it is still being prepared.
                await preparing.ContinueWith(_ => { }, TaskScheduler.Default);
            }
            return new EmbeddedGrid(host, lockFile);
        }
        catch (OptionsValidationException e)
        {
            lockFile.Dispose();
            throw new UserError(e.Message, ExitCodes.Usage);
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await _lock.DisposeAsync();
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
