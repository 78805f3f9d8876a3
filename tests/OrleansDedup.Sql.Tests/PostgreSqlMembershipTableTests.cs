using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;
using OrleansDedup.Testing.PostgreSql;

namespace OrleansDedup.Sql.Tests;

/// <summary>
/// The clustering queries against the 10.4.2 provider itself (no silo): the table version must act as the
/// optimistic-concurrency token, as the membership protocol assumes.
/// </summary>
public sealed class PostgreSqlMembershipTableTests(PostgreSqlDatabaseFixture database) : IClassFixture<PostgreSqlDatabaseFixture>, IAsyncLifetime
{
    private const int Active = 3;
    private const int Dead = 6;

    private readonly string _clusterId = "membership-" + Guid.NewGuid().ToString("N");
    private readonly ServiceProvider _services = new ServiceCollection().BuildServiceProvider();

    public Task InitializeAsync() => PostgreSqlSchema.EnsureCreatedAsync(database.ConnectionString);

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private ClusterOptions Cluster => new() { ClusterId = _clusterId, ServiceId = "membership-tests" };

    private async Task<AdoNetClusteringTable> OpenTableAsync()
    {
        var table = new AdoNetClusteringTable(_services, Options.Create(Cluster),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = PostgreSqlSchema.Invariant, ConnectionString = database.ConnectionString }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
        return table;
    }

    private static MembershipEntry Entry(int port, SiloStatus status = SiloStatus.Joining)
    {
        var now = DateTime.UtcNow;
        return new MembershipEntry
        {
            SiloAddress = SiloAddress.New(IPAddress.Loopback, port, 1000 + port),
            SiloName = $"silo-{port}",
            HostName = "test-host",
            Status = status,
            ProxyPort = port + 1000,
            StartTime = now,
            IAmAliveTime = now,
        };
    }

    [Fact]
    public async Task Inserts_and_updates_apply_only_against_the_version_they_read()
    {
        var table = await OpenTableAsync();
        var second = await OpenTableAsync(); // a second silo initialising the same cluster: the version row stays

        var empty = await table.ReadAllAsync();
        Assert.Empty(empty.Members);
        Assert.Equal(0, empty.Version.Version);

        var first = Entry(11111);
        Assert.True(await table.InsertRowAsync(first, empty.Version.Next()));
        // Stale: the version moved on.
        Assert.False(await second.InsertRowAsync(Entry(22222), empty.Version.Next()));
        // The same silo twice, even with the current version.
        var afterFirst = await table.ReadAllAsync();
        Assert.False(await table.InsertRowAsync(first, afterFirst.Version.Next()));
        Assert.Equal(afterFirst.Version, (await table.ReadAllAsync()).Version); // a refused write changed nothing

        var other = Entry(22222);
        Assert.True(await second.InsertRowAsync(other, afterFirst.Version.Next()));

        var read = await table.ReadRowAsync(first.SiloAddress);
        var (entry, etag) = Assert.Single(read.Members);
        Assert.Equal(2, read.Version.Version);
        Assert.Equal((first.SiloAddress, first.SiloName, first.HostName, first.ProxyPort, SiloStatus.Joining),
            (entry.SiloAddress, entry.SiloName, entry.HostName, entry.ProxyPort, entry.Status));
        Assert.Equal(first.StartTime, entry.StartTime, TimeSpan.FromMilliseconds(1));
        Assert.Equal(DateTimeKind.Utc, entry.StartTime.Kind);

        entry.Status = SiloStatus.Active;
        Assert.True(await table.UpdateRowAsync(entry, etag, read.Version.Next()));
        entry.Status = SiloStatus.Dead;
        Assert.False(await second.UpdateRowAsync(entry, etag, read.Version.Next())); // stale
        Assert.Equal(SiloStatus.Active, (await table.ReadRowAsync(first.SiloAddress)).Members.Single().Item1.Status);

        // An update of a silo that has no row changes nothing, the version included.
        var current = await table.ReadAllAsync();
        var stranger = Entry(33333, SiloStatus.Active);
        Assert.False(await table.UpdateRowAsync(stranger, current.Version.VersionEtag, current.Version.Next()));
        Assert.Equal(current.Version, (await table.ReadAllAsync()).Version);

        var all = await second.ReadAllAsync();
        Assert.Equal(2, all.Members.Count);
        Assert.All(all.Members, m => Assert.Equal(all.Version.VersionEtag, m.Item2));
    }

