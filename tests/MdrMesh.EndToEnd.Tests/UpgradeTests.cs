using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using JasperFx.MultiTenancy;
using Marten;
using MdrMesh.Incidents;
using MdrMesh.Incidents.OpeningIncident;
using MdrMesh.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MdrMesh.EndToEnd.Tests;

/// <summary>
/// A store written by an earlier version is carried on by this one: the incident documents were Marten's
/// inline snapshot then (numeric revisions), written by the incident service itself now.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class UpgradeTests(Infrastructure infrastructure) : IAsyncLifetime
{
    private readonly Guid _old = Guid.NewGuid();
    private Mesh _mesh = null!;

    public async Task InitializeAsync() =>
        _mesh = await Mesh.StartAsync(infrastructure, Flow.FleetJson("t-u"), prepareDatabase: WriteAsTheEarlierVersionAsync);

    public async Task DisposeAsync() => await _mesh.DisposeAsync();

    // The incident schema as the inline-snapshot version made it, with one incident in it.
    private async Task WriteAsTheEarlierVersionAsync(string database)
    {
        await using var store = DocumentStore.For(options =>
        {
            options.Connection(database);
            options.DatabaseSchemaName = IncidentStore.Schema;
            options.Events.DatabaseSchemaName = IncidentStore.Schema;
            options.Events.TenancyStyle = TenancyStyle.Conjoined;
            options.Events.StreamIdentity = StreamIdentity.AsGuid;
            options.Policies.AllDocumentsAreMultiTenanted();
            options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
            options.UseSystemTextJsonForSerialization(configure: json => json.AllowOutOfOrderMetadataProperties = true);
            options.Projections.Snapshot<Incident>(SnapshotLifecycle.Inline);
        });
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await using var session = store.LightweightSession("t-u");
        session.Events.StartStream<Incident>(_old, new IncidentOpened(_old, "t-u", 1, "Written before", null, "HIGH", ["ws-1"], [], [], null, null,
            "SOC", DateTimeOffset.UtcNow.AddDays(-1), "soc"));
        await session.SaveChangesAsync();
    }

    [Fact]
    public async Task An_incident_of_the_earlier_version_is_read_and_changed()
    {
        var before = await _mesh.OkAsync("incidents/details", new { incident_id = _old });
        Assert.Equal("Written before", before["summary"]!.GetValue<string>());

        await _mesh.OkAsync("comments/create", new { incident_id = _old, text = "after the upgrade" });
        await _mesh.OkAsync("incidents/update", new { incident_id = _old, status = "On hold" });

        var after = await _mesh.OkAsync("incidents/details", new { incident_id = _old });
        Assert.Equal("On hold", after["status"]!.GetValue<string>());
        Assert.Equal("after the upgrade", Assert.Single(after["comments"]!.AsArray())!["text"]!.GetValue<string>());
        Assert.True(after["update_time"]!.GetValue<long>() > before["update_time"]!.GetValue<long>());
        var history = (await _mesh.OkAsync("incidents/history", new { incident_id = _old })).AsArray();
        Assert.Equal(["create", "update"], history.Select(r => r!["operation"]!.GetValue<string>()));
    }

    /// <summary>
    /// Each service, once started, finds the schema it defines: the next start has nothing to change. An index the
    /// schema check reads back differently from how it is defined would be dropped and built again at every start
    /// (minutes, with writes blocked, on a large store).
    /// </summary>
    [Theory]
    [InlineData("Incidents")]
    [InlineData("Approvals")]
    [InlineData("Executor")]
    [InlineData("Gateway")]
    public async Task A_restart_finds_the_schema_as_defined(string service)
    {
        var store = _mesh.Service(service).Services.GetRequiredService<IDocumentStore>();
        var migration = await store.Storage.Database.CreateMigrationAsync();
        Assert.True(migration.Difference == Weasel.Core.SchemaPatchDifference.None,
            $"{service} would change its schema at the next start: {string.Join("; ", migration.Deltas.Where(d => d.Difference != Weasel.Core.SchemaPatchDifference.None).Select(d => d.SchemaObject.Identifier))}");
    }
}
