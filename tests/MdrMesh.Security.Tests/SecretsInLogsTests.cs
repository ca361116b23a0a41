using System.Security.Cryptography;

namespace MdrMesh.Security.Tests;

/// <summary>
/// Secrets never reach a log: the services' whole log, down to debug, of a run that handles
/// every kind of secret (tokens confirmed, rotated, reused and refused; an isolation proposed,
/// executed and its password revealed; bad input) holds none of them.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class SecretsInLogsTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson("root"))
{
    private readonly string _logFile = Path.Combine(Path.GetTempPath(), $"mdrmesh-secrets-log-{Guid.NewGuid():N}.log");
    private readonly string _signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly string _internalKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private readonly string _passwordKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    // Every category down to Trace, the ones the services quiet by default included: every line any of them could write is scanned.
    protected override Dictionary<string, string?> Settings => new(Mesh.LogEverything(_logFile, "Trace"))
    {
        ["Access:SigningKey"] = _signingKey, ["Api:InternalKey"] = _internalKey,
        ["IsolationPasswords:Keys:log-1"] = _passwordKey, ["IsolationPasswords:CurrentKeyId"] = "log-1",
    };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(_logFile);
    }

    [Fact]
    public async Task The_log_of_a_run_that_handles_every_kind_of_secret_holds_none_of_them()
    {
        var secrets = new List<(string What, string Value)>
        {
            ("signing key", _signingKey), ("internal key", _internalKey), ("isolation password key", _passwordKey),
        };
        var (clientId, firstRefresh) = await Mesh.CreateConnectionAsync("Log scan", ["FULL_ACCESS", "SOC_OPERATOR"]);
        var (access, refresh) = await Mesh.ConfirmAsync(clientId, firstRefresh);
        secrets.AddRange([("first refresh token", firstRefresh), ("access token", access), ("refresh token", refresh)]);

        await Mesh.RawCallAsync(clientId, "auto_accept/set", new { mode = "ALL_TENANTS" }, access);
        var (_, incident) = await Mesh.RawCallAsync(clientId, "incidents/create",
            new { summary = "Miner", affected_hosts = new[] { "WS-1:ws-1" }, priority = "HIGH" }, access);
        var incidentId = incident!["incident_id"]!.GetValue<string>();
        var (_, proposed) = await Mesh.RawCallAsync(clientId, "responses/create",
            new { incident_id = incidentId, asset_id = "ws-1", type = "ISOLATE", parameters = new { isolation_term_seconds = 600 } }, access);
        var password = proposed!["parameters"]!["password"]!.GetValue<string>();
        secrets.Add(("isolation password", password));
        await Mesh.WaitForStatusAsync(incidentId, proposed["response_id"]!.GetValue<string>(), "Completed");
        await Mesh.RawCallAsync(clientId, "incidents/details", new { incident_id = incidentId }, access);

        // What attackers and broken clients send is logged too, if anything is: none of it may carry a secret.
        await Mesh.RawCallAsync(clientId, "incidents/list", new { }, access + "x");
        await Mesh.RawCallAsync("c-nobody", "incidents/list", new { }, access);
        await Mesh.RawCallAsync(clientId, "responses/create", new { incident_id = incidentId, asset_id = "ws-1", type = "ISOLATE",
            parameters = new { password = "chosen-by-attacker-1234" } }, access);
        // A used refresh token, presented after the grace period, revokes the chain.
        Mesh.TokenClock.Advance(TimeSpan.FromMinutes(1));
        var (reuse, _) = await Mesh.RawCallAsync(clientId, "session/confirm", new { refresh_token = firstRefresh }, null);
        Assert.Equal(401, reuse);
        var (refused, _) = await Mesh.RawCallAsync(clientId, "incidents/list", new { }, access);
        Assert.Equal(401, refused);

        var log = await File.ReadAllTextAsync(_logFile);
        // The capture works: the run is in it.
        Assert.Contains("Gateway", log);
        Assert.Contains("Incidents", log);
        foreach (var (what, value) in secrets)
            Assert.False(log.Contains(value, StringComparison.Ordinal), $"the {what} is in the services' log");
        // Nor any part of a token: its signature alone would let a reader check guesses offline.
        foreach (var token in new[] { firstRefresh, access, refresh })
            Assert.DoesNotContain(token.Split('.')[2], log);
    }
}
