namespace MdrMesh.EndToEnd.Tests;

/// <summary>
/// incidents/list and incidents/count answer every documented filter, sort and page from
/// PostgreSQL; incidents/history pages and filters by time; responses, comments and attachments
/// of an incident page in order; comments/delete finds its incident by the comment alone. Three
/// incidents in two tenants, each filter picking exactly its own.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class IncidentQueryTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson("t-a", "t-b"))
{
    private string _a = "", _b = "", _c = "";

    protected override async Task SetUpAsync()
    {
        _a = await OpenAsync("t-a", "Ransomware 100% on finance_share", "HIGH", "WS-1:ws-1");
        _b = await OpenAsync("t-a", "Phishing mail", "LOW", "WS-2:ws-2");
        _c = await OpenAsync("t-b", "Miner", "NORMAL", "ws-1");
        await Mesh.ProposeAsync(_a, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 });
        var isolation = await Mesh.ProposeAsync(_b, "ISOLATE", new { isolation_term_seconds = 600 }, asset: "ws-2");
        await Mesh.OkAsync("response/update", new { response_id = isolation, status = "Declined", comment = "Not now" }, caller: "customer-admin");
        await Mesh.WaitForStatusAsync(_b, isolation, "Declined");
        await Mesh.OkAsync("incidents/update", new { incident_id = _b, status = "On hold" });
    }

    private async Task<string> OpenAsync(string tenant, string summary, string priority, string host) =>
        (await Mesh.OkAsync("incidents/create", new { summary, tenant_id = tenant, priority, affected_hosts = new[] { host } }))["incident_id"]!
        .GetValue<string>();

    private async Task<List<string>> ListAsync(object filter) =>
        (await Mesh.OkAsync("incidents/list", filter)).AsArray().Select(i => i!["incident_id"]!.GetValue<string>()).ToList();

    private async Task<int> CountAsync(object filter) => (await Mesh.OkAsync("incidents/count", filter))["count"]!.GetValue<int>();

    [Fact]
    public async Task Each_filter_selects_exactly_the_incidents_it_names()
    {
        Assert.Equal([_b], await ListAsync(new { statuses = new[] { "On hold" } }));
        Assert.Equal([_a], await ListAsync(new { priorities = new[] { "HIGH" } }));
        Assert.Equal([_a], await ListAsync(new { response_statuses = new[] { "New" } }));
        Assert.Equal([_b], await ListAsync(new { response_statuses = new[] { "Declined", "Completed" } }));
        Assert.Equal([_b], await ListAsync(new { response_types = new[] { "ISOLATE" } }));
        Assert.Equal([_c, _a], await ListAsync(new { asset_ids = new[] { "ws-1" } }));
        Assert.Equal([_a], await ListAsync(new { affected_hosts = new[] { "WS-1:ws-1" } }));
        Assert.Equal([_c], await ListAsync(new { tenants_names = new[] { "t-b" } }));
        Assert.Equal([_a], await ListAsync(new { statuses = new[] { "Open" }, tenants_names = new[] { "t-a" } }));
        Assert.Empty(await ListAsync(new { statuses = new[] { "Closed" } }));

        // The phrase is literal text: % and _ are characters, not wildcards.
        Assert.Equal([_a], await ListAsync(new { search_phrase = "%" }));
        Assert.Equal([_a], await ListAsync(new { search_phrase = "FINANCE_SHARE" }));
        Assert.Equal([_c], await ListAsync(new { search_phrase = "miner" }));
        Assert.Empty(await ListAsync(new { search_phrase = "_mail" }));
        // Text that would break out of a quoted SQL string is only text: bound as a parameter, it matches nothing.
        Assert.Empty(await ListAsync(new { search_phrase = "x' or '1'='1" }));
        Assert.Equal(0, await CountAsync(new { asset_ids = new[] { "\"]' or true --" }, mitre_techniques = new[] { "T1') or (true" } }));
        // A filter with a fixed set of values refuses anything else outright.
        var (status, problem) = await Mesh.CallAsync("incidents/count", new { response_statuses = new[] { "New') or (true" } });
        Assert.Equal(400, status);
        Assert.NotNull(problem!["errors"]!["response_statuses[0]"]);

        Assert.Equal(2, await CountAsync(new { asset_ids = new[] { "ws-1" } }));
        Assert.Equal(3, await CountAsync(new { }));
        Assert.Equal(0, await CountAsync(new { response_types = new[] { "RUN_SCRIPT" } }));
    }

    [Fact]
    public async Task Times_sort_and_pages_are_applied_by_the_store()
    {
        var all = (await Mesh.OkAsync("incidents/list", new { })).AsArray().Select(i => i!).ToList();
        Assert.Equal([_c, _b, _a], all.Select(Id));
        Assert.Equal([_a, _b, _c], await ListAsync(new { sort = "creation_time:asc" }));
        Assert.Equal([_b], await ListAsync(new { sort = "creation_time:asc", page = 2, page_size = 1 }));
        Assert.Empty(await ListAsync(new { page = 4, page_size = 1 }));

        // B changed last (its status), so it leads by update time.
        Assert.Equal(_b, (await ListAsync(new { sort = "update_time:desc" }))[0]);

        long Created(string id) => all.Single(i => Id(i) == id)["creation_time"]!.GetValue<long>();
        Assert.Equal([_c, _b], await ListAsync(new { min_creation_time = Created(_b) }));
        Assert.Equal([_b, _a], await ListAsync(new { max_creation_time = Created(_b) }));
        Assert.Equal([_b], await ListAsync(new { min_creation_time = Created(_b), max_creation_time = Created(_b) }));
        Assert.Equal(3, await CountAsync(new { min_creation_time = long.MinValue, max_creation_time = long.MaxValue, max_update_time = long.MaxValue }));
    }

    [Fact]
    public async Task History_pages_and_time_bounds_come_in_version_order()
    {
        var history = await Mesh.HistoryAsync(_b);
        Assert.True(history.Count >= 4, "opened, isolation proposed, declined, put on hold");
        var second = (await Mesh.OkAsync("incidents/history", new { incident_id = _b, page = 2, page_size = 2 })).AsArray();
        Assert.Equal(history.Skip(2).Take(2).Select(r => r!.ToJsonString()), second.Select(r => r!.ToJsonString()));

        var at = history[1]!["changed_at"]!.GetValue<long>();
        var since = (await Mesh.OkAsync("incidents/history", new { incident_id = _b, min_record_time = at, max_record_time = at })).AsArray();
        Assert.Equal(history.Where(r => r!["changed_at"]!.GetValue<long>() == at).Select(r => r!.ToJsonString()), since.Select(r => r!.ToJsonString()));
        Assert.Empty((await Mesh.OkAsync("incidents/history", new { incident_id = _b, max_record_time = long.MinValue })).AsArray());
    }

    [Fact]
    public async Task A_comment_is_deleted_by_its_id_alone()
    {
        var comment = (await Mesh.OkAsync("comments/create", new { incident_id = _c, text = "Looking into it" }))["comment_id"]!.GetValue<string>();

        await Mesh.OkAsync("comments/delete", new { comment_id = comment });

        Assert.Empty((await Mesh.OkAsync("comments/list", new { incident_id = _c })).AsArray());
        Assert.Equal(404, (await Mesh.CallAsync("comments/delete", new { comment_id = comment })).Status);
    }

    [Fact]
    public async Task Responses_comments_and_attachments_of_an_incident_come_a_page_at_a_time_in_their_order()
    {
        var incident = await OpenAsync("t-a", "Busy incident", "NORMAL", "WS-1:ws-1");
        List<string> responses = [], comments = [], attachments = [];
        for (var i = 1; i <= 5; i++)
        {
            responses.Add(await Mesh.ProposeAsync(incident, "GET_FILE", new { path = $@"C:\Users\alice\file{i}.exe", max_file_size_mb = 1 }));
            comments.Add((await Mesh.OkAsync("comments/create", new { incident_id = incident, text = $"note {i}" }))["comment_id"]!.GetValue<string>());
            var (status, uploaded) = await Mesh.CallAsync("attachments/upload", Flow.Upload(incident, $"file{i}.txt", [(byte)i]));
            Assert.Equal(200, status);
            attachments.Add(uploaded!["attachment_id"]!.GetValue<string>());
        }

        foreach (var (method, key, ids) in new[]
                 {
                     ("responses/list", "response_id", responses), ("comments/list", "comment_id", comments),
                     ("attachments/list", "attachment_id", attachments),
                 })
        {
            async Task<List<string>> PageAsync(object body) =>
                (await Mesh.OkAsync(method, body)).AsArray().Select(item => item![key]!.GetValue<string>()).ToList();
            Assert.Equal(ids, await PageAsync(new { incident_id = incident }));
            Assert.Equal(ids.Skip(2).Take(2), await PageAsync(new { incident_id = incident, page = 2, page_size = 2 }));
            Assert.Equal([ids[4]], await PageAsync(new { incident_id = incident, page = 3, page_size = 2 }));
            Assert.Empty(await PageAsync(new { incident_id = incident, page = 4, page_size = 2 }));
        }

        // Listing a page marks that page read for the reader, and nothing else; each item shows whether it was read before.
        var second = (await Mesh.OkAsync("comments/list", new { incident_id = incident, page = 2, page_size = 2 }, caller: "customer")).AsArray();
        Assert.All(second, c => Assert.False(c!["was_read"]!.GetValue<bool>()));
        var all = (await Mesh.OkAsync("comments/list", new { incident_id = incident }, caller: "customer")).AsArray();
        Assert.Equal([false, false, true, true, false], all.Select(c => c!["was_read"]!.GetValue<bool>()));

        // Only in the tenants the caller reaches: an incident of another tenant is not there (404), one of its own is.
        var (clientId, refresh) = await Mesh.CreateConnectionAsync("t-b reader", ["INCIDENT_ACCESS"], ["t-b"]);
        var (access, _) = await Mesh.ConfirmAsync(clientId, refresh);
        foreach (var method in new[] { "responses/list", "comments/list", "attachments/list" })
        {
            Assert.Equal(404, (await Mesh.RawCallAsync(clientId, method, new { incident_id = incident }, access)).Status);
            Assert.Equal(200, (await Mesh.RawCallAsync(clientId, method, new { incident_id = _c }, access)).Status);
        }
    }

    private static string Id(JsonNode incident) => incident["incident_id"]!.GetValue<string>();
}
