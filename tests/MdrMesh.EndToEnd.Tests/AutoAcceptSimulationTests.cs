namespace MdrMesh.EndToEnd.Tests;

/// <summary>
/// <c>auto_accept/simulate</c> through the real gateway: a draft policy replayed over responses seeded through the API and
/// decided by a person, with the expected counts and differences, and nothing changed by it.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class AutoAcceptSimulationTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson(Tenant, Other))
{
    private const string Tenant = "tenant-simulated";
    private const string Other = "tenant-simulated-other";
    private const string Admin = "customer-admin";

    protected override async Task SetUpAsync()
    {
        // The mode is off: every response below waits for a person.
        await Mesh.OkAsync("auto_accept/set", new { mode = "DISABLED" }, caller: Admin);
    }

    private static readonly object FileParameters = new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 };
    private static readonly object IsolationParameters = new { isolation_term_seconds = 86_400 };

    /// <summary>A response proposed, then decided by a person <paramref name="wait"/> later.</summary>
    private async Task<string> DecidedAsync(string incident, string type, object parameters, string asset, TimeSpan wait, string status)
    {
        var response = await Mesh.ProposeAsync(incident, type, parameters, asset);
        Mesh.Clock.Advance(wait);
        await Mesh.DecideAsync(response, status, status == "Confirmed" ? "go" : "no", Admin);
        return response;
    }

    private long Now() => Mesh.Clock.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<long> ApprovalsEventCountAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(Mesh.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand("select count(*) from approvals.mt_events", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_draft_accepting_file_collections_replayed_over_a_persons_decisions_gives_the_counts_and_differences_and_changes_nothing()
    {
        // Before the range, and in another tenant: not replayed.
        var earlier = await Mesh.OpenIncidentAsync(Tenant);
        await DecidedAsync(earlier, "GET_FILE", FileParameters, "ws-1", TimeSpan.FromMinutes(1), "Confirmed");
        var elsewhere = await Mesh.OpenIncidentAsync(Other);
        Mesh.Clock.Advance(TimeSpan.FromSeconds(1));
        var from = Now();

        var incident = await Mesh.OpenIncidentAsync(Tenant);
        await DecidedAsync(elsewhere, "GET_FILE", FileParameters, "ws-1", TimeSpan.FromMinutes(1), "Confirmed");
        var file1 = await DecidedAsync(incident, "GET_FILE", FileParameters, "ws-1", TimeSpan.FromMinutes(2), "Confirmed");
        var file2 = await DecidedAsync(incident, "GET_FILE", FileParameters, "ws-1", TimeSpan.FromMinutes(4), "Confirmed");
        var file3 = await DecidedAsync(incident, "GET_FILE", FileParameters, "ws-1", TimeSpan.FromMinutes(1), "Declined");
        var isolation1 = await DecidedAsync(incident, "ISOLATE", IsolationParameters, "ws-2", TimeSpan.FromMinutes(3), "Confirmed");
        var isolation2 = await DecidedAsync(incident, "ISOLATE", IsolationParameters, "ws-2", TimeSpan.FromMinutes(1), "Declined");
        var to = Now() + 1000;
        // What a person sees before: every accepted response has run.
        foreach (var accepted in new[] { file1, file2, isolation1 }) await Mesh.WaitForStatusAsync(incident, accepted, "Completed");
        var eventsBefore = await ApprovalsEventCountAsync();
        var responsesBefore = (await Mesh.OkAsync("responses/list", new { incident_id = incident })).ToJsonString();

        var files = await Mesh.OkAsync("auto_accept/simulate", new
        {
            tenant_id = Tenant, from, to,
            draft = new { mode = "OFF", rules = new[] { new { name = "file collection", types = new[] { "GET_FILE" }, action = "ACCEPT" } } },
        }, caller: Admin);

        Assert.Equal((5, false, 3, 2), (Int(files, "total"), files["truncated"]!.GetValue<bool>(), Int(files, "would_accept_automatically"),
            Int(files, "would_wait_for_person")));
        Assert.Equal("""{"GET_FILE":3}""", files["by_type"]!.ToJsonString());
        var rule = Assert.Single(files["by_rule"]!.AsArray())!;
        Assert.Equal(("RULE:1", 1, "file collection", 3), (rule["rule"]!.GetValue<string>(), Int(rule, "rule_number"), rule["rule_name"]!.GetValue<string>(),
            Int(rule, "count")));
        // The file collections a person decided would have been accepted at once; the isolations wait, as they did.
        Assert.Equal(
            [(file1, "ACCEPTED_BY_PERSON"), (file2, "ACCEPTED_BY_PERSON"), (file3, "DECLINED_BY_PERSON")],
            files["differences"]!.AsArray().Select(d => (d!["response_id"]!.GetValue<string>(), d["actual"]!.GetValue<string>())));
        Assert.All(files["differences"]!.AsArray(), d =>
        {
            Assert.Equal(("AUTO_ACCEPTED", 1, incident, "GET_FILE", "ws-1"), (d!["simulated"]!.GetValue<string>(), Int(d["simulated_rule"]!, "rule_number"),
                d["incident_id"]!.GetValue<string>(), d["type"]!.GetValue<string>(), d["asset_id"]!.GetValue<string>()));
            Assert.InRange(d["proposed_at"]!.GetValue<long>(), from, to);
        });
        Assert.Equal(3, Int(files, "differences_total"));
        // Two acceptances by a person, after 2 and 4 minutes (and the milliseconds the services' clock ticks per reading).
        var saved = files["decision_wait_saved"]!;
        Assert.Equal(2, Int(saved, "count"));
        Assert.InRange(saved["sum_seconds"]!.GetValue<double>(), 360, 365);
        Assert.InRange(saved["p50_seconds"]!.GetValue<double>(), 120, 125);
        Assert.Empty(files["warnings"]!.AsArray());

        // The mode on, file collections held: the isolations would be accepted by the mode, with a warning.
        var modeOn = await Mesh.OkAsync("auto_accept/simulate", new
        {
            tenant_id = Tenant, from, to,
            draft = new { mode = "ON", rules = new[] { new { name = "files need a person", types = new[] { "GET_FILE" }, action = "MANUAL" } } },
        }, caller: Admin);

        Assert.Equal((5, 2, 3), (Int(modeOn, "total"), Int(modeOn, "would_accept_automatically"), Int(modeOn, "would_wait_for_person")));
        var byMode = Assert.Single(modeOn["by_rule"]!.AsArray())!;
        Assert.Equal(($"TENANT:{Tenant}", 2), (byMode["rule"]!.GetValue<string>(), Int(byMode, "count")));
        Assert.Null(byMode["rule_number"]);
        Assert.Equal([isolation1, isolation2], modeOn["differences"]!.AsArray().Select(d => d!["response_id"]!.GetValue<string>()));
        Assert.Equal("would have auto-accepted ISOLATE on asset ws-2 (2 times)",
            Assert.Single(modeOn["warnings"]!.AsArray())!["message"]!.GetValue<string>());

        // Pure: nothing was recorded, and the responses read as before.
        Assert.Equal(eventsBefore, await ApprovalsEventCountAsync());
        Assert.Equal(responsesBefore, (await Mesh.OkAsync("responses/list", new { incident_id = incident })).ToJsonString());
    }

    [Fact]
    public async Task A_bad_range_or_draft_is_a_400_naming_each_field()
    {
        var from = Now();
        var draft = new { mode = "OFF", rules = Array.Empty<object>() };

        Assert.Equal(["to"], await BadFieldsAsync(new { tenant_id = Tenant, draft, from, to = from + (long)TimeSpan.FromDays(90).TotalMilliseconds + 1 }));
        Assert.Equal(["to"], await BadFieldsAsync(new { tenant_id = Tenant, draft, from, to = from }));
        Assert.Equal(["from", "to"], await BadFieldsAsync(new { tenant_id = Tenant, draft, from = -1, to = (long?)null }));
        Assert.Equal(["draft.mode", "draft.rules[0].types[0]"], await BadFieldsAsync(new
        {
            tenant_id = Tenant, from, to = from + 1,
            draft = new { mode = "SOMETIMES", rules = new[] { new { name = "x", types = new[] { "GET_FILES" }, action = "ACCEPT" } } },
        }));
        Assert.Equal(["draft", "tenant_id"], await BadFieldsAsync(new { from, to = from + 1 }));
        // Exactly 90 days is fine.
        await Mesh.OkAsync("auto_accept/simulate", new { tenant_id = Tenant, draft, from, to = from + (long)TimeSpan.FromDays(90).TotalMilliseconds });
    }

    [Fact]
    public async Task A_tenant_the_connection_does_not_reach_is_a_404_and_its_own_needs_no_name()
    {
        var (clientId, refresh) = await Mesh.CreateConnectionAsync("other-admin", ["RESPONSE_MANAGEMENT"], [Other]);
        var (access, _) = await Mesh.ConfirmAsync(clientId, refresh);
        var body = new { draft = new { mode = "ON", rules = Array.Empty<object>() }, from = Now() - 1000, to = Now() + 1000 };

        var (status, _) = await Mesh.RawCallAsync(clientId, "auto_accept/simulate", new { tenant_id = Tenant, body.draft, body.from, body.to }, access);
        var (ownStatus, own) = await Mesh.RawCallAsync(clientId, "auto_accept/simulate", body, access);

        Assert.Equal((404, 200), (status, ownStatus));
        Assert.Equal(Other, own!["tenant_id"]!.GetValue<string>());
    }

    private async Task<List<string>> BadFieldsAsync(object body)
    {
        var (status, problem) = await Mesh.CallAsync("auto_accept/simulate", body);
        Assert.Equal(400, status);
        return problem!["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal).ToList();
    }

    private static int Int(JsonNode node, string key) => node[key]!.GetValue<int>();
}
