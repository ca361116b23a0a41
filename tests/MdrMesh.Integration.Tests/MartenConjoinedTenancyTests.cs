using JasperFx;
using JasperFx.Events;
using JasperFx.MultiTenancy;
using Marten;

namespace MdrMesh.Integration.Tests;

public sealed record IncidentOpened(string Summary);

public sealed record IncidentCommented(string Text);

/// <summary>Marten 9 event store with conjoined tenancy against a real PostgreSQL.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class MartenConjoinedTenancyTests(Infrastructure infrastructure) : IAsyncLifetime
{
    private string _database = "";
    private DocumentStore _store = null!;

    public async Task InitializeAsync()
    {
        _database = await infrastructure.CreateDatabaseAsync("marten");
        _store = DocumentStore.For(opts =>
        {
            opts.Connection(_database);
            opts.DatabaseSchemaName = "tenancy_test";
            opts.Events.TenancyStyle = TenancyStyle.Conjoined;
            opts.Events.StreamIdentity = StreamIdentity.AsGuid;
            opts.AutoCreateSchemaObjects = AutoCreate.All;
        });
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await infrastructure.DropDatabaseAsync(_database);
    }

    [Fact]
    public async Task Appended_events_are_read_back_in_order()
    {
        var stream = Guid.NewGuid();
        await using (var session = _store.LightweightSession("tenant-a"))
        {
            session.Events.StartStream(stream, new IncidentOpened("Miner on host-1"));
            await session.SaveChangesAsync();
        }
        await using (var session = _store.LightweightSession("tenant-a"))
        {
            session.Events.Append(stream, new IncidentCommented("Isolating"));
            await session.SaveChangesAsync();
        }

        await using var query = _store.QuerySession("tenant-a");
        var events = await query.Events.FetchStreamAsync(stream);

        Assert.Collection(events,
            e => Assert.Equal(new IncidentOpened("Miner on host-1"), e.Data),
            e => Assert.Equal(new IncidentCommented("Isolating"), e.Data));
        Assert.All(events, e => Assert.Equal("tenant-a", e.TenantId));
    }

    [Fact]
    public async Task The_same_stream_id_in_two_tenants_stays_separate()
    {
        var stream = Guid.NewGuid();
        foreach (var (tenant, summary) in new[] { ("tenant-a", "A's incident"), ("tenant-b", "B's incident") })
        {
            await using var session = _store.LightweightSession(tenant);
            session.Events.StartStream(stream, new IncidentOpened(summary));
            await session.SaveChangesAsync();
        }

        await using var a = _store.QuerySession("tenant-a");
        await using var b = _store.QuerySession("tenant-b");
        await using var c = _store.QuerySession("tenant-c");

        Assert.Equal(new IncidentOpened("A's incident"), Assert.Single(await a.Events.FetchStreamAsync(stream)).Data);
        Assert.Equal(new IncidentOpened("B's incident"), Assert.Single(await b.Events.FetchStreamAsync(stream)).Data);
        Assert.Empty(await c.Events.FetchStreamAsync(stream));
    }

    [Fact]
    public async Task Starting_an_existing_stream_again_in_the_same_tenant_is_refused()
    {
        // Deterministic stream ids (the response id) rely on this to detect a replayed command.
        var stream = Guid.NewGuid();
        await using (var first = _store.LightweightSession("tenant-a"))
        {
            first.Events.StartStream(stream, new IncidentOpened("first"));
            await first.SaveChangesAsync();
        }

        await using var second = _store.LightweightSession("tenant-a");
        second.Events.StartStream(stream, new IncidentOpened("replayed"));
        await Assert.ThrowsAnyAsync<Marten.Exceptions.ExistingStreamIdCollisionException>(() => second.SaveChangesAsync());
    }
}
