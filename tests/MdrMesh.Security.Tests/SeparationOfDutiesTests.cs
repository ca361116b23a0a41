namespace MdrMesh.Security.Tests;

/// <summary>
/// <c>Approvals:RequireSeparateDecider</c>: with it on, the connection that proposed a response may not
/// decide it; off (the default), it may. "soc" holds SOC_OPERATOR and FULL_ACCESS, so it can do both.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class SeparationOfDutiesTests(Infrastructure infrastructure)
{
    private const string Tenant = "tenant-sod";

    private Task<Mesh> StartAsync(bool? separate) => Mesh.StartAsync(infrastructure, Flow.FleetJson(Tenant),
        separate is { } on ? new Dictionary<string, string?> { ["Approvals:RequireSeparateDecider"] = on ? "true" : "false" } : null);

    [Fact]
    public async Task With_the_setting_on_the_proposer_is_refused_and_another_connection_decides()
    {
        await using var mesh = await StartAsync(separate: true);
        var incident = await mesh.OpenIncidentAsync(Tenant);
        var response = await mesh.ProposeAsync(incident, "DISABLE_ISOLATION", new { });

        var (one, problem) = await mesh.CallAsync("response/update", new { response_id = response, status = "Confirmed", comment = "mine" }, caller: "soc");
        var (many, _) = await mesh.CallAsync("responses/update", new { responses_ids = new[] { response }, status = "Confirmed", comment = "mine" }, caller: "soc");

        Assert.Equal(409, one);
        Assert.Equal(409, many);
        Assert.Contains("separation of duties", problem!["detail"]!.GetValue<string>());
        Assert.Equal("New", (await mesh.ResponseAsync(incident, response))["status"]!.GetValue<string>());

        var decided = await mesh.DecideAsync(response, "Confirmed", "checked", "alice");

        Assert.Equal("alice", decided["decided_by"]!.GetValue<string>());
        await mesh.WaitForStatusAsync(incident, response, "Completed");
        Assert.Contains(("Confirmed", "alice"), await mesh.ResponseHistoryAsync(incident, response));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(null)]
    public async Task With_the_setting_off_or_unset_the_proposer_may_decide(bool? separate)
    {
        await using var mesh = await StartAsync(separate);
        var incident = await mesh.OpenIncidentAsync(Tenant);
        var response = await mesh.ProposeAsync(incident, "DISABLE_ISOLATION", new { });

        var (status, decided) = await mesh.CallAsync("response/update", new { response_id = response, status = "Declined", comment = "mine" }, caller: "soc");

        Assert.Equal(200, status);
        Assert.Equal("soc", decided!["decided_by"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(decided["decided_by_id"]?.GetValue<string>()));
        await mesh.WaitForStatusAsync(incident, response, "Declined");
    }
}
