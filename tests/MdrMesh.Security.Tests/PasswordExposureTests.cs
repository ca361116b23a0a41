using System.Text.Json;
using MdrMesh.Contracts.Isolation;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace MdrMesh.Security.Tests;

/// <summary>
/// An isolation's password lifts the isolation by hand: it reaches only those who may decide in
/// the tenant and the SOC, each read is in the incident's history, and it is nowhere at rest in plaintext.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class PasswordExposureTests(Infrastructure infrastructure) : MeshTests(infrastructure)
{
    private static readonly string[] RightsSets = ["SOC_OPERATOR", "FULL_ACCESS", "RESPONSE_MANAGEMENT", "INCIDENT_ACCESS"];
    private static readonly string[] MaySee = ["SOC_OPERATOR", "FULL_ACCESS", "RESPONSE_MANAGEMENT"];
    private readonly string _logFile = Path.Combine(Path.GetTempPath(), $"mdrmesh-password-log-{Guid.NewGuid():N}.log");
    private string _own = "", _other = "";

    // Everything the services log, down to debug, is scanned for passwords (the gateway's forwarding names each call in it).
    protected override Dictionary<string, string?> Settings => Mesh.LogEverything(_logFile, "Debug");

    protected override async Task SetUpAsync()
    {
        _own = (await Mesh.OkAsync("tenants/create", new { name = "Own Ltd" }))["tenant_id"]!.GetValue<string>();
        _other = (await Mesh.OkAsync("tenants/create", new { name = "Other plc" }))["tenant_id"]!.GetValue<string>();
        foreach (var tenant in new[] { _own, _other })
            await Mesh.OkAsync("assets/register", new { asset_id = $"ws-{tenant}", tenant_id = tenant, host_name = "WS" });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(_logFile);
    }

    private async Task<(string Incident, string Response, string Password)> IsolationAsync(string tenant)
    {
        var incident = (await Mesh.OkAsync("incidents/create", new { summary = "Miner", affected_hosts = new[] { $"WS:ws-{tenant}" }, tenant_id = tenant }))
            ["incident_id"]!.GetValue<string>();
        var proposed = await Mesh.OkAsync("responses/create", new
        {
            incident_id = incident, asset_id = $"ws-{tenant}", type = "ISOLATE", parameters = new { isolation_term_seconds = 3600 },
        });
        // The SOC proposing it reads it in the answer, to hand it to the customer.
        var password = proposed["parameters"]!["password"]!.GetValue<string>();
        Assert.True(IsolationPassword.Verify(password, Details(proposed["parameters"]!)));
        return (incident, proposed["response_id"]!.GetValue<string>(), password);
    }

    private static IsolationPasswordDetails Details(JsonNode parameters) => parameters["password_details"].Deserialize<IsolationPasswordDetails>()!;

    /// <summary>The isolation's parameters in an answer of <paramref name="method"/>, or null when the incident is not visible.</summary>
    private static JsonNode? Parameters(string method, JsonNode body, string responseId)
    {
        var responses = method switch
        {
            "incidents/list" => body.AsArray().SelectMany(i => i!["responses"]!.AsArray()),
            "incidents/details" => body["responses"]!.AsArray(),
            _ => body.AsArray(),
        };
        return responses.SingleOrDefault(r => r!["response_id"]!.GetValue<string>() == responseId)?["parameters"];
    }

    [Fact]
    public async Task The_password_reaches_exactly_the_deciders_of_the_tenant_and_the_SOC_and_who_has_seen_it_is_in_history()
    {
        var own = await IsolationAsync(_own);
        var other = await IsolationAsync(_other);
        var connections = new Dictionary<string, (string ClientId, string Token)>();
        foreach (var rights in RightsSets)
        {
            var (clientId, refresh) = await Mesh.CreateConnectionAsync($"{rights} of Own Ltd", [rights], [_own]);
            connections[rights] = (clientId, (await Mesh.ConfirmAsync(clientId, refresh)).Access);
        }
        var updatedBefore = (await Mesh.OkAsync("incidents/details", new { incident_id = own.Incident }))["update_time"]!.GetValue<long>();

        foreach (var rights in RightsSets)
        foreach (var (scope, isolation) in new[] { ("own", own), ("other", other) })
        foreach (var method in new[] { "incidents/list", "incidents/details", "responses/list" })
        {
            var what = $"{rights} {method} on the {scope} tenant";
            object body = method == "incidents/list"
                ? new { tenants_names = new[] { scope == "own" ? _own : _other } }
                : new { incident_id = isolation.Incident };
            var (status, answer) = await Mesh.RawCallAsync(connections[rights].ClientId, method, body, connections[rights].Token);

            if (scope == "other")
            {
                // Another tenant's incident is not there at all.
                Assert.True(method == "incidents/list" ? status == 200 && answer!.AsArray().Count == 0 : status == 404, what);
                continue;
            }
            Assert.True(status == 200, $"{what}: {status}");
            var parameters = Parameters(method, answer!, isolation.Response);
            Assert.True(parameters is not null, what);
            Assert.True(parameters!["task_id"] is not null && parameters["password_details"] is not null, $"{what}: task id and details");
            var shown = parameters["password"]?.GetValue<string>();
            if (method != "incidents/list" && MaySee.Contains(rights))
            {
                Assert.True(shown == isolation.Password, $"{what}: the password is shown");
                Assert.True(IsolationPassword.Verify(shown!, Details(parameters)), $"{what}: the details verify it");
            }
            else
            {
                Assert.True(shown is null, $"{what}: no password");
            }
        }

        var history = await Mesh.HistoryAsync(own.Incident);
        var reveals = history.Where(r => r!["operation"]!.GetValue<string>() == "reveal").ToList();
        foreach (var rights in RightsSets)
        {
            var theirs = reveals.Where(r => r!["changed_by_id"]?.GetValue<string>() == connections[rights].ClientId).ToList();
            // incidents/details revealed it first (recorded once per connection); incidents/list never does.
            Assert.True(theirs.Count == (MaySee.Contains(rights) ? 1 : 0), $"{rights}: {theirs.Count} reveals");
            Assert.All(theirs, r =>
            {
                Assert.Equal($"{rights} of Own Ltd", r!["changed_by"]!.GetValue<string>());
                Assert.Equal(own.Response, r["entity"]!["isolation_password"]!["response_id"]!.GetValue<string>());
            });
        }
        var text = history.ToJsonString();
        Assert.DoesNotContain(own.Password, text);
        Assert.DoesNotContain(other.Password, text);
        // A read changes nothing of the incident itself.
        Assert.Equal(updatedBefore, (await Mesh.OkAsync("incidents/details", new { incident_id = own.Incident }))["update_time"]!.GetValue<long>());
    }

    [Fact]
    public async Task An_answer_without_the_parameters_reveals_nothing()
    {
        var own = await IsolationAsync(_own);
        var before = (await Mesh.HistoryAsync(own.Incident)).Count;

        var details = await Mesh.OkAsync("incidents/details", new { incident_id = own.Incident, fields = new[] { "summary" } });
        var responses = await Mesh.OkAsync("responses/list", new { incident_id = own.Incident, fields = new[] { "status" } });

        Assert.DoesNotContain(own.Password, details.ToJsonString() + responses.ToJsonString());
        Assert.Equal(before, (await Mesh.HistoryAsync(own.Incident)).Count);
    }

    [Fact]
    public async Task No_table_of_the_incidents_schema_and_no_log_line_holds_a_password_in_plaintext()
    {
        var (incident, _, password) = await IsolationAsync(_own);
        var revealed = await Mesh.OkAsync("incidents/details", new { incident_id = incident });
        Assert.Equal(password, revealed["responses"]![0]!["parameters"]!["password"]!.GetValue<string>());
        var taskId = revealed["responses"]![0]!["parameters"]!["task_id"]!.GetValue<string>();

        var rows = new List<string>();
        await using var connection = new NpgsqlConnection(Mesh.Service("Incidents").Configuration.GetConnectionString("Postgres"));
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
                         "select table_name from information_schema.tables where table_schema = 'incidents' and table_type = 'BASE TABLE'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        foreach (var table in tables)
        {
            await using var select = new NpgsqlCommand($"select t::text from incidents.\"{table}\" t", connection);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        }

        Assert.Contains(tables, t => t.Contains("mt_events"));
        Assert.Contains(rows, r => r.Contains(taskId));
        Assert.DoesNotContain(rows, r => r.Contains(password));
        var log = await File.ReadAllTextAsync(_logFile);
        Assert.Contains("incidents/details", log);
        Assert.DoesNotContain(password, log);
    }
}
