namespace OrleansDedup.Grains.Tests.Infrastructure;

/// <summary>A grid on its own temporary data directory, shared by the tests of one class.</summary>
public class GridFixture : IAsyncLifetime
{
    public TempDirectory Temp { get; } = new();

    public Grid Grid { get; private set; } = null!;

    protected virtual short Silos => 2;

    public async Task InitializeAsync() => Grid = await Grid.StartAsync(Temp.Data, Silos);

    public async Task DisposeAsync()
    {
        if (Grid is not null) await Grid.DisposeAsync();
        Temp.Dispose();
    }
}
