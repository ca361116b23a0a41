namespace MdrMesh.EndToEnd.Tests;

/// <summary>The probes an orchestrator uses: live while the process serves, ready only while what it needs answers.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class HealthTests(Infrastructure infrastructure) : MeshTests(infrastructure)
{
    private readonly HttpClient _http = new();

    public override async Task DisposeAsync()
    {
        _http.Dispose();
        await base.DisposeAsync();
    }

    private async Task<int> StatusAsync(string service, string probe) =>
        (int)(await _http.GetAsync($"{Mesh.ServiceAddress(service)}/{probe}")).StatusCode;

    [Fact]
    public async Task Every_service_is_live_and_ready_with_its_database_and_broker_up()
    {
        foreach (var service in new[] { "Gateway", "Incidents", "Approvals", "Executor" })
            foreach (var probe in new[] { "health/live", "health/ready", "health" })
                Assert.True(await StatusAsync(service, probe) == 200, $"{service} {probe}");
    }

    [Fact]
    public async Task The_gateway_stays_live_but_is_not_ready_while_a_service_behind_it_is_gone()
    {
        await Mesh.KillServiceAsync("Executor");
        await Eventually.ReturnsAsync(() => StatusAsync("Gateway", "health/ready"), status => status == 503, "gateway not ready");
        Assert.Equal(503, await StatusAsync("Gateway", "health"));
        Assert.Equal(200, await StatusAsync("Gateway", "health/live"));
        Assert.Equal(200, await StatusAsync("Incidents", "health/ready"));
    }

    [Fact]
    public async Task A_stopped_relay_shows_as_degraded_but_the_service_stays_ready()
    {
        // The incidents service without its relay: what it commits is never announced.
        await Mesh.KillServiceAsync("Incidents");
        await Mesh.StartServiceAsync("Incidents", new() { ["Marten:Daemon"] = "Disabled", ["Health:RelayBehind"] = "00:00:01" });
        Assert.Equal("Healthy", await BodyAsync("Incidents"));
        await Mesh.OpenIncidentAsync("root");
        Assert.Equal("Degraded", await Eventually.ReturnsAsync(() => BodyAsync("Incidents"), body => body == "Degraded", "incidents degraded"));
        Assert.Equal(200, await StatusAsync("Incidents", "health/ready"));
        Assert.Equal("Healthy", await BodyAsync("Approvals"));
    }

    private async Task<string> BodyAsync(string service) => await _http.GetStringAsync($"{Mesh.ServiceAddress(service)}/health/ready");
}
