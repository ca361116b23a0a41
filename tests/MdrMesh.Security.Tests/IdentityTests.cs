using System.Text.Json.Nodes;
using MdrMesh.Testing;

namespace MdrMesh.Security.Tests;

/// <summary>
/// A connection is its immutable id: names are unique (ignoring case), and authorship and history
/// go by the id, shown beside the name.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class IdentityTests(Infrastructure infrastructure) : IAsyncLifetime
{
    private Mesh _mesh = null!;
    private string _tenant = "";

    public async Task InitializeAsync()
    {
        _mesh = await Mesh.StartAsync(infrastructure, "[]");
        _tenant = (await _mesh.OkAsync("tenants/create", new { name = "Own Ltd" }))["tenant_id"]!.GetValue<string>();
        await _mesh.OkAsync("assets/register", new { asset_id = "ws-1", tenant_id = _tenant, host_name = "WS-1" });
    }

    public async Task DisposeAsync() => await _mesh.DisposeAsync();

    private async Task<(string ClientId, string Token)> ConnectAsync(string name, string rights)
    {
        var (clientId, refresh) = await _mesh.CreateConnectionAsync(name, [rights], [_tenant]);
        return (clientId, (await _mesh.ConfirmAsync(clientId, refresh)).Access);
    }

    private async Task<string> IncidentAsync() =>
        (await _mesh.OkAsync("incidents/create", new { summary = "Miner", affected_hosts = new[] { "WS-1:ws-1" }, tenant_id = _tenant }))
            ["incident_id"]!.GetValue<string>();

    [Fact]
    public async Task No_connection_takes_the_authors_name_and_only_the_author_deletes_the_comment()
    {
        var author = await ConnectAsync("Jane", "INCIDENT_ACCESS");
        var (soc, socToken) = await _mesh.TokenAsync("soc");
        var (duplicate, _) = await _mesh.RawCallAsync(soc, "api_connections/create", new { name = "JANE", rights = new[] { "FULL_ACCESS" } }, socToken);
        Assert.Equal(409, duplicate);
        var namesake = await ConnectAsync("Jane Doe", "FULL_ACCESS");
        var incident = await IncidentAsync();
        var (_, comment) = await _mesh.RawCallAsync(author.ClientId, "comments/create", new { incident_id = incident, text = "mine" }, author.Token);
        var commentId = comment!["comment_id"]!.GetValue<string>();
        Assert.Equal(author.ClientId, comment["author_id"]!.GetValue<string>());

        var (byNamesake, _) = await _mesh.RawCallAsync(namesake.ClientId, "comments/delete", new { comment_id = commentId }, namesake.Token);
        var stillThere = await _mesh.OkAsync("comments/list", new { incident_id = incident });
        var (byAuthor, _) = await _mesh.RawCallAsync(author.ClientId, "comments/delete", new { comment_id = commentId }, author.Token);

        Assert.Equal(409, byNamesake);
        Assert.Single(stillThere.AsArray());
        Assert.Equal(200, byAuthor);
        var records = (await _mesh.HistoryAsync(incident)).Where(r => r!["entity"]!["incident_comment"] is not null).ToList();
        Assert.Equal([("Jane", author.ClientId), ("Jane", author.ClientId)], records.Select(r => (By(r!), Id(r!))));
    }

    [Fact]
    public async Task History_shows_the_connection_id_of_people_and_none_for_the_system()
    {
        var decider = await ConnectAsync("Jane", "RESPONSE_MANAGEMENT");
        var incident = await IncidentAsync();
        var response = await _mesh.ProposeAsync(incident, "DISABLE_ISOLATION", new { }, "ws-1");
        var (status, _) = await _mesh.RawCallAsync(decider.ClientId, "response/update",
            new { response_id = response, status = "Confirmed", comment = "go" }, decider.Token);
        Assert.Equal(200, status);
        await _mesh.WaitForStatusAsync(incident, response, "Completed");

        var history = await _mesh.HistoryAsync(incident);
        var soc = (await _mesh.OkAsync("incidents/details", new { incident_id = incident }))["responses"]![0]!["proposed_by"]!.GetValue<string>();
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
