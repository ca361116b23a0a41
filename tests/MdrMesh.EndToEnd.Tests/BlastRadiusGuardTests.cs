using Marten;
using MdrMesh.Approvals.BlastRadius;
using Microsoft.Extensions.DependencyInjection;

namespace MdrMesh.EndToEnd.Tests;

/// <summary>
/// The blast-radius guard through the real gateway, with two approvals instances deciding the same tenant's proposals at
/// once: the count is the event store's, not either instance's.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class BlastRadiusGuardTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson(Tenant))
{
    private const string Tenant = "tenant-guard";
    private const string Held = "waiting for a person: blast-radius guard, 3 automatic drastic acceptances within 10 minutes";

    protected override async Task SetUpAsync()
    {
        await Mesh.StartServiceAsync("Approvals", instance: "Approvals-2");
        await Mesh.OkAsync("auto_accept/set", new { mode = "ALL_TENANTS" }, caller: "customer-admin");
    }

    [Fact]
    public async Task With_two_approvals_instances_exactly_the_limit_is_accepted_the_rest_wait_for_a_person_and_a_reset_lets_the_next_through()
    {
        var set = await Mesh.OkAsync("auto_accept/guard/set",
            new { tenant_id = Tenant, types = new[] { "ISOLATE", "RUN_SCRIPT", "TERMINATE_PROCESS", "DELETE_REGISTRY_KEY" }, limit = 3, window_seconds = 600 },
            caller: "customer-admin");
        Assert.Equal((3, 600L, 0, false, "customer-admin"), (set["limit"]!.GetValue<int>(), set["window_seconds"]!.GetValue<long>(),
            set["count"]!.GetValue<int>(), set["tripped"]!.GetValue<bool>(), set["updated_by"]!.GetValue<string>()));

        // Six drastic responses at once, each on an incident of its own (so they travel side by side), decided by whichever instance
        // takes each proposal.
        var holdsBefore = await GuardHoldsAsync();
        var incidents = await Task.WhenAll(Enumerable.Range(1, 6).Select(_ => Mesh.OpenIncidentAsync(Tenant)));
        var proposed = await Task.WhenAll(incidents.Select((incident, i) => Mesh.ProposeAsync(incident, "TERMINATE_PROCESS", new { pid = 4000 + i })));
        var incidentOf = proposed.Zip(incidents).ToDictionary(p => p.First, p => p.Second);

        var (accepted, held) = await Eventually.ReturnsAsync(async () =>
        {
            var (decided, waiting) = (new List<string>(), new List<string>());
            foreach (var (response, incident) in incidentOf)
            {
                if ((await Mesh.ResponseAsync(incident, response))["status"]!.GetValue<string>() != "New") decided.Add(response);
                if ((await Mesh.ResponseHistoryAsync(incident, response)).Contains(("New", Held))) waiting.Add(response);
            }
            return (decided, waiting);
        }, d => d.Item1.Count + d.Item2.Count >= proposed.Length, "every proposal accepted or held", seconds: 60);

        Assert.Equal(3, accepted.Count);
        Assert.Equal(3, held.Count);
        Assert.Empty(accepted.Intersect(held));
        foreach (var id in held)
        {
            Assert.Equal("New", (await Mesh.ResponseAsync(incidentOf[id], id))["status"]!.GetValue<string>());
            Assert.Equal([("New", "soc"), ("New", Held)], await Mesh.ResponseHistoryAsync(incidentOf[id], id));
        }
        // Each hold counted once, by type (the metric of both instances is this process's one meter).
        var holds = await Eventually.ReturnsAsync(GuardHoldsAsync, v => v - holdsBefore >= 3, "the holds in the metric (a scrape may be cached briefly)");
        Assert.Equal(3, holds - holdsBefore);
        var guard = await Mesh.OkAsync("auto_accept/guard/get", new { tenant_id = Tenant }, caller: "customer-admin");
        Assert.Equal((3, true), (guard["count"]!.GetValue<int>(), guard["tripped"]!.GetValue<bool>()));
        Assert.NotNull(guard["tripped_since"]);
        // The guard's own stream, which both instances wrote: three acceptances counted, one trip.
        await using (var query = Mesh.Service("Approvals-2").Services.GetRequiredService<IDocumentStore>().QuerySession(Tenant))
        {
            var events = (await query.Events.FetchStreamAsync(BlastRadiusGuard.StreamIdOf(Tenant))).Select(e => e.Data.GetType().Name).ToList();
            Assert.Equal([nameof(BlastRadiusGuardSet), nameof(AutoAcceptanceCounted), nameof(AutoAcceptanceCounted), nameof(AutoAcceptanceCounted),
                nameof(GuardTripped)], events);
        }

        // A person decides a held response as any other.
        await Mesh.DecideAsync(held[0], "Confirmed", "checked: go", "customer-admin");
        await Eventually.ReturnsAsync(() => Mesh.ResponseAsync(incidentOf[held[0]], held[0]), r => r["status"]!.GetValue<string>() != "New",
            "the held response accepted by a person");

        var reset = await Mesh.OkAsync("auto_accept/guard/reset", new { tenant_id = Tenant }, caller: "alice");
        Assert.Equal((0, false, "alice"), (reset["count"]!.GetValue<int>(), reset["tripped"]!.GetValue<bool>(), reset["last_reset_by"]!.GetValue<string>()));
        Assert.NotNull(reset["last_reset_time"]);

        var next = await Mesh.ProposeAsync(incidents[0], "TERMINATE_PROCESS", new { pid = 5000 });
        await Eventually.ReturnsAsync(() => Mesh.ResponseAsync(incidents[0], next), r => r["status"]!.GetValue<string>() != "New",
            "the next drastic response accepted automatically after the reset");
        Assert.Equal("Confirmed", (await Mesh.ResponseHistoryAsync(incidents[0], next))[1].Status);
        Assert.Equal(1, (await Mesh.OkAsync("auto_accept/guard/get", new { tenant_id = Tenant }))["count"]!.GetValue<int>());
    }

    private async Task<double> GuardHoldsAsync()
    {
        using var http = new HttpClient();
        var exposition = await http.GetStringAsync($"{Mesh.ServiceAddress("Approvals")}/metrics");
        return exposition.Split('\n').Where(line => line.StartsWith("mdrmesh_auto_accept_guard_holds_total{", StringComparison.Ordinal)
                && line.Contains("type=\"TERMINATE_PROCESS\"", StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_tenant_never_set_has_the_defaults_and_bad_settings_are_a_400_naming_each_field()
    {
        var guard = await Mesh.OkAsync("auto_accept/guard/get", new { tenant_id = "tenant-never-set" });
        Assert.Equal(["ISOLATE", "RUN_SCRIPT", "TERMINATE_PROCESS", "DELETE_REGISTRY_KEY"], guard["types"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal((20, 600L, 0, false), (guard["limit"]!.GetValue<int>(), guard["window_seconds"]!.GetValue<long>(),
            guard["count"]!.GetValue<int>(), guard["tripped"]!.GetValue<bool>()));

        var (status, problem) = await Mesh.CallAsync("auto_accept/guard/set",
            new { tenant_id = Tenant, types = new[] { "ISOLATE", "NUKE" }, limit = 0, window_seconds = 86401 });
        Assert.Equal(400, status);
        Assert.Equal(["limit", "types[1]", "window_seconds"], problem!["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
        (status, problem) = await Mesh.CallAsync("auto_accept/guard/set", new { tenant_id = Tenant });
        Assert.Equal(400, status);
        Assert.Equal(["limit", "types", "window_seconds"], problem!["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
    }
}
