using JasperFx.Events.Projections;
using Marten;
using MdrMesh.Incidents;
using MdrMesh.Incidents.OpeningIncident;
using Microsoft.Extensions.DependencyInjection;

namespace MdrMesh.EndToEnd.Tests;

/// <summary>
/// A store written by an earlier version is carried on by this one: the incident documents were Marten's
/// inline snapshot then (numeric revisions), written by the incident service itself now.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class UpgradeTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson("t-u"))
{
    private readonly Guid _old = Guid.NewGuid();
    private readonly Guid _formerResponse = Guid.NewGuid();
    private readonly Guid _formerIncident = Guid.NewGuid();

    protected override Func<string, Task> PrepareDatabase => WriteAsTheEarlierVersionAsync;

    // The incident schema as the inline-snapshot version made it, with one incident in it.
    private async Task WriteAsTheEarlierVersionAsync(string database)
    {
        await using var store = EarlierStore(database, IncidentStore.Schema, options => options.Projections.Snapshot<Incident>(SnapshotLifecycle.Inline));
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await using var session = store.LightweightSession("t-u");
        session.Events.StartStream<Incident>(_old, new IncidentOpened(_old, "t-u", 1, "Written before", null, "HIGH", ["ws-1"], [], [], null, null,
            "SOC", DateTimeOffset.UtcNow.AddDays(-1), "soc"));
        await session.SaveChangesAsync();

        // One response's events in each store, as the earlier version named them (before the design card's names).
        var at = DateTimeOffset.UtcNow.AddHours(-1);
        await WriteFormerEventsAsync(database, IncidentStore.Schema, _formerIncident,
            new Earlier.ResponseAdded(_formerResponse, at, "soc"), new Earlier.ResponseConfirmed(_formerResponse, at, "alice"),
            new Earlier.ResponseDeclined(_formerResponse, at, "bob"), new Earlier.ResponseExecutionBegan(_formerResponse, at, "executor"),
            new Earlier.ResponseCompleted(_formerResponse, at, "executor"), new Earlier.ResponseExecutionFailed(_formerResponse, at, "executor"),
            new Earlier.ResponseWasUndone(_formerResponse, at, "executor"));
        await WriteFormerEventsAsync(database, MdrMesh.Approvals.Extensions.Schema, _formerResponse,
            new Earlier.DecisionRequested(_formerResponse, "soc"), new Earlier.ResponseConfirmed(_formerResponse, at, "alice"),
            new Earlier.ResponseDeclined(_formerResponse, at, "bob"));
        await WriteFormerEventsAsync(database, MdrMesh.Executor.Extensions.Schema, _formerResponse,
            new Earlier.ExecutionStarted(_formerResponse, at, "executor"), new Earlier.ExecutionSucceeded(_formerResponse, at, "executor"),
            new Earlier.ExecutionFailed(_formerResponse, at, "executor"), new Earlier.ExecutionUndone(_formerResponse, at, "executor"));
    }

    // A store set up as the services set theirs up, writing as an earlier version did.
    private static DocumentStore EarlierStore(string database, string schema, Action<StoreOptions>? more = null) => ServiceStore.For(database, schema, options =>
    {
        options.UseSystemTextJsonForSerialization(configure: json => json.AllowOutOfOrderMetadataProperties = true);
        more?.Invoke(options);
    });

    private static async Task WriteFormerEventsAsync(string database, string schema, Guid stream, params object[] events)
    {
        await using var store = EarlierStore(database, schema);
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await using var session = store.LightweightSession("t-u");
        session.Events.StartStream(stream, events);
        await session.SaveChangesAsync();
        // The earlier version's relay had published them: the new one starts after them, as on a real upgrade.
        await using var connection = new Npgsql.NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var caughtUp = new Npgsql.NpgsqlCommand(
            $"insert into {schema}.mt_event_progression (name, last_seq_id) select '{MdrMesh.ServiceDefaults.MessageRelay.RelayName}:All', max(seq_id)"
            + $" from {schema}.mt_events on conflict (name) do update set last_seq_id = excluded.last_seq_id", connection);
        await caughtUp.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task An_incident_of_the_earlier_version_is_read_and_changed()
    {
        var before = await Mesh.OkAsync("incidents/details", new { incident_id = _old });
        Assert.Equal("Written before", before["summary"]!.GetValue<string>());

        await Mesh.OkAsync("comments/create", new { incident_id = _old, text = "after the upgrade" });
        await Mesh.OkAsync("incidents/update", new { incident_id = _old, status = "On hold" });

        var after = await Mesh.OkAsync("incidents/details", new { incident_id = _old });
        Assert.Equal("On hold", after["status"]!.GetValue<string>());
        Assert.Equal("after the upgrade", Assert.Single(after["comments"]!.AsArray())!["text"]!.GetValue<string>());
        Assert.True(after["update_time"]!.GetValue<long>() > before["update_time"]!.GetValue<long>());
        // History is the incident's events: the opening the earlier version wrote is there, then the two changes made since.
        var history = (await Mesh.OkAsync("incidents/history", new { incident_id = _old })).AsArray();
        Assert.Equal([("create", "incident_details"), ("create", "incident_comment"), ("update", "incident_details")],
            history.Select(r => (r!["operation"]!.GetValue<string>(), r["entity"]!.AsObject().Single().Key)));
        Assert.Equal("Written before", history[0]!["entity"]!["incident_details"]!["summary"]!.GetValue<string>());
    }

    /// <summary>
    /// Events an earlier version stored under its own names (<c>response_added</c>, <c>decision_requested</c>,
    /// <c>execution_succeeded</c>, ...) are read by each service as the types of the design card's words, fields intact.
    /// </summary>
    [Theory]
    [InlineData("Incidents", "ResponseProposed ResponseAccepted ResponseRejected ResponseExecutionStarted ResponseExecuted ResponseFailed ResponseUndone")]
    [InlineData("Approvals", "ResponseProposed ResponseAccepted ResponseRejected")]
    [InlineData("Executor", "ResponseExecutionStarted ResponseExecuted ResponseFailed ResponseUndone")]
    public async Task Events_stored_under_their_former_names_are_read_under_the_new_ones(string service, string expected)
    {
        var store = Mesh.Service(service).Services.GetRequiredService<IDocumentStore>();
        await using var query = store.QuerySession("t-u");
        var events = await query.Events.FetchStreamAsync(service == "Incidents" ? _formerIncident : _formerResponse);
        Assert.Equal(expected.Split(' '), events.Select(e => e.Data.GetType().Name));
        Assert.All(events, e => Assert.StartsWith($"MdrMesh.{service}.", e.Data.GetType().FullName));
        Assert.All(events, e => Assert.Equal(_formerResponse, (Guid)e.Data.GetType().GetProperty("ResponseId")!.GetValue(e.Data)!));
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
        var store = Mesh.Service(service).Services.GetRequiredService<IDocumentStore>();
        var migration = await store.Storage.Database.CreateMigrationAsync();
        Assert.True(migration.Difference == Weasel.Core.SchemaPatchDifference.None,
            $"{service} would change its schema at the next start: {string.Join("; ", migration.Deltas.Where(d => d.Difference != Weasel.Core.SchemaPatchDifference.None).Select(d => d.SchemaObject.Identifier))}");
    }
}
