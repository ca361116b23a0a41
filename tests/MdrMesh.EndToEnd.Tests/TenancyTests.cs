namespace MdrMesh.EndToEnd.Tests;

/// <summary>Two tenants with the same asset ids: their incidents, responses and history never mix.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class TenancyTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson("tenant-x", "tenant-y"))
{
    protected override async Task SetUpAsync()
    {
        await Mesh.OkAsync("auto_accept/set", new { mode = "ALL_TENANTS" }, caller: "customer-admin");
    }

    [Fact]
    public async Task The_auto_accept_history_shows_a_customer_only_the_switches_that_decide_for_their_tenants()
    {
        await Mesh.OkAsync("auto_accept/set", new { mode = "SELECTED_TENANTS", tenant_ids = new[] { "tenant-x", "tenant-y" } });
        await Mesh.OkAsync("auto_accept/set", new { mode = "DISABLED" });
        var (clientId, refresh) = await Mesh.CreateConnectionAsync("customer-x", ["RESPONSE_MANAGEMENT"], ["tenant-x"]);
        var (access, _) = await Mesh.ConfirmAsync(clientId, refresh);

        var (status, history) = await Mesh.RawCallAsync(clientId, "auto_accept/history", new { }, access);

        Assert.Equal(200, status);
        var changes = history!.AsArray().Select(c => (c!["tenant_id"]?.GetValue<string>(), c["version"]!.GetValue<long>(), c["enabled"]!.GetValue<bool>())).ToList();
        // Latest first: tenant-x's switch on (v1), then off (v2), and the installation default's (which decides for
        // tenants without a switch of their own); nothing of tenant-y's.
        Assert.Equal([("tenant-x", 2L, false), ("tenant-x", 1L, true)], changes.Where(c => c.Item1 is not null));
        Assert.Contains(changes, c => c.Item1 is null);
        Assert.All(history.AsArray().Where(c => c!["tenant_id"] is not null), c => Assert.Equal("soc", c!["changed_by"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Asset_details_of_an_id_both_tenants_use_answer_each_customer_with_their_own_asset()
    {
        async Task<long> InvoiceSize(string tenant)
        {
            var (clientId, refresh) = await Mesh.CreateConnectionAsync($"assets-{tenant}", ["INCIDENT_ACCESS"], [tenant]);
            var (access, _) = await Mesh.ConfirmAsync(clientId, refresh);
            var (status, asset) = await Mesh.RawCallAsync(clientId, "assets/details", new { asset_id = "ws-1" }, access);
            Assert.Equal(200, status);
            Assert.Equal(tenant, asset!["tenant_name"]!.GetValue<string>());
            return asset["files"]!.AsArray().Single(f => f!["path"]!.GetValue<string>().EndsWith("invoice.exe"))!["size_bytes"]!.GetValue<long>();
        }

        // The fleet gives tenant-x's ws-1 an invoice of 2048 bytes, tenant-y's one of 4096.
        Assert.Equal(2048, await InvoiceSize("tenant-x"));
        Assert.Equal(4096, await InvoiceSize("tenant-y"));
        // The SOC reaches both: the first tenant by id, every time.
        Assert.Equal("tenant-x", (await Mesh.OkAsync("assets/details", new { asset_id = "ws-1" }))["tenant_name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Incidents_responses_and_history_stay_within_their_tenant()
    {
        var x = await Mesh.OpenIncidentAsync("tenant-x", "Same summary");
        var y = await Mesh.OpenIncidentAsync("tenant-y", "Same summary");
        var onX = await Mesh.ProposeAsync(x, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 });
        var onY = await Mesh.ProposeAsync(y, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 });

        // Same asset id, same path: each tenant's own endpoint answered.
        Assert.Equal("2048", (await Mesh.WaitForStatusAsync(x, onX, "Completed"))["details"]!["size_bytes"]!.GetValue<string>());
        Assert.Equal("4096", (await Mesh.WaitForStatusAsync(y, onY, "Completed"))["details"]!["size_bytes"]!.GetValue<string>());

        var listX = (await Mesh.OkAsync("incidents/list", new { tenants_names = new[] { "tenant-x" } })).AsArray();
        Assert.Equal([x], listX.Select(i => i!["incident_id"]!.GetValue<string>()));
        Assert.Equal([onX], listX[0]!["responses"]!.AsArray().Select(r => r!["response_id"]!.GetValue<string>()));
        Assert.Equal(1, (await Mesh.OkAsync("incidents/count", new { tenants_names = new[] { "tenant-y" } }))["count"]!.GetValue<int>());
        Assert.Equal(2, (await Mesh.OkAsync("incidents/count", new { }))["count"]!.GetValue<int>());
        Assert.Equal([onY], (await Mesh.OkAsync("responses/list", new { incident_id = y })).AsArray().Select(r => r!["response_id"]!.GetValue<string>()));

        var historyX = (await Mesh.HistoryAsync(x)).ToJsonString();
        Assert.Contains(onX, historyX);
        Assert.DoesNotContain(onY, historyX);
        Assert.DoesNotContain("4096", historyX);
    }
}
