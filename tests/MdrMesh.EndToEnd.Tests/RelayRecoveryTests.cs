using JasperFx.Events;
using MdrMesh.Incidents;
using MdrMesh.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;

namespace MdrMesh.EndToEnd.Tests;

/// <summary>
/// Nothing stranded: a relay that hangs is restarted by its watchdog, one that stays stuck fails readiness, then
/// liveness, then stops its process; connections the broker drops under load cost nothing.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class RelayRecoveryTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson(Tenant))
{
    private const string Tenant = "tenant-relay";
    private readonly HttpClient _http = new();
    private readonly HangingMap _hang = new();

    protected override async Task SetUpAsync()
    {
        await Mesh.OkAsync("auto_accept/set", new { mode = "ALL_TENANTS" }, caller: "customer-admin");
    }

    public override async Task DisposeAsync()
    {
        _hang.Release();
        _http.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>The incidents service again, its relay's message map hanging (ignoring every token) the first <paramref name="times"/> calls.</summary>
    private async Task StartIncidentsWithHangingRelayAsync(int times, string stuckAfter)
    {
        _hang.Times = times;
        await Mesh.KillServiceAsync("Incidents");
        await Mesh.StartServiceAsync("Incidents", new() { ["Relay:StuckAfter"] = stuckAfter },
            services => services.AddSingleton<IMessageMap>(provider => _hang.Around(ActivatorUtilities.CreateInstance<IncidentMessages>(provider))));
    }

    private async Task<(int Status, string Body)> ProbeAsync(string probe)
    {
        using var answer = await _http.GetAsync($"{Mesh.ServiceAddress("Incidents")}/{probe}");
        return ((int)answer.StatusCode, await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_relay_that_hangs_is_restarted_by_its_watchdog_and_the_response_completes_without_a_person()
    {
        await StartIncidentsWithHangingRelayAsync(times: 1, stuckAfter: "00:00:02");
        var restartsBefore = await RestartsAsync();
        var incident = await Mesh.OpenIncidentAsync(Tenant);
        var response = await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 });
        await Eventually.HoldsAsync(() => _hang.Hanging > 0, TimeSpan.FromSeconds(10), "the relay hangs");

        await Mesh.WaitForStatusAsync(incident, response, "Completed");
        Assert.Equal(["New", "Confirmed", "InProgress", "Completed"], (await Mesh.ResponseHistoryAsync(incident, response)).Select(r => r.Status));
        Assert.Equal(restartsBefore + 1, await RestartsAsync());
        // Once the watchdog sees it move, the probes are well again.
        await Eventually.ReturnsAsync(() => ProbeAsync("health/ready"), probe => probe.Status == 200, "ready again");
        await Eventually.ReturnsAsync(() => ProbeAsync("health/live"), probe => probe.Status == 200, "live again");
    }

    [Fact]
    public async Task A_relay_stuck_for_good_fails_readiness_then_liveness_then_stops_its_process_and_a_new_one_delivers()
    {
        await StartIncidentsWithHangingRelayAsync(times: int.MaxValue, stuckAfter: "00:00:01");
        var incident = await Mesh.OpenIncidentAsync(Tenant);
        var response = await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 });

        var ready = await Eventually.ReturnsAsync(() => ProbeAsync("health/ready"), probe => probe.Status == 503, "readiness fails");
        Assert.Equal("Unhealthy", ready.Body);
        await Eventually.ReturnsAsync(() => ProbeAsync("health/live"), probe => probe.Status == 503, "liveness fails");
        var incidents = Mesh.Service("Incidents");
        await Eventually.HoldsAsync(() => incidents.Lifetime.ApplicationStopping.IsCancellationRequested, TimeSpan.FromSeconds(20), "the process stops");

        // What a restart policy does: a new process, whose relay publishes what the stuck one could not.
        _hang.Release();
        await Mesh.KillServiceAsync("Incidents");
        await Mesh.StartServiceAsync("Incidents");
        await Mesh.WaitForStatusAsync(incident, response, "Completed");
        // Completed once by the executor (a decision that arrives later is recorded too, showing the status it finds).
        Assert.Single(await Mesh.ResponseHistoryAsync(incident, response), r => r.Status == "Completed" && r.By == "executor");
    }

    [Fact]
    public async Task Responses_proposed_while_the_broker_drops_every_connection_all_complete_with_each_step_once()
    {
        var proposed = new List<(string Incident, string Response)>();
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 10; i++)
            {
                var incident = await Mesh.OpenIncidentAsync(Tenant);
                proposed.Add((incident, await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 })));
            }
            // The broker lists connections a few seconds after they open (its statistics interval).
            await Eventually.ReturnsAsync(() => Infrastructure.CloseConnectionsAsync(Mesh.Vhost), closed => closed > 0, "connections closed");
        }

        foreach (var (incident, response) in proposed)
        {
            await Mesh.WaitForStatusAsync(incident, response, "Completed");
            // Each step recorded once: proposed, decided by the setting, started and completed by the executor. (A decision
            // and an execution come from two services: a dropped connection may deliver the decision after the start.)
            var history = await Mesh.ResponseHistoryAsync(incident, response);
            Assert.Equal(("New", "soc"), history[0]);
            Assert.Single(history, r => r.By.StartsWith("auto-accept", StringComparison.Ordinal));
            Assert.Single(history, r => r.Status == "InProgress" && r.By == "executor");
            Assert.Single(history, r => r.Status == "Completed" && r.By == "executor");
            Assert.Equal(4, history.Count);
        }
    }

    /// <summary>The incidents relay's restarts by its watchdog, as <c>/metrics</c> reports them.</summary>
    private async Task<double> RestartsAsync()
    {
        var text = await _http.GetStringAsync($"{Mesh.ServiceAddress("Incidents")}/metrics");
        return text.Split('\n')
            .Where(line => line.StartsWith("mdrmesh_relay_restarts_total{", StringComparison.Ordinal) && line.Contains("service=\"incidents\""))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>A message map whose first calls block their thread until released, as code stuck outside any timeout would.</summary>
    private sealed class HangingMap
    {
        private readonly ManualResetEventSlim _released = new(false);
        private int _calls;
        private int _hanging;
        public int Times { get; set; }
        public int Hanging => Volatile.Read(ref _hanging);

        public void Release() => _released.Set();

        public IMessageMap Around(IMessageMap inner) => new Map(this, inner);

        private sealed class Map(HangingMap hang, IMessageMap inner) : IMessageMap
        {
            public IReadOnlyList<object> ToMessages(IEvent @event)
            {
                if (Interlocked.Increment(ref hang._calls) <= hang.Times)
                {
                    Interlocked.Increment(ref hang._hanging);
                    hang._released.Wait();
                }
                return inner.ToMessages(@event);
            }
        }
    }
}
