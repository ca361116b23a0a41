using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using ApprovalEvents = MdrMesh.Approvals.Deciding;
using ExecutorEvents = MdrMesh.Executor.Executing;

namespace MdrMesh.EndToEnd.Tests;

/// <summary>
/// Two instances of every service on one database and broker: consumers compete for the queues, the sweepers of both
/// instances run, and either gateway serves a caller. Each fact is still recorded once.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class SeveralInstancesTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson(AutoTenant, ManualTenant))
{
    private const string AutoTenant = "tenant-auto";
    private const string ManualTenant = "tenant-manual";

    protected override Dictionary<string, string?> Settings => new() { ["Executor:SweepInterval"] = "00:00:00.2" };

    protected override async Task SetUpAsync()
    {
        foreach (var service in new[] { "Incidents", "Approvals", "Executor", "Notifications", "Gateway" })
            await Mesh.StartServiceAsync(service, instance: $"{service}-2");
        await Mesh.OkAsync("auto_accept/set", new { mode = "SELECTED_TENANTS", tenant_ids = new[] { AutoTenant } }, caller: "customer-admin");
    }

    [Fact]
    public async Task Responses_proposed_at_once_each_run_once_with_their_statuses_in_order()
    {
        var incidents = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Mesh.OpenIncidentAsync(AutoTenant)));
        var proposed = await Task.WhenAll(incidents.SelectMany(incident => new[] { "ws-1", "ws-2" }.Select(async asset =>
            (Incident: incident, Response: await Mesh.ProposeAsync(incident, "GET_FILE",
                new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 }, asset)))));

        foreach (var (incident, response) in proposed)
        {
            await Mesh.WaitForStatusAsync(incident, response, "Completed");
            Assert.Equal(["New", "Confirmed", "InProgress", "Completed"], (await Mesh.ResponseHistoryAsync(incident, response)).Select(r => r.Status));
            Assert.Equal([typeof(ApprovalEvents.ResponseProposed)],
                await StreamAsync("Approvals", AutoTenant, response));
            Assert.Equal([typeof(ExecutorEvents.ResponseExecuted)],
                await StreamAsync("Executor", AutoTenant, response));
        }
    }

    [Fact]
    public async Task With_both_approvals_instances_sweeping_each_passed_deadline_is_recorded_once()
    {
        var incident = await Mesh.OpenIncidentAsync(ManualTenant);
        var responses = new List<string>();
        foreach (var asset in new[] { "ws-1", "ws-2", "ws-1", "ws-2", "ws-1", "ws-2" })
            responses.Add(await Mesh.ProposeAsync(incident, "DISABLE_ISOLATION", new { }, asset));
        await Eventually.ReturnsAsync(async () => (await Task.WhenAll(responses.Select(r => StreamAsync("Approvals", ManualTenant, r)))).All(s => s.Count > 0),
            known => known, "approvals knows every proposal");

        Mesh.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));

        foreach (var response in responses) await Mesh.WaitForStatusAsync(incident, response, "Declined");
        foreach (var response in responses)
        {
            Assert.Equal([("New", "soc"), ("Declined", "mdrmesh")], await Mesh.ResponseHistoryAsync(incident, response));
            Assert.Single(await StreamAsync("Approvals", ManualTenant, response), e => e == typeof(ApprovalEvents.ResponseRejected));
        }
    }

    [Fact]
    public async Task With_both_executors_sweeping_an_isolation_expiry_is_recorded_once()
    {
        var incident = await Mesh.OpenIncidentAsync(AutoTenant);
        var isolate = await Mesh.ProposeAsync(incident, "ISOLATE", new { isolation_term_seconds = 600 });
        await Mesh.WaitForStatusAsync(incident, isolate, "Completed");

        Mesh.Clock.Advance(TimeSpan.FromSeconds(601));

        var lifted = await Eventually.ReturnsAsync(() => Mesh.ResponseAsync(incident, isolate), r => r["undone_by"] is not null, "the isolation expiry");
        Assert.Equal("ISOLATION_EXPIRED", lifted["undone_by"]!["reason"]!.GetValue<string>());
        // A later flow through the same asset and queues: once it is done, a second expiry would have landed before it.
        var marker = await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 });
        await Mesh.WaitForStatusAsync(incident, marker, "Completed");
        var expiries = (await Mesh.HistoryAsync(incident)).Count(r => r!["changes"]!.AsArray().Any(c => c!["field"]!.GetValue<string>() == "undone_by"));
        Assert.Equal(1, expiries);
        Assert.Single(await StreamAsync("Executor", AutoTenant, isolate), e => e == typeof(ExecutorEvents.ResponseUndone));
    }

    [Fact]
    public async Task A_token_issued_by_one_gateway_is_accepted_by_the_other_and_a_chain_revoked_on_one_is_refused_by_both()
    {
        var (clientId, refresh) = await Mesh.CreateConnectionAsync("several-gateways", ["FULL_ACCESS"]);
        var first = Mesh.Http;
        using var second = new HttpClient { BaseAddress = new Uri($"{Mesh.ServiceAddress("Gateway-2")}/api/v1/") };

        var confirmed = await PostAsync(first, clientId, "session/confirm", new { refresh_token = refresh }, null);
        Assert.Equal(200, confirmed.Status);
        var access = confirmed.Body!["access_token"]!.GetValue<string>();
        Assert.Equal(200, (await PostAsync(second, clientId, "incidents/count", new { }, access)).Status);
        // The same refresh token again at once, on the other gateway: a client's retry, answered there too.
        Assert.Equal(200, (await PostAsync(second, clientId, "session/confirm", new { refresh_token = refresh }, null)).Status);

        // Again after the retry grace: a copy in other hands. The second gateway revokes the chain...
        Mesh.TokenClock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(401, (await PostAsync(second, clientId, "session/confirm", new { refresh_token = refresh }, null)).Status);
        Assert.Equal(401, (await PostAsync(second, clientId, "incidents/count", new { }, access)).Status);
        // ...and the first refuses its access token once its connection cache (Access:ConnectionCacheSeconds, 5 s) has expired.
        await Eventually.ReturnsAsync(async () => (await PostAsync(first, clientId, "incidents/count", new { }, access)).Status, status => status == 401,
            "the first gateway refusing the revoked chain");
    }

    private Task<(int Status, JsonNode? Body)> PostAsync(HttpClient gateway, string clientId, string method, object body, string? bearer) =>
        Mesh.RawCallAsync(clientId, method, body, bearer, gateway: gateway);

    private async Task<List<Type>> StreamAsync(string service, string tenant, string streamId)
    {
        await using var query = Mesh.Service(service).Services.GetRequiredService<IDocumentStore>().QuerySession(tenant);
        return (await query.Events.FetchStreamAsync(Guid.Parse(streamId))).Select(e => e.Data.GetType()).ToList();
    }
}
