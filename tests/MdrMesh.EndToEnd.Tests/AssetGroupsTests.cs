using Marten;
using MdrMesh.Approvals.AssetGrouping;
using MdrMesh.Approvals.Deciding;
using MdrMesh.Executor.Assets;
using Microsoft.Extensions.DependencyInjection;

namespace MdrMesh.EndToEnd.Tests;

/// <summary>A tenant's asset groups through the real gateway, and auto-accept rules that name them, decided on the assets' profiles the executor announces.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class AssetGroupsTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson(Tenant, Other))
{
    private const string Tenant = "tenant-groups";
    private const string Other = "tenant-groups-other";

    // ws-1 and ws-2 from the fleet file; the domain controller registered, tagged.
    protected override async Task SetUpAsync()
    {
        await Mesh.OkAsync("auto_accept/set", new { mode = "DISABLED" }, caller: "customer-admin");
        await Mesh.OkAsync("assets/register", new
        {
            asset_id = "dc-1", tenant_id = Tenant, host_name = "DC-1", domain = "corp.example", os = "Windows", tags = new[] { "domain-controller", "server" },
        });
    }

    [Fact]
    public async Task Given_an_accept_rule_on_the_workstations_group_a_file_collection_on_a_workstation_completes_and_the_domain_controller_waits()
    {
        var group = await Mesh.OkAsync("asset_groups/create", new { tenant_id = Tenant, name = "workstations", filter = new { host_name_pattern = "ws-*" } },
            caller: "customer-admin");
        var groupId = group["group_id"]!.GetValue<string>();
        var set = await Mesh.OkAsync("auto_accept/rules/set", new
        {
            tenant_id = Tenant,
            rules = new[] { new { name = "file collection on workstations", types = new[] { "GET_FILE" }, asset_groups = new[] { groupId }, action = "ACCEPT" } },
        }, caller: "customer-admin");
        Assert.Equal([groupId], set["rules"]![0]!["asset_groups"]!.AsArray().Select(g => g!.GetValue<string>()));
        // The approvals service has learnt both assets from the executor (the fleet file's, and the registered one).
        await ProfileAsync("ws-1", p => p is not null);
        await ProfileAsync("dc-1", p => p is not null);

        var incident = (await Mesh.OkAsync("incidents/create", new
        {
            summary = "Lateral movement", tenant_id = Tenant, affected_hosts = new[] { "WS-1:ws-1", "DC-1:dc-1" }, priority = "HIGH",
        }))["incident_id"]!.GetValue<string>();
        var collection = await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 });
        var isolation = await Mesh.ProposeAsync(incident, "ISOLATE", new { isolation_term_seconds = 3600 }, asset: "dc-1");
        var collectionOnDc = await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Windows\NTDS\ntds.dit", max_file_size_mb = 1 }, asset: "dc-1");

        await Mesh.WaitForStatusAsync(incident, collection, "Completed");
        Assert.Equal(
            [("New", "soc"), ("Confirmed", "auto-accepted by rule 1 'file collection on workstations', policy v1"), ("InProgress", "executor"), ("Completed", "executor")],
            await Mesh.ResponseHistoryAsync(incident, collection));
        // The domain controller is in no group of the rule: both its responses were decided on and left for a person.
        foreach (var waiting in new[] { isolation, collectionOnDc })
        {
            var decision = await Eventually.ReturnsAsync(() => DecisionAsync(waiting), d => d is not null, "the approvals service decided on the response");
            Assert.Equal(DecisionStatus.New, decision!.Status);
            Assert.Equal([("New", "soc")], await Mesh.ResponseHistoryAsync(incident, waiting));
        }
    }

    [Fact]
    public async Task Groups_are_created_listed_updated_and_deleted_by_name_unique_per_tenant_and_a_group_a_rule_names_stays()
    {
        var created = await Mesh.OkAsync("asset_groups/create", new
        {
            tenant_id = Other, name = "Domain controllers", critical = true,
            filter = new { os = new[] { "Windows" }, domain = new[] { "corp.example" }, host_name_pattern = "dc-?", tags = new[] { "domain-controller" } },
        }, caller: "alice");
        var id = created["group_id"]!.GetValue<string>();
        Assert.Equal((Other, "Domain controllers", true, "alice"), (created["tenant_id"]!.GetValue<string>(), created["name"]!.GetValue<string>(),
            created["critical"]!.GetValue<bool>(), created["updated_by"]!.GetValue<string>()));
        Assert.Equal("dc-?", created["filter"]!["host_name_pattern"]!.GetValue<string>());
        Assert.Equal(["corp.example"], created["filter"]!["domain"]!.AsArray().Select(d => d!.GetValue<string>()));
        var everything = (await Mesh.OkAsync("asset_groups/create", new { tenant_id = Other, name = "everything" }))["group_id"]!.GetValue<string>();

        // A name another group has, in any case, is a 409; so is renaming onto it.
        Assert.Equal(409, (await Mesh.CallAsync("asset_groups/create", new { tenant_id = Other, name = "DOMAIN CONTROLLERS" })).Status);
        Assert.Equal(409, (await Mesh.CallAsync("asset_groups/update", new { tenant_id = Other, group_id = everything, name = "domain controllers" })).Status);
        // The same name in another tenant is another group.
        await Mesh.OkAsync("asset_groups/create", new { tenant_id = Tenant, name = "Domain controllers" });

        var updated = await Mesh.OkAsync("asset_groups/update", new { tenant_id = Other, group_id = id, name = "DCs", critical = false }, caller: "bob");
        Assert.Equal(("DCs", false, "bob", "dc-?"), (updated["name"]!.GetValue<string>(), updated["critical"]!.GetValue<bool>(),
            updated["updated_by"]!.GetValue<string>(), updated["filter"]!["host_name_pattern"]!.GetValue<string>()));
        var list = (await Mesh.OkAsync("asset_groups/list", new { tenant_id = Other })).AsArray();
        Assert.Equal(["DCs", "everything"], list.Select(g => g!["name"]!.GetValue<string>()));
        Assert.Equal(["everything"], (await Mesh.OkAsync("asset_groups/list", new { tenant_id = Other, page = 2, page_size = 1 })).AsArray()
            .Select(g => g!["name"]!.GetValue<string>()));

        // A rule names the group: it stays until the rules no longer do.
        await Mesh.OkAsync("auto_accept/rules/set", new
        {
            tenant_id = Other, rules = new[] { new { name = "hold the DCs", asset_groups = new[] { id }, action = "MANUAL" } },
        });
        var (status, problem) = await Mesh.CallAsync("asset_groups/delete", new { tenant_id = Other, group_id = id });
        Assert.Equal(409, status);
        Assert.Contains("rule 1 'hold the DCs'", problem!["detail"]!.GetValue<string>());
        await Mesh.OkAsync("auto_accept/rules/set", new { tenant_id = Other, rules = Array.Empty<object>() });
        var deleted = await Mesh.OkAsync("asset_groups/delete", new { tenant_id = Other, group_id = id });
        Assert.Equal(id, deleted["group_id"]!.GetValue<string>());
        Assert.Equal(["everything"], (await Mesh.OkAsync("asset_groups/list", new { tenant_id = Other })).AsArray().Select(g => g!["name"]!.GetValue<string>()));
        Assert.Equal(404, (await Mesh.CallAsync("asset_groups/delete", new { tenant_id = Other, group_id = id })).Status);
    }

    [Fact]
    public async Task Rules_naming_a_group_the_tenant_does_not_have_and_bad_filters_are_400s_naming_the_field()
    {
        var theirs = (await Mesh.OkAsync("asset_groups/create", new { tenant_id = Other, name = "theirs" }))["group_id"]!.GetValue<string>();
        var before = await Mesh.OkAsync("auto_accept/rules/get", new { tenant_id = Tenant });

        var (status, problem) = await Mesh.CallAsync("auto_accept/rules/set", new
        {
            tenant_id = Tenant,
            rules = new[] { new { name = "other tenant's group", asset_groups = new[] { theirs, "" }, action = "ACCEPT" } },
        });
        Assert.Equal(400, status);
        Assert.Equal(["rules[0].asset_groups[0]", "rules[0].asset_groups[1]"], problem!["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Equal(before.ToJsonString(), (await Mesh.OkAsync("auto_accept/rules/get", new { tenant_id = Tenant })).ToJsonString());

        (status, problem) = await Mesh.CallAsync("asset_groups/create", new
        {
            tenant_id = Tenant, name = "",
            filter = new { os = new[] { "Windows", "BeOS" }, host_name_pattern = new string('*', 257), tags = Enumerable.Repeat("x", 65).ToArray() },
        });
        Assert.Equal(400, status);
        Assert.Equal(["filter.host_name_pattern", "filter.os[1]", "filter.tags", "name"],
            problem!["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
        (status, problem) = await Mesh.CallAsync("asset_groups/update", new { tenant_id = Tenant });
        Assert.Equal((400, "group_id"), (status, problem!["errors"]!.AsObject().Single().Key));
    }

    [Fact]
    public async Task Another_tenants_group_is_a_404_to_a_connection_of_one_tenant_and_to_the_soc_naming_another_tenant()
    {
        var theirs = (await Mesh.OkAsync("asset_groups/create", new { tenant_id = Tenant, name = $"t-{Guid.NewGuid():N}" }))["group_id"]!.GetValue<string>();
        var (clientId, refresh) = await Mesh.CreateConnectionAsync("groups-other-admin", ["RESPONSE_MANAGEMENT"], [Other]);
        var (access, _) = await Mesh.ConfirmAsync(clientId, refresh);

        var (namingTheirs, _) = await Mesh.RawCallAsync(clientId, "asset_groups/list", new { tenant_id = Tenant }, access);
        var (ownUpdate, _) = await Mesh.RawCallAsync(clientId, "asset_groups/update", new { group_id = theirs, name = "mine now" }, access);
        var (ownDelete, _) = await Mesh.RawCallAsync(clientId, "asset_groups/delete", new { group_id = theirs }, access);
        var (socOther, _) = await Mesh.CallAsync("asset_groups/delete", new { tenant_id = Other, group_id = theirs });
        var (notAnId, _) = await Mesh.CallAsync("asset_groups/update", new { tenant_id = Tenant, group_id = "not-a-group", critical = true });
        var (noGroupsYet, _) = await Mesh.CallAsync("asset_groups/delete", new { tenant_id = "tenant-groups-none", group_id = theirs });

        Assert.Equal((404, 404, 404, 404, 404, 404), (namingTheirs, ownUpdate, ownDelete, socOther, notAnId, noGroupsYet));
        Assert.Contains(theirs, (await Mesh.OkAsync("asset_groups/list", new { tenant_id = Tenant })).AsArray().Select(g => g!["group_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_assets_tags_show_and_select_and_its_profile_is_announced_again_only_when_it_changes()
    {
        var details = await Mesh.OkAsync("assets/details", new { asset_id = "dc-1" });
        Assert.Equal(["domain-controller", "server"], details["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        var tagged = await Mesh.OkAsync("assets/list", new { tags = new[] { "DOMAIN-CONTROLLER" }, tenants_names = new[] { Tenant } });
        Assert.Equal(["dc-1"], tagged.AsArray().Select(a => a!["asset_id"]!.GetValue<string>()));

        // Registered again with the same profile (another status): nothing new to announce; with another tag: announced.
        var register = new { asset_id = "dc-1", tenant_id = Tenant, host_name = "DC-1", domain = "corp.example", os = "Windows", status = "WARNING",
            tags = new[] { "domain-controller", "server" } };
        await Mesh.OkAsync("assets/register", register);
        Assert.Equal(1, await AnnouncementsAsync("dc-1"));
        await Mesh.OkAsync("assets/register", register with { tags = new[] { "domain-controller", "server", "tier-0" } });
        Assert.Equal(2, await AnnouncementsAsync("dc-1"));
        await ProfileAsync("dc-1", p => p?.Tags.Contains("tier-0") == true);
        // ws-1, from the fleet file, was announced once.
        Assert.Equal(1, await AnnouncementsAsync("ws-1"));
    }

    private async Task<int> AnnouncementsAsync(string assetId)
    {
        await using var query = Mesh.Service("Executor").Services.GetRequiredService<IDocumentStore>().QuerySession(Tenant);
        return (await query.Events.FetchStreamAsync(AnnouncedProfile.StreamIdOf(Tenant, assetId))).Count;
    }

    private Task<AssetProfile?> ProfileAsync(string assetId, Func<AssetProfile?, bool> condition) =>
        Eventually.ReturnsAsync(async () =>
        {
            await using var query = Mesh.Service("Approvals").Services.GetRequiredService<IDocumentStore>().QuerySession(Tenant);
            return await query.LoadAsync<AssetProfile>(assetId);
        }, condition, $"the approvals service knows {assetId}'s profile");

    private async Task<Decision?> DecisionAsync(string responseId)
    {
        await using var query = Mesh.Service("Approvals").Services.GetRequiredService<IDocumentStore>().QuerySession(Tenant);
        return await query.LoadAsync<Decision>(Guid.Parse(responseId));
    }
}
