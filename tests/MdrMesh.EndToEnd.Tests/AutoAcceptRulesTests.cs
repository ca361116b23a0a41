using Marten;
using MdrMesh.Approvals.AcceptanceRules;
using MdrMesh.Approvals.Deciding;
using Microsoft.Extensions.DependencyInjection;

namespace MdrMesh.EndToEnd.Tests;

/// <summary>A tenant's ordered auto-accept rules, set through the real gateway and applied to the responses proposed after.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class AutoAcceptRulesTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson(Tenant, Other))
{
    private const string Tenant = "tenant-rules";
    private const string Other = "tenant-rules-other";

    protected override async Task SetUpAsync()
    {
        // The mode is off: whatever is accepted automatically below, a rule accepted.
        await Mesh.OkAsync("auto_accept/set", new { mode = "DISABLED" }, caller: "customer-admin");
    }

    [Fact]
    public async Task Given_an_accept_rule_for_get_file_with_the_mode_off_a_file_collection_completes_naming_the_rule_and_an_isolation_waits()
    {
        var set = await Mesh.OkAsync("auto_accept/rules/set", new
        {
            tenant_id = Tenant,
            rules = new object[]
            {
                new { name = "isolation needs a person", types = new[] { "ISOLATE" }, action = "MANUAL" },
                new { name = "file collection", types = new[] { "GET_FILE" }, asset_ids = new[] { "ws-1", "ws-2" }, action = "ACCEPT" },
            },
        }, caller: "customer-admin");
        Assert.Equal(Tenant, set["tenant_id"]!.GetValue<string>());
        Assert.Equal(1, set["version"]!.GetValue<long>());
        Assert.Equal("customer-admin", set["updated_by"]!.GetValue<string>());
        Assert.NotNull(set["update_time"]);
        Assert.Equal(["ws-1", "ws-2"], set["rules"]![1]!["asset_ids"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Empty(set["rules"]![0]!["asset_ids"]!.AsArray());
        Assert.Equal(set.ToJsonString(), (await Mesh.OkAsync("auto_accept/rules/get", new { tenant_id = Tenant }, caller: "customer-admin")).ToJsonString());

        var incident = await Mesh.OpenIncidentAsync(Tenant);
        var isolation = await Mesh.ProposeAsync(incident, "ISOLATE", new { isolation_term_seconds = 3600 });
        var collection = await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 });

        await Mesh.WaitForStatusAsync(incident, collection, "Completed");
        Assert.Equal(
            [("New", "soc"), ("Confirmed", "auto-accepted by rule 2 'file collection', policy v1"), ("InProgress", "executor"), ("Completed", "executor")],
            await Mesh.ResponseHistoryAsync(incident, collection));
        // The isolation was decided on (its decision stream exists) and left for a person.
        var decision = await Eventually.ReturnsAsync(() => DecisionAsync(isolation), d => d is not null, "the approvals service decided on the isolation");
        Assert.Equal(DecisionStatus.New, decision!.Status);
        Assert.Equal("New", (await Mesh.ResponseAsync(incident, isolation))["status"]!.GetValue<string>());
        Assert.Equal([("New", "soc")], await Mesh.ResponseHistoryAsync(incident, isolation));
        var accepted = (await DecisionAsync(collection))!.AutoAccepted!;
        Assert.Equal((1L, "RULE:2", 2, "file collection"), (accepted.PolicyVersion, accepted.Rule, accepted.RuleNumber, accepted.RuleName));
    }

    [Fact]
    public async Task Each_change_of_the_rules_is_the_next_version_recording_who_when_before_and_after()
    {
        var first = new { name = "memory dumps", types = new[] { "MEMORY_DUMP" }, action = "ACCEPT" };
        await Mesh.OkAsync("auto_accept/rules/set", new { tenant_id = Other, rules = new[] { first } }, caller: "alice");
        var again = await Mesh.OkAsync("auto_accept/rules/set", new { tenant_id = Other, rules = new[] { first } }, caller: "bob");
        var cleared = await Mesh.OkAsync("auto_accept/rules/set", new { tenant_id = Other, rules = Array.Empty<object>() }, caller: "carol");

        // The same list again changes nothing: no new version.
        Assert.Equal((1L, "alice"), (again["version"]!.GetValue<long>(), again["updated_by"]!.GetValue<string>()));
        Assert.Equal((2L, "carol"), (cleared["version"]!.GetValue<long>(), cleared["updated_by"]!.GetValue<string>()));
        Assert.Empty(cleared["rules"]!.AsArray());
        await using var query = Mesh.Service("Approvals").Services.GetRequiredService<IDocumentStore>().QuerySession(Other);
        var changes = (await query.Events.FetchStreamAsync(AutoAcceptRules.StreamIdOf(Other))).Select(e => (AutoAcceptRulesSet)e.Data).ToList();
        Assert.Equal([(1L, "alice", 0, 1), (2L, "carol", 1, 0)], changes.Select(c => (c.Version, c.By, c.PreviousRules.Count, c.Rules.Count)));
        Assert.Equal("memory dumps", changes[1].PreviousRules[0].Name);
        Assert.True(changes[1].At >= changes[0].At);

        // The same through the API, latest first, a page at a time.
        var history = (await Mesh.OkAsync("auto_accept/rules/history", new { tenant_id = Other }, caller: "alice")).AsArray();
        Assert.Equal([(2L, "carol", 1, 0), (1L, "alice", 0, 1)], history.Select(h => (h!["version"]!.GetValue<long>(),
            h["changed_by"]!.GetValue<string>(), h["rules_before"]!.AsArray().Count, h["rules_after"]!.AsArray().Count)));
        Assert.Equal("memory dumps", history[0]!["rules_before"]![0]!["name"]!.GetValue<string>());
        var second = (await Mesh.OkAsync("auto_accept/rules/history", new { tenant_id = Other, page = 2, page_size = 1 }, caller: "alice")).AsArray();
        Assert.Equal(1L, Assert.Single(second)!["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task Bad_rules_are_a_400_naming_each_field_path_and_change_nothing()
    {
        var before = await Mesh.OkAsync("auto_accept/rules/get", new { tenant_id = Tenant });
        var (status, problem) = await Mesh.CallAsync("auto_accept/rules/set", new
        {
            tenant_id = Tenant,
            rules = new object?[]
            {
                new { name = "fine", types = new[] { "GET_FILE" }, action = "ACCEPT" },
                new { name = "", types = new[] { "GET_FILE", "GET_FILES" }, asset_ids = new[] { "ws-1", new string('a', 257) }, action = "MAYBE" },
                null,
                new { name = new string('n', 129), types = Enumerable.Repeat("ISOLATE", 65).ToArray(), action = "MANUAL" },
            },
        });

        Assert.Equal(400, status);
        var fields = problem!["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["rules[1].action", "rules[1].asset_ids[1]", "rules[1].name", "rules[1].types[1]", "rules[2]", "rules[3].name", "rules[3].types"], fields);
        Assert.Contains("must be one of ACCEPT, MANUAL", problem["errors"]!["rules[1].action"]![0]!.GetValue<string>());

        // An every-tenant connection names the tenant; a list has at most 100 rules.
        var tooMany = Enumerable.Range(0, 101).Select(i => new { name = $"r{i}", action = "MANUAL" }).ToArray();
        (status, problem) = await Mesh.CallAsync("auto_accept/rules/set", new { rules = tooMany });
        Assert.Equal(400, status);
        Assert.Equal(["rules", "tenant_id"], problem!["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
        (status, problem) = await Mesh.CallAsync("auto_accept/rules/get", new { });
        Assert.Equal((400, "tenant_id"), (status, problem!["errors"]!.AsObject().Single().Key));

        Assert.Equal(before.ToJsonString(), (await Mesh.OkAsync("auto_accept/rules/get", new { tenant_id = Tenant })).ToJsonString());
    }

    [Fact]
    public async Task Another_tenants_connection_gets_404_and_its_own_tenant_without_naming_it()
    {
        var (clientId, refresh) = await Mesh.CreateConnectionAsync("other-admin", ["RESPONSE_MANAGEMENT"], [Other]);
        var (access, _) = await Mesh.ConfirmAsync(clientId, refresh);
        var rules = new[] { new { name = "everything", action = "ACCEPT" } };

        var (getStatus, _) = await Mesh.RawCallAsync(clientId, "auto_accept/rules/get", new { tenant_id = Tenant }, access);
        var (setStatus, _) = await Mesh.RawCallAsync(clientId, "auto_accept/rules/set", new { tenant_id = Tenant, rules }, access);
        var (ownStatus, own) = await Mesh.RawCallAsync(clientId, "auto_accept/rules/get", new { }, access);

        Assert.Equal((404, 404), (getStatus, setStatus));
        Assert.Equal((200, Other), (ownStatus, own!["tenant_id"]!.GetValue<string>()));
        // Nothing of the other tenant's changed.
        Assert.DoesNotContain("everything", (await Mesh.OkAsync("auto_accept/rules/get", new { tenant_id = Tenant })).ToJsonString());
    }

    [Fact]
    public async Task Given_an_accept_rule_on_high_priority_and_T1059_a_file_collection_on_such_an_incident_completes_and_on_a_low_one_waits()
    {
        var set = await Mesh.OkAsync("auto_accept/rules/set", new
        {
            tenant_id = Tenant,
            time_zone = "Europe/Berlin",
            rules = new object[]
            {
                new { name = "urgent scripting", types = new[] { "GET_FILE" }, priorities = new[] { "HIGH" }, mitre_techniques = new[] { "T1059" }, action = "ACCEPT" },
                new { name = "never at night", time_window = new { days = new[] { "SAT", "SUN" }, from = "22:00", to = "06:00" }, action = "MANUAL" },
            },
        }, caller: "customer-admin");
        Assert.Equal("Europe/Berlin", set["time_zone"]!.GetValue<string>());
        Assert.Equal(["HIGH"], set["rules"]![0]!["priorities"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal("22:00", set["rules"]![1]!["time_window"]!["from"]!.GetValue<string>());
        Assert.Equal(set.ToJsonString(), (await Mesh.OkAsync("auto_accept/rules/get", new { tenant_id = Tenant }, caller: "customer-admin")).ToJsonString());

        var urgent = await OpenIncidentAsync("HIGH", "T1059.001");
        var low = await OpenIncidentAsync("LOW", "T1059.001");
        var file = new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 };
        var accepted = await Mesh.ProposeAsync(urgent, "GET_FILE", file);
        var waiting = await Mesh.ProposeAsync(low, "GET_FILE", file);

        await Mesh.WaitForStatusAsync(urgent, accepted, "Completed");
        Assert.Equal(("Confirmed", "auto-accepted by rule 1 'urgent scripting', policy v1"), (await Mesh.ResponseHistoryAsync(urgent, accepted))[1]);
        var recorded = (await DecisionAsync(accepted))!;
        Assert.Equal("HIGH", recorded.Priority);
        Assert.Equal(["T1059.001"], recorded.MitreTechniques!);
        var decision = await Eventually.ReturnsAsync(() => DecisionAsync(waiting), d => d is not null, "the approvals service decided on the low one");
        Assert.Equal((DecisionStatus.New, "LOW"), (decision!.Status, decision.Priority));
        Assert.Equal("New", (await Mesh.ResponseAsync(low, waiting))["status"]!.GetValue<string>());
        Assert.Equal([("New", "soc")], await Mesh.ResponseHistoryAsync(low, waiting));
    }

    [Fact]
    public async Task A_bad_time_zone_time_window_priority_or_technique_is_a_400_naming_each_field_and_changes_nothing()
    {
        var before = await Mesh.OkAsync("auto_accept/rules/get", new { tenant_id = Tenant });
        var (status, problem) = await Mesh.CallAsync("auto_accept/rules/set", new
        {
            tenant_id = Tenant,
            time_zone = "Mars/Olympus_Mons",
            rules = new object[]
            {
                new { name = "bad window", time_window = new { days = new[] { "FRI", "FUNDAY" }, from = "25:00", to = "6:00" }, action = "ACCEPT" },
                new { name = "no time", time_window = new { from = "08:00", to = "08:00" }, action = "ACCEPT" },
                new { name = "bad matchers", priorities = new[] { "HIGH", "CRITICAL" }, mitre_techniques = new[] { "T1059", "TA0001" }, action = "ACCEPT" },
                new { name = "ends missing", time_window = new { days = Array.Empty<string>() }, action = "MANUAL" },
            },
        });

        Assert.Equal(400, status);
        var errors = problem!["errors"]!.AsObject();
        Assert.Equal(["rules[0].time_window.days[1]", "rules[0].time_window.from", "rules[0].time_window.to", "rules[1].time_window.to",
            "rules[2].mitre_techniques[1]", "rules[2].priorities[1]", "rules[3].time_window.from", "rules[3].time_window.to", "time_zone"],
            errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Contains("IANA", errors["time_zone"]![0]!.GetValue<string>());
        Assert.Contains("T1234.001", errors["rules[2].mitre_techniques[1]"]![0]!.GetValue<string>());

        // A good policy with a bad zone alone is refused as well.
        (status, problem) = await Mesh.CallAsync("auto_accept/rules/set", new { tenant_id = Tenant, rules = Array.Empty<object>(), time_zone = "W. Europe Standard Time" });
        Assert.Equal((400, "time_zone"), (status, problem!["errors"]!.AsObject().Single().Key));

        Assert.Equal(before.ToJsonString(), (await Mesh.OkAsync("auto_accept/rules/get", new { tenant_id = Tenant })).ToJsonString());
    }

    /// <summary>An incident of <see cref="Tenant"/> with the priority and MITRE techniques the SOC gave it.</summary>
    private async Task<string> OpenIncidentAsync(string priority, params string[] techniques)
    {
        var incident = await Mesh.OkAsync("incidents/create", new
        {
            summary = $"{priority} scripting on WS-1", tenant_id = Tenant, affected_hosts = new[] { "WS-1:ws-1" }, priority,
            mitre_techniques = techniques,
        });
        return incident["incident_id"]!.GetValue<string>();
    }

    private async Task<Decision?> DecisionAsync(string responseId)
    {
        await using var query = Mesh.Service("Approvals").Services.GetRequiredService<IDocumentStore>().QuerySession(Tenant);
        return await query.LoadAsync<Decision>(Guid.Parse(responseId));
    }
}
