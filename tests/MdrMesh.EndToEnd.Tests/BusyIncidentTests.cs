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
}