    [Fact]
    public async Task Concurrent_inserts_from_one_version_let_exactly_one_through()
    {
        var tables = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => OpenTableAsync()));
        var version = (await tables[0].ReadAllAsync()).Version.Next();

        var results = await Task.WhenAll(tables.Select((t, i) => Task.Run(() => t.InsertRowAsync(Entry(40000 + i), version))));

        Assert.Equal(1, results.Count(r => r));
        var all = await tables[0].ReadAllAsync();
        Assert.Single(all.Members);
        Assert.Equal(1, all.Version.Version);
    }

    [Fact]
    public async Task IAmAlive_never_moves_back_and_gateways_list_active_silos()
    {
        var table = await OpenTableAsync();
        var active = Entry(50001, SiloStatus.Active);
        var joining = Entry(50002);
        Assert.True(await table.InsertRowAsync(active, (await table.ReadAllAsync()).Version.Next()));
        Assert.True(await table.InsertRowAsync(joining, (await table.ReadAllAsync()).Version.Next()));

        var later = active.IAmAliveTime.AddMinutes(1);
        await table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = active.SiloAddress, IAmAliveTime = later });
        await table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = active.SiloAddress, IAmAliveTime = later.AddSeconds(-30) });
        var read = (await table.ReadRowAsync(active.SiloAddress)).Members.Single().Item1;
        Assert.Equal(later, read.IAmAliveTime, TimeSpan.FromMilliseconds(1));

        var gateways = new AdoNetGatewayListProvider(NullLogger<AdoNetGatewayListProvider>.Instance, _services,
            Options.Create(new AdoNetClusteringClientOptions { Invariant = PostgreSqlSchema.Invariant, ConnectionString = database.ConnectionString }),
            Options.Create(new GatewayOptions()), Options.Create(Cluster));
        await gateways.InitializeGatewayListProviderAsync();
        var uri = Assert.Single(await gateways.GetGatewaysAsync());
        Assert.Equal(active.ProxyPort, uri.Port);
    }

    [Fact]
    public async Task Cleanup_removes_old_dead_rows_it_read_and_delete_removes_the_cluster()
    {
        var table = await OpenTableAsync();
        var dead = Entry(60001);
        var alive = Entry(60002, SiloStatus.Active);
        Assert.True(await table.InsertRowAsync(dead, (await table.ReadAllAsync()).Version.Next()));
        Assert.True(await table.InsertRowAsync(alive, (await table.ReadAllAsync()).Version.Next()));

        // Declared dead by a vote, as the membership protocol does: the row keeps its suspect times.
        var read = await table.ReadRowAsync(dead.SiloAddress);
        var (entry, etag) = read.Members.Single();
        entry.Status = SiloStatus.Dead;
        entry.AddSuspector(alive.SiloAddress, DateTime.UtcNow);
        Assert.True(await table.UpdateRowAsync(entry, etag, read.Version.Next()));

        // A cut-off before the votes keeps everything.
        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddHours(-1));
        Assert.Equal(2, (await table.ReadAllAsync()).Members.Count);

        // A cut-off after everything removes the dead row only (the provider matches it by the values it read).
        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddMinutes(1));
        var remaining = Assert.Single((await table.ReadAllAsync()).Members).Item1;
        Assert.Equal(alive.SiloAddress, remaining.SiloAddress);

        await table.DeleteMembershipTableEntriesAsync(_clusterId);
        Assert.Equal(0, await PostgreSqlTestServer.ScalarLongAsync(database.ConnectionString,
            "SELECT (SELECT COUNT(*) FROM OrleansMembershipTable WHERE DeploymentId = @c) + (SELECT COUNT(*) FROM OrleansMembershipVersionTable WHERE DeploymentId = @c)",
            ("c", _clusterId)));
    }
}
