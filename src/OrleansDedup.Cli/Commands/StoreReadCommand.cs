using OrleansDedup.Cli.Hosting;
using OrleansDedup.Grains.Offline;

namespace OrleansDedup.Cli.Commands;

/// <summary>
/// A command that only reads the store. On the embedded default it reads the store's files directly
/// (<see cref="OfflineStore"/>) instead of starting a silo, which is most of what such a command would cost; with a
/// cluster named, or on a directory that holds no store yet, it runs on the grid like any other command.
/// </summary>
public abstract class StoreReadCommand<TSettings> : GridCommand<TSettings> where TSettings : GridSettings
{
    protected override async Task<int> Execute(TSettings settings, CancellationToken cancellation)
    {
        if (settings.Contact is not null || !ReadsFiles(settings)) return await base.Execute(settings, cancellation);
        var store = OfflineStore.Open(settings.Options(), EmbeddedGrid.ServiceId);
        if (store is null) return await base.Execute(settings, cancellation);
        using (store)
        {
            try
            {
                return await Run(store, settings, cancellation);
            }
            catch (Exception e) when (e is not UserError and not OperationCanceledException)
            {
                CliLog.Failure(store.Layout.Logs, GetType(), e);
                throw;
            }
        }
    }

    /// <summary>Whether this invocation can be served from the files (a restore into another format cannot).</summary>
    protected virtual bool ReadsFiles(TSettings settings) => true;

    protected abstract Task<int> Run(OfflineStore store, TSettings settings, CancellationToken cancellation);
}
