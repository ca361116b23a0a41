using System.Collections.Concurrent;
using Marten;
using MassTransit;
using MdrMesh.Contracts.Messages;
using MdrMesh.Contracts.Responses;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ApprovalEvents = MdrMesh.Approvals.Deciding;
using Decision = MdrMesh.Approvals.Deciding.Decision;
using DecisionStatus = MdrMesh.Approvals.Deciding.DecisionStatus;
using Execution = MdrMesh.Executor.Executing.Execution;
using ExecutionOutcome = MdrMesh.Executor.Executing.ExecutionOutcome;
using ExecutionRequest = MdrMesh.Executor.Executing.ExecutionRequest;
using IEndpointAdapter = MdrMesh.Executor.Executing.IEndpointAdapter;
using SimulatedFleetAdapter = MdrMesh.Executor.Fleet.SimulatedFleetAdapter;
using ExecutorEvents = MdrMesh.Executor.Executing;

namespace MdrMesh.EndToEnd.Tests;

/// <summary>Duplicates and crashes: at-least-once delivery in, exactly one decision and one execution out.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class ReliabilityTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson(Tenant))
{
    private const string Tenant = "tenant-auto";
    private IBusControl _bus = null!;
    private readonly ConcurrentQueue<(Guid? MessageId, ResponseExecuted Message)> _executed = new();

    protected override async Task SetUpAsync()
    {
        await Mesh.OkAsync("auto_accept/set", new { mode = "ALL_TENANTS" }, caller: "customer-admin");
        var vhost = Mesh.Vhost;
        _bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(vhost.Uri, h =>
            {
                h.Username(vhost.Server.Username);
                h.Password(vhost.Server.Password);
            });
            cfg.ReceiveEndpoint("test-observer", e => e.Handler<ResponseExecuted>(context =>
            {
                _executed.Enqueue((context.MessageId, context.Message));
                return Task.CompletedTask;
            }));
        });
        await _bus.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        await _bus.StopAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task The_same_proposal_delivered_twice_is_decided_once()
    {
        var incident = await Mesh.OpenIncidentAsync(Tenant);
        var response = await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 });
        await Mesh.WaitForStatusAsync(incident, response, "Completed");

        var again = new ResponseProposed(Guid.Parse(response), Tenant, Guid.Parse(incident), "ws-1",
            new GetFileParameters(@"C:\Users\alice\invoice.exe", 1), "again", DateTimeOffset.UtcNow, "soc");
        await _bus.Publish(again);
        await _bus.Publish(again);
        // The queue is first in, first out: once a later proposal is through, the repeats were handled.
        var marker = await Mesh.ProposeAsync(incident, "DISABLE_ISOLATION", new { });
        await Mesh.WaitForStatusAsync(incident, marker, "Completed");

        // Accepted at once: the proposal holds its acceptance, one event.
        Assert.Equal([typeof(ApprovalEvents.ResponseProposed)], await StreamAsync("Approvals", response));
        Assert.Equal([typeof(ExecutorEvents.ResponseExecuted)], await StreamAsync("Executor", response));
        Assert.Equal(["New", "Confirmed", "InProgress", "Completed"], (await Mesh.ResponseHistoryAsync(incident, response)).Select(r => r.Status));
    }

    [Fact]
    public async Task The_same_execute_command_delivered_twice_runs_once_and_republishes_the_recorded_outcome()
    {
        var responseId = Guid.NewGuid();
        var command = new ExecuteResponse(responseId, Tenant, Guid.NewGuid(), "ws-2",
            new GetFileParameters(@"C:\Users\alice\invoice.exe", 1), DateTimeOffset.UtcNow, "test");

        await Task.WhenAll(_bus.Publish(command), _bus.Publish(command));

        var outcomes = await Eventually.ReturnsAsync(() => Task.FromResult(_executed.Where(e => e.Message.ResponseId == responseId).ToList()),
            received => received.Count >= 2, "the outcome and its re-publication");
        Assert.Single(outcomes.Select(o => o.MessageId).Distinct());
        Assert.Equal([typeof(ExecutorEvents.ResponseExecuted)], await StreamAsync("Executor", responseId.ToString()));
    }

    [Theory]
    [InlineData("Incidents")]
    [InlineData("Approvals")]
    [InlineData("Executor")]
    public async Task A_service_killed_after_its_commit_and_before_its_publish_finishes_the_flow_after_restart(string service)
    {
        // With its relay stopped, the service commits but publishes nothing: the window a crash can hit.
        await Mesh.KillServiceAsync(service);
        await Mesh.StartServiceAsync(service, new() { ["Marten:Daemon"] = "Disabled" });
        var incident = await Mesh.OpenIncidentAsync(Tenant);
        var response = await Mesh.ProposeAsync(incident, "ISOLATE", new { isolation_term_seconds = 600 });
        await Eventually.ReturnsAsync(() => CommittedAsync(service, response), committed => committed, $"{service} committed its part");

        await Mesh.KillServiceAsync(service);
        await Mesh.StartServiceAsync(service);

        await Mesh.WaitForStatusAsync(incident, response, "Completed");
        Assert.Equal(["New", "Confirmed", "InProgress", "Completed"], (await Mesh.ResponseHistoryAsync(incident, response)).Select(r => r.Status));
        Assert.Single(await StreamAsync("Approvals", response));
        Assert.Single(await StreamAsync("Executor", response));
    }

    [Fact]
    public async Task A_message_that_keeps_failing_lands_in_the_error_queue_after_its_retries()
    {
        // A decision about an incident this installation never had: it cannot be recorded anywhere.
        var orphan = new ResponseAccepted(Guid.NewGuid(), Tenant, Guid.NewGuid(), DateTimeOffset.UtcNow, "alice");

        await _bus.Publish(orphan);

        await Eventually.ReturnsAsync(() => Infrastructure.QueueDepthAsync(Mesh.Vhost, "response-progress_error"), depth => depth == 1,
            "the orphan decision in the error queue", seconds: 60);
    }

    [Fact]
    public async Task An_executor_cut_off_from_PostgreSQL_for_longer_than_the_quick_retries_finishes_the_response_when_it_is_back()
    {
        var database = new NpgsqlConnectionStringBuilder(Mesh.DatabaseConnectionString);
        await using var link = new TcpCut(database.Host!, database.Port);
        await Mesh.KillServiceAsync("Executor");
        await Mesh.StartServiceAsync("Executor", new()
        {
            ["ConnectionStrings:Postgres"] = new NpgsqlConnectionStringBuilder(Mesh.DatabaseConnectionString) { Host = "127.0.0.1", Port = link.Port }.ConnectionString,
        });
        var incident = await Mesh.OpenIncidentAsync(Tenant);

        link.Cut();
        var response = await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 });
        await Mesh.WaitForStatusAsync(incident, response, "Confirmed");
        // The executor keeps trying for twice the ~10 s of quick retries that every other fault gets before the error queue.
        await Eventually.ReturnsAsync(() => Task.FromResult(link.Refused), refused => refused.Count > 1 && refused.Max() - refused.Min() > TimeSpan.FromSeconds(20),
            "the executor still trying 20 s into the cut", seconds: 60);
        link.Restore();

        await Eventually.ReturnsAsync(() => Mesh.ResponseAsync(incident, response), r => r["status"]!.GetValue<string>() == "Completed",
            "the response completed after the cut", seconds: 90);
        Assert.Equal(["New", "Confirmed", "InProgress", "Completed"], (await Mesh.ResponseHistoryAsync(incident, response)).Select(r => r.Status));
        Assert.Equal(0, await Infrastructure.QueueDepthAsync(Mesh.Vhost, "execute-response_error"));
    }

    [Fact]
    public async Task A_response_whose_execution_went_to_the_error_queue_is_driven_again_once_it_has_stood_still()
    {
        await Mesh.StopServiceAsync("Incidents");
        await Mesh.StartServiceAsync("Incidents", new() { ["StalledResponses:SweepInterval"] = "00:00:00.2" });
        var adapter = new FailingAdapter(new SimulatedFleetAdapter(Mesh.Clock)) { Failing = true };
        await Mesh.KillServiceAsync("Executor");
        await Mesh.StartServiceAsync("Executor", replace: services => services.AddSingleton<IEndpointAdapter>(adapter));
        var incident = await Mesh.OpenIncidentAsync(Tenant);

        var response = await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 });
        await Eventually.ReturnsAsync(() => Infrastructure.QueueDepthAsync(Mesh.Vhost, "execute-response_error"), depth => depth == 1,
            "the execute command in the error queue after its retries", seconds: 60);
        adapter.Failing = false;
        Assert.Equal("Confirmed", (await Mesh.ResponseAsync(incident, response))["status"]!.GetValue<string>());

        // Standing still in Confirmed for the default 10 minutes: incidents drives it again, with nobody touching the error queue.
        Mesh.Clock.Advance(TimeSpan.FromMinutes(10));

        await Mesh.WaitForStatusAsync(incident, response, "Completed");
        Assert.Equal(["New", "Confirmed", "InProgress", "Completed"], (await Mesh.ResponseHistoryAsync(incident, response)).Select(r => r.Status));
        Assert.Equal([typeof(ExecutorEvents.ResponseExecuted)], await StreamAsync("Executor", response));
        Assert.Single(await StreamAsync("Approvals", response));
    }

    /// <summary>An endpoint adapter that throws (a fault that is not the infrastructure's) while told to.</summary>
    private sealed class FailingAdapter(IEndpointAdapter inner) : IEndpointAdapter
    {
        public volatile bool Failing;

        public Task<ExecutionOutcome> ExecuteAsync(ExecutionRequest request, IDocumentSession session, CancellationToken ct) =>
            Failing ? throw new InvalidOperationException("the adapter is broken") : inner.ExecuteAsync(request, session, ct);
    }

    private async Task<bool> CommittedAsync(string service, string responseId)
    {
        var store = Mesh.Service(service).Services.GetRequiredService<IDocumentStore>();
        await using var query = store.QuerySession(Tenant);
        var id = Guid.Parse(responseId);
        return service switch
        {
            "Incidents" => true, // responses/create answers after the commit
            "Approvals" => (await query.LoadAsync<Decision>(id))?.Status == DecisionStatus.Confirmed,
            _ => (await query.LoadAsync<Execution>(id))?.IsFinished == true,
        };
    }

    private async Task<List<Type>> StreamAsync(string service, string streamId)
    {
        await using var query = Mesh.Service(service).Services.GetRequiredService<IDocumentStore>().QuerySession(Tenant);
        return (await query.Events.FetchStreamAsync(Guid.Parse(streamId))).Select(e => e.Data.GetType()).ToList();
    }
}
