namespace MdrMesh.Security.Tests;

/// <summary>
/// A connection is its immutable id: names are unique (ignoring case), and authorship and history
/// go by the id, shown beside the name.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class IdentityTests(Infrastructure infrastructure) : MeshTests(infrastructure)
{
    private string _tenant = "";

    protected override async Task SetUpAsync()
    {
        _tenant = (await Mesh.OkAsync("tenants/create", new { name = "Own Ltd" }))["tenant_id"]!.GetValue<string>();
        await Mesh.OkAsync("assets/register", new { asset_id = "ws-1", tenant_id = _tenant, host_name = "WS-1" });
    }

    private async Task<(string ClientId, string Token)> ConnectAsync(string name, string rights)
    {
        var (clientId, refresh) = await Mesh.CreateConnectionAsync(name, [rights], [_tenant]);
        return (clientId, (await Mesh.ConfirmAsync(clientId, refresh)).Access);
    }

    private async Task<string> IncidentAsync() =>
        (await Mesh.OkAsync("incidents/create", new { summary = "Miner", affected_hosts = new[] { "WS-1:ws-1" }, tenant_id = _tenant }))
            ["incident_id"]!.GetValue<string>();

    [Fact]
    public async Task No_connection_takes_the_authors_name_and_only_the_author_deletes_the_comment()
    {
        var author = await ConnectAsync("Jane", "INCIDENT_ACCESS");
        var (soc, socToken) = await Mesh.TokenAsync("soc");
        var (duplicate, _) = await Mesh.RawCallAsync(soc, "api_connections/create", new { name = "JANE", rights = new[] { "FULL_ACCESS" } }, socToken);
        Assert.Equal(409, duplicate);
        var namesake = await ConnectAsync("Jane Doe", "FULL_ACCESS");
        var incident = await IncidentAsync();
        var (_, comment) = await Mesh.RawCallAsync(author.ClientId, "comments/create", new { incident_id = incident, text = "mine" }, author.Token);
        var commentId = comment!["comment_id"]!.GetValue<string>();
        Assert.Equal(author.ClientId, comment["author_id"]!.GetValue<string>());

        var (byNamesake, _) = await Mesh.RawCallAsync(namesake.ClientId, "comments/delete", new { comment_id = commentId }, namesake.Token);
        var stillThere = await Mesh.OkAsync("comments/list", new { incident_id = incident });
        var (byAuthor, _) = await Mesh.RawCallAsync(author.ClientId, "comments/delete", new { comment_id = commentId }, author.Token);

        Assert.Equal(409, byNamesake);
        Assert.Single(stillThere.AsArray());
        Assert.Equal(200, byAuthor);
        var records = (await Mesh.HistoryAsync(incident)).Where(r => r!["entity"]!["incident_comment"] is not null).ToList();
        Assert.Equal([("Jane", author.ClientId), ("Jane", author.ClientId)], records.Select(r => (By(r!), Id(r!))));
    }

    [Fact]
    public async Task History_shows_the_connection_id_of_people_and_none_for_the_system()
    {
        var decider = await ConnectAsync("Jane", "RESPONSE_MANAGEMENT");
        var incident = await IncidentAsync();
        var response = await Mesh.ProposeAsync(incident, "DISABLE_ISOLATION", new { }, "ws-1");
        var (status, _) = await Mesh.RawCallAsync(decider.ClientId, "response/update",
            new { response_id = response, status = "Confirmed", comment = "go" }, decider.Token);
        Assert.Equal(200, status);
        await Mesh.WaitForStatusAsync(incident, response, "Completed");

        var history = await Mesh.HistoryAsync(incident);
        var soc = (await Mesh.OkAsync("incidents/details", new { incident_id = incident }))["responses"]![0]!["proposed_by"]!.GetValue<string>();
        var byStatus = history.Where(r => r!["entity"]!["incident_response"] is not null)
            .ToDictionary(r => r!["entity"]!["incident_response"]!["status"]!.GetValue<string>(), r => r!);

        Assert.Equal(soc, By(byStatus["New"]));
        Assert.StartsWith("c", Id(byStatus["New"]));
        Assert.Equal(Id(history[0]!), Id(byStatus["New"]));
        // The decider's id comes with the approvals service's message (ResponseAccepted.ById).
        Assert.Equal(("Jane", decider.ClientId), (By(byStatus["Confirmed"]), Id(byStatus["Confirmed"])));
        Assert.Null(Id(byStatus["Completed"]));
    }

    private static string By(JsonNode record) => record["changed_by"]!.GetValue<string>();

    private static string? Id(JsonNode record) => record["changed_by_id"]?.GetValue<string>();
}
