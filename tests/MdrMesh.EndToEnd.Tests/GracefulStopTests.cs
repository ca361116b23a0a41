using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Marten;
using MdrMesh.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MdrMesh.EndToEnd.Tests;

/// <summary>
/// A service stopped the way SIGTERM stops it, and started again, while proposals keep coming through the gateway (auto-accept
/// on): what was accepted is carried out once, and callers see nothing but answers and 503s that say when to come back.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class GracefulStopTests(Infrastructure infrastructure, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Tenant = "tenant-stop";
    private Mesh _mesh = null!;

    public async Task InitializeAsync()
    {
        // A short stop keeps the test short; what is in flight here finishes well within it.
        _mesh = await Mesh.StartAsync(infrastructure, Flow.FleetJson(Tenant), new() { ["Shutdown:Timeout"] = "00:00:10" });
        await _mesh.OkAsync("auto_accept/set", new { mode = "ALL_TENANTS" }, caller: "customer-admin");
    }

    public Task DisposeAsync() => _mesh.DisposeAsync().AsTask();

    private const int Clients = 8;

    private sealed record Call(int Status, string? ResponseId, string? IncidentId, bool RetryAfter);

    [Theory]
    [InlineData("Incidents")]
    [InlineData("Approvals")]
    [InlineData("Executor")]
    public async Task A_service_stopped_under_load_loses_nothing_doubles_nothing_and_answers_only_retryable_503s(string service)
    {
        var incidents = new List<string>();
        for (var i = 0; i < 4; i++) incidents.Add(await _mesh.OpenIncidentAsync(Tenant));
        var (clientId, token) = await _mesh.TokenAsync("soc");
        var calls = new ConcurrentQueue<Call>();
        using var stopLoad = new CancellationTokenSource();

        // Clients proposing one call after another each, every call's answer kept.
        async Task ProposeAsync(int client)
        {
            for (var n = 0; !stopLoad.IsCancellationRequested; n++)
            {
                var incident = incidents[(client + n) % incidents.Count];
                using var request = new HttpRequestMessage(HttpMethod.Post, $"{clientId}/responses/create")
                {
                    Content = JsonContent.Create(new
                    {
                        incident_id = incident, asset_id = n % 2 == 0 ? "ws-1" : "ws-2", type = "GET_FILE",
                        parameters = new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 }, description = "under load",
                    }),
                };
                request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}");
                using var answer = await _mesh.Http.SendAsync(request);
                var id = answer.IsSuccessStatusCode
                    ? JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["response_id"]!.GetValue<string>()
                    : null;
                calls.Enqueue(new Call((int)answer.StatusCode, id, incident, answer.Headers.RetryAfter is not null));
                // A client told to come back does, a little later (not the whole Retry-After: the load must go on).
                if (!answer.IsSuccessStatusCode) await Task.Delay(50);
            }
        }
        var load = Task.WhenAll(Enumerable.Range(0, Clients).Select(ProposeAsync));

        int Accepted() => calls.Count(c => c.Status == 200);
        await Eventually.HoldsAsync(() => Accepted() >= 10, TimeSpan.FromSeconds(60), "proposals accepted before the stop");
        await _mesh.StopServiceAsync(service);
        var beforeRestart = calls.Count;
        await _mesh.StartServiceAsync(service);
        var afterRestart = Accepted();
        await Eventually.HoldsAsync(() => Accepted() >= afterRestart + 10, TimeSpan.FromSeconds(60), "proposals accepted after the restart");
        await stopLoad.CancelAsync();
        await load;

        var answered = calls.ToList();
        output.WriteLine($"{service}: {answered.Count} calls, {answered.Count(c => c.Status == 200)} accepted, {answered.Count(c => c.Status == 503)} answered 503, {beforeRestart} before the restart");
        // Nothing but answers and the gateway's "come back later" (503 with Retry-After); no 500, no 502, no 504.
        Assert.All(answered, c => Assert.True(c.Status == 200 || (c.Status == 503 && c.RetryAfter), $"responses/create answered {c.Status}"));
        // Proposals go to the incidents service: stopped, it is refused at the gateway; the others' stops are invisible here.
        if (service == "Incidents") Assert.Contains(answered, c => c.Status == 503);
        else Assert.DoesNotContain(answered, c => c.Status == 503);

        // Every accepted proposal ends Completed exactly once, through one decision and one execution.
        var accepted = answered.Where(c => c.Status == 200).ToList();
        var histories = await Eventually.ReturnsAsync(() => HistoriesAsync(incidents),
            h => accepted.All(c => h.TryGetValue(c.ResponseId!, out var statuses) && statuses.Contains("Completed")),
            "every accepted proposal completed", seconds: 120);
        // Four records each, in the response's order, also across the restart: an execution whose message reaches the
        // restarted service before its decision (both redelivered at once) waits for it.
        foreach (var call in accepted)
            Assert.Equal(["New", "Confirmed", "InProgress", "Completed"], histories[call.ResponseId!]);
        foreach (var call in accepted)
        {
            // Proposed holding its acceptance and execution request; started and completed: one event each.
            Assert.Equal(1, await StreamLengthAsync("Approvals", call.ResponseId!));
            Assert.Equal(1, await StreamLengthAsync("Executor", call.ResponseId!));
        }
    }

    /// <summary>Each response's statuses, in the order its incident's history records them.</summary>
    private async Task<Dictionary<string, List<string>>> HistoriesAsync(IEnumerable<string> incidents)
    {
        var statuses = new Dictionary<string, List<string>>();
        foreach (var incident in incidents)
            for (var page = 1; ; page++)
            {
                var records = (await _mesh.OkAsync("incidents/history", new { incident_id = incident, page, page_size = 1000 })).AsArray();
                foreach (var record in records)
                    if (record!["entity"]!["incident_response"] is { } response)
                    {
                        var id = response["response_id"]!.GetValue<string>();
                        if (!statuses.TryGetValue(id, out var list)) statuses[id] = list = [];
                        list.Add(response["status"]!.GetValue<string>());
                    }
                if (records.Count < 1000) break;
            }
        return statuses;
    }

    private async Task<int> StreamLengthAsync(string service, string streamId)
    {
        await using var query = _mesh.Service(service).Services.GetRequiredService<IDocumentStore>().QuerySession(Tenant);
        return (await query.Events.FetchStreamAsync(Guid.Parse(streamId))).Count;
    }
}
