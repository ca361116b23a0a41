namespace MdrMesh.EndToEnd.Tests;

/// <summary>
/// Many writers on one incident at once (proposals, their progress, comments, all auto-accepted):
/// the batching incident writer must lose nothing and keep each response's statuses in order.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class BusyIncidentTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson(Tenant))
{
    private const string Tenant = "tenant-busy";
    private const int Proposals = 40;
    private const int CommentCount = 20;

    protected override async Task SetUpAsync()
    {
        await Mesh.OkAsync("auto_accept/set", new { mode = "ALL_TENANTS" }, caller: "customer-admin");
    }

    [Fact]
    public async Task Concurrent_proposals_and_comments_on_one_incident_all_land_and_every_response_runs_once_in_order()
    {
        var incident = await Mesh.OpenIncidentAsync(Tenant);

        var proposals = Enumerable.Range(0, Proposals).Select(i => Mesh.ProposeAsync(incident, "GET_FILE",
            new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 10 }, asset: i % 2 == 0 ? "ws-1" : "ws-2"));
        var comments = Enumerable.Range(0, CommentCount).Select(i =>
            Mesh.OkAsync("comments/create", new { incident_id = incident, text = $"note {i}" }));
        var responses = await Task.WhenAll(proposals);
        await Task.WhenAll(comments);

        await Eventually.ReturnsAsync(() => Mesh.OkAsync("responses/list", new { incident_id = incident, page_size = 1000 }),
            list => list.AsArray().Count == Proposals && list.AsArray().All(r => r!["status"]!.GetValue<string>() == "Completed"),
            "every response Completed", seconds: 60);
        var history = (await Mesh.OkAsync("incidents/history", new { incident_id = incident, page_size = 1000 })).AsArray();
        foreach (var response in responses)
            Assert.Equal(["New", "Confirmed", "InProgress", "Completed"], history
                .Select(r => r!["entity"]!["incident_response"])
                .Where(r => r?["response_id"]?.GetValue<string>() == response)
                .Select(r => r!["status"]!.GetValue<string>()));
        var texts = (await Mesh.OkAsync("comments/list", new { incident_id = incident, page_size = 1000 })).AsArray()
            .Select(c => c!["text"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(Enumerable.Range(0, CommentCount).Select(i => $"note {i}").Order(), texts);
        // One record for the incident, four per response and one for the file it collected, one per comment: nothing recorded twice, nothing lost.
        Assert.Equal(1 + 5 * Proposals + CommentCount, history.Count);
        Assert.Equal(Proposals, history.Count(r => r!["entity"]!["incident_attachment"] is not null));
    }

    [Fact]
    public async Task An_incident_with_a_few_responses_is_rewritten_in_its_row_not_through_the_toast_table()
    {
        var before = await ToastRowsAsync();
        var incident = await Mesh.OpenIncidentAsync(Tenant);

        foreach (var i in Enumerable.Range(0, Responses))
            await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 10 },
                asset: i % 2 == 0 ? "ws-1" : "ws-2");
        await Eventually.ReturnsAsync(() => Mesh.OkAsync("responses/list", new { incident_id = incident }),
            list => list.AsArray().Count == Responses && list.AsArray().All(r => r!["status"]!.GetValue<string>() == "Completed"),
            "every response Completed", seconds: 60);

        // Compressed, it is above PostgreSQL's default 2 kB target (which moved it out of its row on every write) ...
        Assert.InRange(await ScalarAsync($"select pg_column_size(data) from incidents.mt_doc_incident where id = '{incident}'"), 2100, 4000);
        // ... and none of its writes left a value in the TOAST table.
        Assert.Equal(before, await ToastRowsAsync());
    }

    private const int Responses = 8;

    private async Task<long> ToastRowsAsync()
    {
        var toast = (string)(await QueryAsync("select reltoastrelid::regclass::text from pg_class where oid = 'incidents.mt_doc_incident'::regclass"))!;
        return await ScalarAsync($"select count(*) from {toast}");
    }

    private async Task<long> ScalarAsync(string sql) => Convert.ToInt64(await QueryAsync(sql));

    private async Task<object?> QueryAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Mesh.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
