using Marten;
using MdrMesh.Approvals.Deciding;
using Microsoft.Extensions.DependencyInjection;

namespace MdrMesh.Security.Tests;

/// <summary>
/// Auto-accept is per tenant: a connection limited to some tenants changes, and sees, only theirs;
/// one over every tenant sets the installation default and every tenant's state. Through the real gateway.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class AutoAcceptTests(Infrastructure infrastructure) : MeshTests(infrastructure)
{
    private const string Root = "root";
    private string _a = "", _b = "", _c = "";

    protected override async Task SetUpAsync()
    {
        _a = await TenantAsync("Alpha");
        _b = await TenantAsync("Bravo");
        _c = await TenantAsync("Charlie");
        await Mesh.OkAsync("assets/register", new { asset_id = $"ws-{Root}", tenant_id = Root, host_name = "WS" });
    }

    private async Task<string> TenantAsync(string name)
    {
        var tenant = (await Mesh.OkAsync("tenants/create", new { name }))["tenant_id"]!.GetValue<string>();
        await Mesh.OkAsync("assets/register", new { asset_id = $"ws-{tenant}", tenant_id = tenant, host_name = "WS" });
        return tenant;
    }

    /// <summary>A connection with RESPONSE_MANAGEMENT over <paramref name="tenants"/>; returns a caller of auto_accept methods.</summary>
    private async Task<Func<string, object, Task<(int Status, JsonNode? Body)>>> LimitedAsync(string name, params string[] tenants)
    {
        var (clientId, refresh) = await Mesh.CreateConnectionAsync(name, ["RESPONSE_MANAGEMENT"], tenants);
        var (access, _) = await Mesh.ConfirmAsync(clientId, refresh);
        return (method, body) => Mesh.RawCallAsync(clientId, method, body, access);
    }

    private static async Task<JsonNode> OkAsync(Func<string, object, Task<(int Status, JsonNode? Body)>> connection, string method, object body)
    {
        var (status, answer) = await connection(method, body);
        Assert.True(status == 200, $"{method} answered {status}: {answer?.ToJsonString()}");
        return answer!;
    }

    /// <summary>Proposes a response in the tenant; returns the incident and response ids.</summary>
    private async Task<(string Incident, string Response)> ProposeAsync(string tenant)
    {
        var incident = (await Mesh.OkAsync("incidents/create", new { summary = "Miner", affected_hosts = new[] { $"WS:ws-{tenant}" }, tenant_id = tenant }))
            ["incident_id"]!.GetValue<string>();
        return (incident, await Mesh.ProposeAsync(incident, "DISABLE_ISOLATION", new { }, $"ws-{tenant}"));
    }

    /// <summary>
    /// What the approvals service decided on arrival: auto-accept is applied in the same commit that
    /// records the proposal, so once it is known its status is the auto-accept outcome.
    /// </summary>
    private async Task<string> OutcomeAsync(string responseId)
    {
        var decision = await Eventually.ReturnsAsync(async () =>
        {
            await using var query = Mesh.Service("Approvals").Services.GetRequiredService<IDocumentStore>().QuerySession();
            return await query.Query<Decision>().Where(d => d.AnyTenant() && d.Id == Guid.Parse(responseId)).FirstOrDefaultAsync();
        }, d => d is not null, $"the approvals service knows response {responseId}");
        return decision!.Status.ToString();
    }

    private async Task<Dictionary<string, string>> OutcomesAsync(params string[] tenants)
    {
        var outcomes = new Dictionary<string, string>();
        foreach (var tenant in tenants) outcomes[tenant] = await OutcomeAsync((await ProposeAsync(tenant)).Response);
        return outcomes;
    }

    private Dictionary<string, string> Expect(params (string Tenant, bool Accepted)[] rows) =>
        rows.ToDictionary(r => r.Tenant, r => r.Accepted ? nameof(DecisionStatus.Confirmed) : nameof(DecisionStatus.New));

    [Fact]
    public async Task A_connection_limited_to_B_selecting_B_leaves_the_other_tenants_auto_accepted()
    {
        await Mesh.OkAsync("auto_accept/set", new { mode = "SELECTED_TENANTS", tenant_ids = new[] { _a } }, caller: "admin");
        var bravo = await LimitedAsync("Bravo admin", _b);

        await OkAsync(bravo, "auto_accept/set", new { mode = "SELECTED_TENANTS", tenant_ids = new[] { _b } });

        Assert.Equal(Expect((_a, true), (_b, true), (_c, false), (Root, false)), await OutcomesAsync(_a, _b, _c, Root));
        // The accepted response runs through the whole pipeline, and its history names the tenant's own setting.
        var (incident, response) = await ProposeAsync(_a);
        await Eventually.ReturnsAsync(() => Mesh.ResponseAsync(incident, response), r => r["status"]!.GetValue<string>() != "New", "accepted");
        Assert.Contains(("Confirmed", $"auto-accept setting v1 (TENANT:{_a})"), await Mesh.ResponseHistoryAsync(incident, response));
    }

    [Fact]
    public async Task A_limited_connection_turns_its_own_tenant_off_and_the_others_keep_auto_accept()
    {
        await Mesh.OkAsync("auto_accept/set", new { mode = "ALL_TENANTS" }, caller: "admin");
        var bravo = await LimitedAsync("Bravo admin", _b);

        var view = await OkAsync(bravo, "auto_accept/set", new { mode = "DISABLED" });

        Assert.Equal("DISABLED", view["mode"]!.GetValue<string>());
        Assert.Equal(Expect((_a, true), (_b, false), (_c, true), (Root, true)), await OutcomesAsync(_a, _b, _c, Root));
        var (incident, response) = await ProposeAsync(Root);
        await Eventually.ReturnsAsync(() => Mesh.ResponseAsync(incident, response), r => r["status"]!.GetValue<string>() != "New", "accepted");
        Assert.Contains(("Confirmed", "auto-accept setting v1 (ALL_TENANTS)"), await Mesh.ResponseHistoryAsync(incident, response));
    }

    [Fact]
    public async Task A_connection_over_A_and_B_changes_only_A_and_B_and_cannot_name_other_tenants()
    {
        await Mesh.OkAsync("auto_accept/set", new { mode = "ALL_TENANTS" }, caller: "admin");
        var both = await LimitedAsync("A and B admin", _a, _b);

        await OkAsync(both, "auto_accept/set", new { mode = "SELECTED_TENANTS", tenant_ids = new[] { _a } });
        Assert.Equal(Expect((_a, true), (_b, false), (_c, true), (Root, true)), await OutcomesAsync(_a, _b, _c, Root));

        Assert.Equal(404, (await both("auto_accept/set", new { mode = "SELECTED_TENANTS", tenant_ids = new[] { _a, _c } })).Status);
        Assert.Equal(404, (await both("auto_accept/set", new { mode = "SELECTED_TENANTS", tenant_ids = new[] { Root } })).Status);

        await OkAsync(both, "auto_accept/set", new { mode = "DISABLED" });
        Assert.Equal(Expect((_a, false), (_b, false), (_c, true), (Root, true)), await OutcomesAsync(_a, _b, _c, Root));

        await OkAsync(both, "auto_accept/set", new { mode = "ALL_TENANTS" });
        Assert.Equal(Expect((_a, true), (_b, true), (_c, true)), await OutcomesAsync(_a, _b, _c));
    }

    [Fact]
    public async Task A_limited_connection_over_A_and_B_turns_on_only_its_own_tenants()
    {
        var both = await LimitedAsync("A and B admin", _a, _b);

        await OkAsync(both, "auto_accept/set", new { mode = "ALL_TENANTS" });

        Assert.Equal(Expect((_a, true), (_b, true), (_c, false), (Root, false)), await OutcomesAsync(_a, _b, _c, Root));
        var later = await TenantAsync("Delta");
        Assert.Equal(Expect((later, false)), await OutcomesAsync(later));
    }

    [Fact]
    public async Task All_tenants_from_an_every_tenant_connection_covers_a_tenant_created_afterwards_and_overrides_own_settings()
    {
        var bravo = await LimitedAsync("Bravo admin", _b);
        await OkAsync(bravo, "auto_accept/set", new { mode = "SELECTED_TENANTS", tenant_ids = new[] { _b } });
        await Mesh.OkAsync("auto_accept/set", new { mode = "ALL_TENANTS" }, caller: "admin");
        await OkAsync(bravo, "auto_accept/set", new { mode = "DISABLED" });

        await Mesh.OkAsync("auto_accept/set", new { mode = "ALL_TENANTS" }, caller: "admin");
        var later = await TenantAsync("Delta");

        Assert.Equal(Expect((_a, true), (_b, true), (later, true), (Root, true)), await OutcomesAsync(_a, _b, later, Root));

        await Mesh.OkAsync("auto_accept/set", new { mode = "SELECTED_TENANTS", tenant_ids = new[] { _c } }, caller: "admin");
        Assert.Equal(Expect((_a, false), (_b, false), (_c, true), (later, false), (Root, false)), await OutcomesAsync(_a, _b, _c, later, Root));

        await Mesh.OkAsync("auto_accept/set", new { mode = "DISABLED" }, caller: "admin");
        Assert.Equal(Expect((_c, false), (Root, false)), await OutcomesAsync(_c, Root));
    }

    [Fact]
    public async Task Get_shows_a_limited_connection_only_its_own_tenants_and_who_changed_them()
    {
        await Mesh.OkAsync("auto_accept/set", new { mode = "SELECTED_TENANTS", tenant_ids = new[] { _a, _b, Root } }, caller: "admin");
        var charlieAndA = await LimitedAsync("A and C admin", _a, _c);
        var bravo = await LimitedAsync("Bravo admin", _b);
        await OkAsync(bravo, "auto_accept/set", new { mode = "DISABLED" });

        var mine = await OkAsync(charlieAndA, "auto_accept/get", new { });
        var theirs = await OkAsync(bravo, "auto_accept/get", new { });
        var everything = await Mesh.OkAsync("auto_accept/get", new { }, caller: "admin");

        Assert.Equal("SELECTED_TENANTS", mine["mode"]!.GetValue<string>());
        Assert.Equal([_a], mine["tenant_ids"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("admin", mine["changed_by"]!.GetValue<string>());
        Assert.DoesNotContain(_b, mine.ToJsonString());
        Assert.DoesNotContain("Bravo admin", mine.ToJsonString());
        Assert.Equal("DISABLED", theirs["mode"]!.GetValue<string>());
        Assert.Equal("Bravo admin", theirs["changed_by"]!.GetValue<string>());
        Assert.DoesNotContain(_a, theirs.ToJsonString());
        Assert.Equal("SELECTED_TENANTS", everything["mode"]!.GetValue<string>());
        Assert.Equal(new[] { _a, Root }.Order(StringComparer.Ordinal), everything["tenant_ids"]!.AsArray().Select(t => t!.GetValue<string>()));
        var bravoEntry = everything["tenants"]!.AsArray().Single(t => t!["tenant_id"]!.GetValue<string>() == _b)!;
        Assert.Equal((false, 2, "Bravo admin"), (bravoEntry["enabled"]!.GetValue<bool>(), bravoEntry["version"]!.GetValue<int>(),
            bravoEntry["changed_by"]!.GetValue<string>()));
        Assert.False(everything["installation_default"]!["enabled"]!.GetValue<bool>());
    }
}
