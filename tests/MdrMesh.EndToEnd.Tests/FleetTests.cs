namespace MdrMesh.EndToEnd.Tests;

/// <summary>
/// Every response type proposed, accepted and observed to change (or refuse to change) its asset,
/// through the API, with the outcome in the incident's history. Each test registers assets of its
/// own through assets/register, so tests do not share state.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class FleetTests(Infrastructure infrastructure) : MeshTests(infrastructure)
{
    private const string Tenant = "tenant-fleet";
    private const string Sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private const string Md5 = "098f6bcd4621d373cade4e832627b4f6";

    protected override Dictionary<string, string?> Settings => new()
        {
            ["Executor:SweepInterval"] = "00:00:00.2",
            ["Executor:AssetWaitLimit"] = "01:00:00",
        };

    protected override async Task SetUpAsync()
    {
        await Mesh.OkAsync("auto_accept/set", new { mode = "ALL_TENANTS" });
    }

    /// <summary>Registers a new asset, or (with <paramref name="id"/>) registers an existing one again with this state.</summary>
    private async Task<string> RegisterAsync(string? id = null, string os = "Windows", bool powershell = true, string status = "OK")
    {
        id ??= $"{os.ToLowerInvariant()}-{Guid.NewGuid():N}"[..20];
        await Mesh.OkAsync("assets/register", new
        {
            asset_id = id, tenant_id = Tenant, host_name = id.ToUpperInvariant(), domain = "corp.example", os, os_version = $"{os} 11",
            product = "Endpoint Agent", product_version = "12.5", powershell, status,
            network_interfaces = new[] { new { ip = "10.1.2.3", mac = "00:11:22:33:44:55" } },
            files = new[] { new { path = os == "Windows" ? @"C:\Users\bob\payload.exe" : "/tmp/payload", size_bytes = 5 * 1024 * 1024, sha256 = Sha, md5 = Md5 } },
            processes = new[]
            {
                new { pid = 4242, unique_id = "4242-7", image_path = @"C:\Users\bob\payload.exe", sha256 = Sha, md5 = Md5, memory_mb = 150 },
                new { pid = 600, unique_id = "600-1", image_path = @"C:\Windows\System32\svchost.exe", sha256 = Sha, md5 = Md5, memory_mb = 80 },
            },
            registry = new object[]
            {
                new { key = @"HKEY_LOCAL_MACHINE\SOFTWARE\Payload", values = new Dictionary<string, string> { [""] = "on", ["Autorun"] = "payload.exe" } },
                new { key = @"HKEY_LOCAL_MACHINE\SOFTWARE\Payload\Config", values = new Dictionary<string, string> { ["Mode"] = "1" } },
                new { key = @"HKEY_LOCAL_MACHINE\SOFTWARE\Payload\Shared", values = new Dictionary<string, string>(), link_target = @"HKEY_LOCAL_MACHINE\SOFTWARE\Common" },
                new { key = @"HKEY_LOCAL_MACHINE\SOFTWARE\Common", values = new Dictionary<string, string> { ["Keep"] = "1" } },
            },
        });
        return id;
    }

    private async Task<string> IncidentOnAsync(string asset) =>
        (await Mesh.OkAsync("incidents/create", new { summary = "Payload", tenant_id = Tenant, affected_hosts = new[] { $"HOST:{asset}" } }))["incident_id"]!
        .GetValue<string>();

    private Task<JsonNode> AssetAsync(string asset) => Mesh.OkAsync("assets/details", new { asset_id = asset });

    /// <summary>Proposes, lets auto-accept accept it, and waits for Completed or Failed.</summary>
    private async Task<(string Incident, string Response, JsonNode Done)> RunAsync(string asset, string type, object parameters, string? incident = null)
    {
        incident ??= await IncidentOnAsync(asset);
        var response = await Mesh.ProposeAsync(incident, type, parameters, asset);
        var done = await Eventually.ReturnsAsync(() => Mesh.ResponseAsync(incident, response),
            r => r["status"]!.GetValue<string>() is "Completed" or "Failed", $"{type} finished");
        return (incident, response, done);
    }

    private static string? ReasonCode(JsonNode response) => response["details"]!["reason_code"]?.GetValue<string>();

    [Theory]
    [InlineData("Windows", "GET_FILE", """{"path":"C:\\Users\\bob\\payload.exe","max_file_size_mb":10}""", null)]
    [InlineData("Windows", "GET_FILE", """{"path":"C:\\Users\\bob\\payload.exe","max_file_size_mb":4}""", "FILE_TOO_LARGE")]
    [InlineData("Windows", "GET_FILE", """{"path":"C:\\nothing.exe","max_file_size_mb":4}""", "FILE_NOT_FOUND")]
    [InlineData("Windows", "DELETE_REGISTRY_KEY", """{"key":"HKEY_LOCAL_MACHINE\\SOFTWARE\\Missing"}""", "REGISTRY_KEY_NOT_FOUND")]
    [InlineData("Windows", "DELETE_REGISTRY_KEY", """{"key":"HKEY_LOCAL_MACHINE\\SOFTWARE\\Common","value":""}""", "REGISTRY_VALUE_NOT_FOUND")]
    [InlineData("Windows", "MEMORY_DUMP", """{"dump_type":"Full","max_file_size_mb":500}""", null)]
    [InlineData("Windows", "MEMORY_DUMP", """{"dump_type":"Full","max_file_size_mb":100,"process_count_limit":1}""", "FILE_TOO_LARGE")]
    [InlineData("Windows", "MEMORY_DUMP", """{"dump_type":"Process","max_file_size_mb":200,"process":{"image":{"path":"C:\\Users\\bob\\payload.exe","sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},"unique_id":"4242-7"}}""", null)]
    [InlineData("Windows", "MEMORY_DUMP", """{"dump_type":"Process","process":{"image":{"path":"C:\\Users\\bob\\payload.exe","md5":"00000000000000000000000000000000"},"unique_id":"4242-7"}}""", "HASH_MISMATCH")]
    [InlineData("Windows", "MEMORY_DUMP", """{"dump_type":"Process","process":{"image":{"path":"C:\\x.exe"},"unique_id":"1-1"}}""", "PROCESS_NOT_FOUND")]
    [InlineData("Linux", "TERMINATE_PROCESS", """{"pid":4242}""", "UNSUPPORTED_PLATFORM")]
    [InlineData("Windows", "TERMINATE_PROCESS", """{"process_name":"calc.exe"}""", "PROCESS_NOT_FOUND")]
    [InlineData("Windows", "RUN_SCRIPT", """{"script":"Get-Process","description":"list"}""", null)]
    [InlineData("Linux", "RUN_SCRIPT", """{"script":"Get-Process","description":"list"}""", "UNSUPPORTED_PLATFORM")]
    [InlineData("WindowsWithoutPowerShell", "RUN_SCRIPT", """{"script":"Get-Process","description":"list"}""", "POWERSHELL_MISSING")]
    [InlineData("Windows", "QUARANTINE_FILE", """{"path":"C:\\Users\\bob\\payload.exe","md5":"ffffffffffffffffffffffffffffffff"}""", "HASH_MISMATCH")]
    [InlineData("Windows", "RESTORE_FROM_QUARANTINE", """{"path":"C:\\Users\\bob\\payload.exe"}""", "NOT_IN_QUARANTINE")]
    public async Task Each_response_type_completes_or_fails_with_its_reason_in_history(string kind, string type, string parameters, string? reason)
    {
        var asset = await RegisterAsync(os: kind == "WindowsWithoutPowerShell" ? "Windows" : kind, powershell: kind != "WindowsWithoutPowerShell");

        var (incident, response, done) = await RunAsync(asset, type, JsonNode.Parse(parameters)!);

        Assert.Equal(reason is null ? "Completed" : "Failed", done["status"]!.GetValue<string>());
        Assert.Equal(reason, ReasonCode(done));
        var last = (await Mesh.ResponseHistoryAsync(incident, response)).Last();
        Assert.Equal(done["status"]!.GetValue<string>(), last.Status);
        if (reason is not null) Assert.False(string.IsNullOrEmpty(done["details"]!["reason"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Terminating_a_process_removes_it_from_the_asset()
    {
        var asset = await RegisterAsync();

        var (_, _, done) = await RunAsync(asset, "TERMINATE_PROCESS", new { process_name = "payload.exe" });

        Assert.Equal("4242", done["details"]!["terminated_pids"]!.GetValue<string>());
        Assert.Equal([600], (await AssetAsync(asset))["processes"]!.AsArray().Select(p => p!["pid"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Deleting_a_key_recursively_keeps_the_target_of_a_linked_subkey()
    {
        var asset = await RegisterAsync();

        await RunAsync(asset, "DELETE_REGISTRY_KEY", new { key = @"HKEY_LOCAL_MACHINE\SOFTWARE\Payload" });

        var keys = (await AssetAsync(asset))["registry"]!.AsArray().Select(k => k!["key"]!.GetValue<string>()).ToList();
        Assert.Equal([@"HKEY_LOCAL_MACHINE\SOFTWARE\Common"], keys);
    }

    [Fact]
    public async Task Deleting_the_default_value_keeps_the_key_and_its_named_values()
    {
        var asset = await RegisterAsync();

        await RunAsync(asset, "DELETE_REGISTRY_KEY", new { key = @"HKEY_LOCAL_MACHINE\SOFTWARE\Payload", value = "" });

        var key = (await AssetAsync(asset))["registry"]!.AsArray().Single(k => k!["key"]!.GetValue<string>() == @"HKEY_LOCAL_MACHINE\SOFTWARE\Payload")!;
        Assert.Equal(["Autorun"], key["values"]!.AsObject().Select(v => v.Key));
    }

    [Fact]
    public async Task Isolation_shows_on_the_asset_and_disabling_it_links_the_two_responses()
    {
        var asset = await RegisterAsync();
        var (incident, isolate, _) = await RunAsync(asset, "ISOLATE", new { isolation_term_seconds = 3600 });
        var isolated = await AssetAsync(asset);
        Assert.True(isolated["isolation"]!.GetValue<bool>());
        Assert.Equal((await Mesh.ResponseAsync(incident, isolate))["parameters"]!["task_id"]!.GetValue<string>(),
            isolated["isolation_task_id"]!.GetValue<string>());
        Assert.Equal(1, (await Mesh.OkAsync("assets/count", new { is_isolated = true, host_names = new[] { asset.ToUpperInvariant() } }))["count"]!.GetValue<int>());

        var (_, disable, _) = await RunAsync(asset, "DISABLE_ISOLATION", new { }, incident);

        Assert.False((await AssetAsync(asset))["isolation"]!.GetValue<bool>());
        var undone = await Eventually.ReturnsAsync(() => Mesh.ResponseAsync(incident, isolate), r => r["undone_by"] is not null, "the isolation's undo");
        Assert.Equal((disable, "ISOLATION_DISABLED"), (undone["undone_by"]!["response_id"]!.GetValue<string>(), undone["undone_by"]!["reason"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_isolation_replaced_from_another_incident_is_undone_by_the_new_one_and_history_records_it_once()
    {
        var asset = await RegisterAsync();
        var (first, isolate, _) = await RunAsync(asset, "ISOLATE", new { isolation_term_seconds = 3600 });
        var (second, again, _) = await RunAsync(asset, "ISOLATE", new { isolation_term_seconds = 7200 }, await IncidentOnAsync(asset));

        var undone = await Eventually.ReturnsAsync(() => Mesh.ResponseAsync(first, isolate), r => r["undone_by"] is not null, "the first isolation's undo");
        Assert.Equal((again, "ISOLATION_REPLACED"), (undone["undone_by"]!["response_id"]!.GetValue<string>(), undone["undone_by"]!["reason"]!.GetValue<string>()));
        Assert.Equal("Completed", undone["status"]!.GetValue<string>());
        Assert.Null((await Mesh.ResponseAsync(second, again))["undone_by"]);
        Assert.True((await AssetAsync(asset))["isolation"]!.GetValue<bool>());
        var undos = (await Mesh.HistoryAsync(first)).Count(r => r!["changes"]!.AsArray().Any(c => c!["field"]!.GetValue<string>() == "undone_by"));
        Assert.Equal(1, undos);
    }

    [Fact]
    public async Task An_isolation_lifts_when_its_term_ends_and_history_records_it_once()
    {
        var asset = await RegisterAsync();
        var (incident, isolate, _) = await RunAsync(asset, "ISOLATE", new { isolation_term_seconds = 600 });

        Mesh.Clock.Advance(TimeSpan.FromSeconds(601));

        var lifted = await Eventually.ReturnsAsync(() => Mesh.ResponseAsync(incident, isolate), r => r["undone_by"] is not null, "the isolation expiry");
        Assert.Equal("ISOLATION_EXPIRED", lifted["undone_by"]!["reason"]!.GetValue<string>());
        Assert.Null(lifted["undone_by"]!["response_id"]);
        Assert.False((await AssetAsync(asset))["isolation"]!.GetValue<bool>());
        // A later flow through the same queues: once it is done, any repeat of the expiry would have landed.
        await RunAsync(asset, "DISABLE_ISOLATION", new { }, incident);
        var expiries = (await Mesh.HistoryAsync(incident)).Count(r => r!["changes"]!.AsArray().Any(c => c!["field"]!.GetValue<string>() == "undone_by"));
        Assert.Equal(1, expiries);
    }

    [Fact]
    public async Task Quarantine_moves_the_file_and_restore_brings_it_back_linking_the_two()
    {
        var asset = await RegisterAsync();
        var incident = await IncidentOnAsync(asset);
        var (_, quarantine, _) = await RunAsync(asset, "QUARANTINE_FILE", new { path = @"C:\Users\bob\payload.exe", sha256 = Sha }, incident);
        var quarantined = await AssetAsync(asset);
        Assert.Empty(quarantined["files"]!.AsArray());
        Assert.Equal(quarantine, Assert.Single(quarantined["quarantine"]!.AsArray())!["response_id"]!.GetValue<string>());

        var (_, restore, done) = await RunAsync(asset, "RESTORE_FROM_QUARANTINE", new { path = @"C:\Users\bob\payload.exe" }, incident);

        Assert.Equal("Completed", done["status"]!.GetValue<string>());
        Assert.Single((await AssetAsync(asset))["files"]!.AsArray());
        var undone = await Eventually.ReturnsAsync(() => Mesh.ResponseAsync(incident, quarantine), r => r["undone_by"] is not null, "the quarantine's undo");
        Assert.Equal(restore, undone["undone_by"]!["response_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_restore_onto_a_file_of_the_same_name_changes_nothing()
    {
        var asset = await RegisterAsync();
        var incident = await IncidentOnAsync(asset);
        await RunAsync(asset, "QUARANTINE_FILE", new { path = @"C:\Users\bob\payload.exe", md5 = Md5 }, incident);
        // Someone put a new file of that name back in place.
        await RegisterAsync(asset);
        var before = await AssetAsync(asset);

        var (_, _, done) = await RunAsync(asset, "RESTORE_FROM_QUARANTINE", new { path = @"C:\Users\bob\payload.exe" }, incident);

        Assert.Equal("RESTORE_TARGET_EXISTS", ReasonCode(done));
        Assert.Equal(before["quarantine"]!.ToJsonString(), (await AssetAsync(asset))["quarantine"]!.ToJsonString());
    }

    [Fact]
    public async Task A_response_on_an_offline_asset_waits_for_it_and_runs_when_it_is_back()
    {
        var asset = await RegisterAsync(status: "OFFLINE");
        var incident = await IncidentOnAsync(asset);
        var response = await Mesh.ProposeAsync(incident, "ISOLATE", new { isolation_term_seconds = 60 }, asset);
        await Mesh.WaitForStatusAsync(incident, response, "InProgress");

        await RegisterAsync(asset, status: "OK");

        await Mesh.WaitForStatusAsync(incident, response, "Completed");
        Assert.True((await AssetAsync(asset))["isolation"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_response_on_an_asset_that_stays_offline_fails_after_the_wait_limit()
    {
        var asset = await RegisterAsync(os: "macOS", status: "ABSENT");
        var incident = await IncidentOnAsync(asset);
        var response = await Mesh.ProposeAsync(incident, "GET_FILE", new { path = "/tmp/payload", max_file_size_mb = 10 }, asset);
        await Mesh.WaitForStatusAsync(incident, response, "InProgress");

        Mesh.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));

        var failed = await Mesh.WaitForStatusAsync(incident, response, "Failed");
        Assert.Equal("ASSET_UNREACHABLE", ReasonCode(failed));
    }

    [Fact]
    public async Task Assets_are_listed_counted_and_detailed_in_the_MDR_dialect()
    {
        var windows = await RegisterAsync();
        var offline = await RegisterAsync(os: "Linux", status: "OFFLINE");

        var details = await AssetAsync(windows);
        var offlineOnes = (await Mesh.OkAsync("assets/list", new { statuses = new[] { "OFFLINE" }, tenants_names = new[] { Tenant } })).AsArray();

        foreach (var field in new[] { "asset_id", "domain", "first_seen", "host_name", "installed_product_info", "isolation", "isolation_task_id",
                     "ksc_host_id", "last_seen", "network_interfaces", "os_version", "status", "tenant_name" })
            Assert.True(details.AsObject().ContainsKey(field), field);
        Assert.Equal("10.1.2.3", details["network_interfaces"]![0]!["ip"]!.GetValue<string>());
        Assert.Contains(offline, offlineOnes.Select(a => a!["asset_id"]!.GetValue<string>()));
        Assert.DoesNotContain(windows, offlineOnes.Select(a => a!["asset_id"]!.GetValue<string>()));
        Assert.Equal(1, (await Mesh.OkAsync("assets/count", new { search_phrase = windows }))["count"]!.GetValue<int>());
        Assert.Equal(404, (await Mesh.CallAsync("assets/details", new { asset_id = "no-such-asset" })).Status);
    }

    [Fact]
    public async Task Every_asset_filter_selects_exactly_the_assets_it_names()
    {
        var windows = await RegisterAsync();
        var linux = await RegisterAsync(os: "Linux", status: "OFFLINE");
        var (incident, _, _) = await RunAsync(windows, "GET_FILE", new { path = @"C:\Users\bob\payload.exe", max_file_size_mb = 10 });
        var first = (await AssetAsync(windows))["first_seen"]!.GetValue<long>();

        async Task<string[]> Matching(object filter) =>
            (await Mesh.OkAsync("assets/list", filter)).AsArray().Select(a => a!["asset_id"]!.GetValue<string>()).Where(id => id == windows || id == linux).ToArray();

        Assert.Equal([windows], await Matching(new { related_incidents_ids = new[] { incident, "not-a-guid" } }));
        Assert.Empty(await Matching(new { related_incidents_ids = new[] { Guid.NewGuid().ToString() } }));
        Assert.Equal([linux], await Matching(new { statuses = new[] { "OFFLINE" } }));
        Assert.Equal([linux], await Matching(new { os_version = "LINUX" }));
        Assert.Equal([windows], await Matching(new { host_names = new[] { windows } }));
        Assert.Equal(2, (await Matching(new { domain = "CORP.example", product = "agent", network_interface = "00:11:22:33:44:55" })).Length);
        Assert.Equal(2, (await Matching(new { network_interface = "10.1.2.3", min_first_seen = first - 60_000 })).Length);
        Assert.Empty(await Matching(new { max_first_seen = first - 60_000 }));
        Assert.Empty(await Matching(new { product = "%" }));
        Assert.Equal(1, (await Mesh.OkAsync("assets/count", new { search_phrase = linux, is_isolated = false }))["count"]!.GetValue<int>());
        Assert.Equal(0, (await Mesh.OkAsync("assets/count", new { search_phrase = linux, is_isolated = true }))["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Registering_a_bad_asset_names_every_bad_field()
    {
        var (status, problem) = await Mesh.CallAsync("assets/register", new
        {
            asset_id = "x", os = "BeOS", status = "SLEEPY",
            files = new[] { new { path = "relative.exe", size_bytes = 1, sha256 = "abc", md5 = Md5 } },
            registry = new[] { new { key = @"HKEY_CURRENT_USER\Run" } },
        });

        Assert.Equal(400, status);
        Assert.Equal(["files[0].path", "files[0].sha256", "host_name", "os", "registry[0].key", "status"],
            problem!["errors"]!.AsObject().Select(e => e.Key).Order());
    }
}
