using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace MdrMesh.EndToEnd.Tests;

/// <summary>
/// What an operator sees: one trace per response across the gateway, the services, RabbitMQ and
/// every relay hop; and metrics on <c>/metrics</c> that count what was committed.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class ObservabilityTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson(AutoTenant, ManualTenant))
{
    private const string AutoTenant = "t-auto";
    private const string ManualTenant = "t-manual";
    private static readonly ActivitySource Customer = new("MdrMesh.Tests.Customer");
    private readonly ConcurrentBag<Activity> _finished = [];
    private readonly HttpClient _http = new();
    private ActivityListener _listener = null!;

    // The listener is there before the mesh starts, so that no span of its start is missed.
    public override async Task InitializeAsync()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _finished.Add,
        };
        ActivitySource.AddActivityListener(_listener);
        await base.InitializeAsync();
    }

    protected override async Task SetUpAsync() =>
        await Mesh.OkAsync("auto_accept/set", new { mode = "SELECTED_TENANTS", tenant_ids = new[] { AutoTenant } }, caller: "customer-admin");

    public override async Task DisposeAsync()
    {
        _listener.Dispose();
        _http.Dispose();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task One_trace_follows_each_response_from_its_api_call_through_the_broker_and_every_relay_to_Completed()
    {
        var incident = await Mesh.OpenIncidentAsync(AutoTenant);
        // Two customers' calls at once: their changes may share a commit, yet each keeps its own trace.
        async Task<(ActivityTraceId Trace, string ResponseId)> ProposeUnderOwnTrace(string asset)
        {
            using var call = Customer.StartActivity("customer script", ActivityKind.Client)!;
            var responseId = await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 10 }, asset);
            return (call.TraceId, responseId);
        }
        var proposed = await Task.WhenAll(ProposeUnderOwnTrace("ws-1"), ProposeUnderOwnTrace("ws-2"));
        Assert.NotEqual(proposed[0].Trace, proposed[1].Trace);
        foreach (var (_, responseId) in proposed) await Mesh.WaitForStatusAsync(incident, responseId, "Completed");

        foreach (var (trace, _) in proposed)
        {
            // The last hop (the executor's relay announcing the completion) is in the trace once the incident has it.
            await Eventually.ReturnsAsync(() => Task.FromResult(RelayHops(trace)), hops => hops.Contains("relay ResponseExecuted"),
                "the executor's relay hop in the trace");
            // Every relay hop of the pipeline continued the trace: incidents → approvals → executor → incidents.
            Assert.Superset(new HashSet<string> { "relay ResponseProposed", "relay ResponseAccepted", "relay ExecuteResponse",
                "relay ResponseExecuted" }, RelayHops(trace));
            var spans = _finished.Where(a => a.TraceId == trace).ToList();
            // The gateway and the incidents service served the call under it …
            Assert.True(spans.Count(a => a.Kind == ActivityKind.Server) >= 2, "the gateway's and the service's requests are in the trace");
            // … and the approvals service, the executor and the incidents service consumed their messages under it.
            Assert.True(spans.Count(a => a.Kind == ActivityKind.Consumer) >= 4, "the consumers of the pipeline's messages are in the trace");
            // Exactly its own proposal was announced under it, though both may have been committed together.
            Assert.Single(spans, a => a.DisplayName == "relay ResponseProposed");
        }
    }

    private HashSet<string> RelayHops(ActivityTraceId trace) =>
        _finished.Where(a => a.TraceId == trace && a.Source.Name == "MdrMesh" && a.DisplayName.StartsWith("relay ")).Select(a => a.DisplayName).ToHashSet();

    [Fact]
    public async Task Metrics_count_proposals_decisions_and_outcomes_once_each_and_report_the_backlog_and_relay_lag()
    {
        var before = await ScrapeAsync("Incidents");
        var auto = await Mesh.OpenIncidentAsync(AutoTenant);
        var completed = await Mesh.ProposeAsync(auto, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 10 });
        var failed = await Mesh.ProposeAsync(auto, "GET_FILE", new { path = @"C:\nowhere.exe", max_file_size_mb = 10 });
        var manual = await Mesh.OpenIncidentAsync(ManualTenant);
        var declined = await Mesh.ProposeAsync(manual, "MEMORY_DUMP", new { dump_type = "Full" });
        var waiting = await Mesh.ProposeAsync(manual, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 10 });
        await Mesh.DecideAsync(declined, "Declined", "not on this host", "customer-admin");
        await Mesh.WaitForStatusAsync(auto, completed, "Completed");
        await Mesh.WaitForStatusAsync(auto, failed, "Failed");
        await Mesh.WaitForStatusAsync(manual, declined, "Declined");

        // Counters are the process's (every service here shares one); what this test did is the difference.
        var after = await Eventually.ReturnsAsync(() => ScrapeAsync("Incidents"),
            m => Delta(before, m, "mdrmesh_responses_failed_total", ("type", "GET_FILE"), ("reason_code", "FILE_NOT_FOUND")) == 1,
            "the failure counted");
        Assert.Equal(3, Delta(before, after, "mdrmesh_responses_proposed_total", ("type", "GET_FILE")));
        Assert.Equal(1, Delta(before, after, "mdrmesh_responses_proposed_total", ("type", "MEMORY_DUMP")));
        Assert.Equal(2, Delta(before, after, "mdrmesh_responses_accepted_total", ("type", "GET_FILE"), ("by", "auto")));
        Assert.Equal(1, Delta(before, after, "mdrmesh_responses_declined_total", ("type", "MEMORY_DUMP"), ("reason", "DECLINED")));
        Assert.Equal(1, Delta(before, after, "mdrmesh_responses_completed_total", ("type", "GET_FILE")));
        Assert.Equal(3, Delta(before, after, "mdrmesh_responses_decision_wait_seconds_count"));
        Assert.Equal(1, Delta(before, after, "mdrmesh_responses_proposal_to_terminal_seconds_count", ("status", "Completed")));
        Assert.Equal(1, Delta(before, after, "mdrmesh_responses_proposal_to_terminal_seconds_count", ("status", "Failed")));

        // The backlog: one response still waits for a person; the relays have caught up.
        var approvals = await Eventually.ReturnsAsync(() => ScrapeAsync("Approvals"),
            m => Value(m, "mdrmesh_decisions_pending", ("service", "approvals")) == 1, "one decision pending");
        Assert.Equal(0, Value(approvals, "mdrmesh_relay_lag_seconds", ("service", "approvals")));
        Assert.Contains("http_server_request_duration_seconds_count", approvals);
        Assert.Contains("dotnet_gc_", approvals);
        await Mesh.DecideAsync(waiting, "Confirmed", "go", "customer-admin");
        await Eventually.ReturnsAsync(() => ScrapeAsync("Approvals"), m => Value(m, "mdrmesh_decisions_pending", ("service", "approvals")) == 0,
            "no decision pending");
    }

    private async Task<string> ScrapeAsync(string service)
    {
        using var response = await _http.GetAsync($"{Mesh.ServiceAddress(service)}/metrics");
        Assert.Equal(200, (int)response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static double Delta(string before, string after, string metric, params (string Name, string Value)[] labels) =>
        Value(after, metric, labels) - Value(before, metric, labels);

    /// <summary>The sum of a metric's samples (Prometheus text format) whose labels include every one given.</summary>
    private static double Value(string exposition, string metric, params (string Name, string Value)[] labels) => exposition
        .Split('\n')
        .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
        .Where(line => labels.All(l => line.Contains($"{l.Name}=\"{l.Value}\"", StringComparison.Ordinal)))
        .Sum(line => double.Parse(line[(line.Contains('}') ? line.LastIndexOf('}') + 1 : line.IndexOf(' '))..].Trim().Split(' ')[0],
            CultureInfo.InvariantCulture));
}
