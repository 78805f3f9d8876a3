using Orleans.Storage;

namespace OrleansDedup.Grains.Hosting;

/// <summary>
/// The catalog's grain storage, taking its writes one at a time on SQLite. SQLite has one writer, and Microsoft.Data.Sqlite
/// meets a write lock by blocking its thread for 150 ms before it tries again: three ingests that started together
/// waited 150 and 300 ms for their first write, on two of the silo's threads. Here the writes queue without blocking a
/// thread. On PostgreSQL (<paramref name="serialize"/> false) writes pass straight through.
/// </summary>
internal sealed class SingleWriterGrainStorage(IGrainStorage inner, bool serialize) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly SemaphoreSlim? _writer = serialize ? new(1, 1) : null;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        OneAtATime(() => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        OneAtATime(() => inner.ClearStateAsync(stateName, grainId, grainState));

    /// <summary>The provider initialises its queries in the silo's lifecycle.</summary>
    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

    private async Task OneAtATime(Func<Task> write)
    {
        if (_writer is null)
        {
            await write();
            return;
        }
        await _writer.WaitAsync();
        try
        {
            await write();
        }
        finally
        {
            _writer.Release();
        }
    }
}
