using System.Security.Cryptography;
using MdrMesh.Gateway.Access;
using Microsoft.IdentityModel.JsonWebTokens;

namespace MdrMesh.EndToEnd.Tests;

/// <summary>
/// The operator's way back in when the first credentials are lost, without a token (the gateway's
/// own binary and configuration against its database), and a signing-key rotation that cuts off no token.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class AdminTests(Infrastructure infrastructure) : MeshTests(infrastructure)
{
    private async Task<(int Exit, string Output)> AdminAsync(params string[] args)
    {
        var output = new StringWriter();
        // The gateway's clock, which tokens are checked by.
        var exit = await AdminCommands.RunAsync(args, Mesh.Settings, output, Mesh.TokenClock);
        return (exit, output.ToString());
    }

    [Fact]
    public async Task A_connection_made_by_the_admin_tool_works_at_once_is_listed_and_is_cut_off_when_revoked()
    {
        var (exit, output) = await AdminAsync("connections", "create", "--name", "Recovered administrator");
        Assert.Equal(0, exit);
        var credentials = JsonNode.Parse(output)!;
        var clientId = credentials["client_id"]!.GetValue<string>();
        Assert.EndsWith("/api/v1", credentials["api_url"]!.GetValue<string>());

        // Every tenant, SOC_OPERATOR and FULL_ACCESS: it may make connections of its own, like the first one.
        var (access, _) = await Mesh.ConfirmAsync(clientId, credentials["refresh_token"]!.GetValue<string>());
        var (status, created) = await Mesh.RawCallAsync(clientId, "api_connections/create",
            new { name = "Acme SIEM", rights = new[] { "INCIDENT_ACCESS" }, tenant_ids = new[] { "acme" } }, access);
        Assert.Equal(200, status);
        Assert.Equal(200, (await Mesh.RawCallAsync(clientId, "incidents/create",
            new { summary = "Back in", affected_hosts = new[] { "WS-1:ws-1" }, priority = "LOW" }, access)).Status);

        var (_, list) = await AdminAsync("connections", "list");
        var row = list.Split('\n').Single(l => l.StartsWith(clientId + "\t")).Split('\t');
        Assert.Equal(["Active", "Recovered administrator", "SOC_OPERATOR,FULL_ACCESS", "*"], row[1..5]);
        Assert.Contains(created!["client_id"]!.GetValue<string>(), list);

        Assert.Equal(0, (await AdminAsync("connections", "revoke", clientId)).Exit);
        await Eventually.ReturnsAsync(async () => (await Mesh.RawCallAsync(clientId, "incidents/count", new { }, access)).Status,
            s => s == 401, "the revoked connection refused");
        Assert.Contains($"{clientId}\tRevoked", (await AdminAsync("connections", "list")).Output);
    }

    [Theory]
    [InlineData(new[] { "connections", "create", "--rights", "ROOT" }, 1)]
    [InlineData(new[] { "connections", "create", "--name", "auto-accept setting v9" }, 1)]
    [InlineData(new[] { "connections", "create", "--tenant", "acme" }, 1)]
    [InlineData(new[] { "connections", "revoke", "c-nobody" }, 1)]
    [InlineData(new[] { "connections", "drop" }, 2)]
    public async Task Bad_commands_change_nothing_and_say_why(string[] args, int exit)
    {
        var before = (await AdminAsync("connections", "list")).Output;
        var (code, output) = await AdminAsync(args);
        Assert.Equal(exit, code);
        Assert.Empty(output);
        Assert.Equal(before, (await AdminAsync("connections", "list")).Output);
    }

    [Fact]
    public async Task After_a_key_rotation_tokens_of_the_previous_key_stay_valid_until_that_key_is_dropped()
    {
        var (clientId, refresh) = await Mesh.CreateConnectionAsync("Rotation", ["FULL_ACCESS"]);
        var (before, refreshBefore) = await Mesh.ConfirmAsync(clientId, refresh);
        Assert.Equal("k1", new JsonWebToken(before).Kid);
        var oldKey = Mesh.Settings["Access:SigningKey"];
        var newKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        await RestartGatewayAsync(new()
        {
            ["Access:SigningKey"] = newKey, ["Access:SigningKeyId"] = "k2",
            ["Access:PreviousSigningKey"] = oldKey, ["Access:PreviousSigningKeyId"] = "k1",
        });
        // The access and refresh tokens of the previous key still work; what is issued now is signed by the new one.
        Assert.Equal(200, (await Mesh.RawCallAsync(clientId, "incidents/count", new { }, before)).Status);
        var (after, _) = await Mesh.ConfirmAsync(clientId, refreshBefore);
        Assert.Equal("k2", new JsonWebToken(after).Kid);

        // Once the previous key is dropped, only tokens of the new key pass.
        await RestartGatewayAsync(new() { ["Access:SigningKey"] = newKey, ["Access:SigningKeyId"] = "k2" });
        Assert.Equal(401, (await Mesh.RawCallAsync(clientId, "incidents/count", new { }, before)).Status);
        Assert.Equal(200, (await Mesh.RawCallAsync(clientId, "incidents/count", new { }, after)).Status);
    }

    private async Task RestartGatewayAsync(Dictionary<string, string?> settings)
    {
        await Mesh.KillServiceAsync("Gateway");
        await Mesh.StartServiceAsync("Gateway", settings);
    }
}
