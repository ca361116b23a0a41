using System.Text.Json.Nodes;
using MdrMesh.Testing;
using Npgsql;

namespace MdrMesh.EndToEnd.Tests;

/// <summary>Issue 27: a creating call retried with its <c>Idempotency-Key</c> creates once and answers as the first time.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class IdempotencyTests(Infrastructure infrastructure) : IAsyncLifetime
{
    private const string Tenant = "tenant-idem";
    private Mesh _mesh = null!;

    public async Task InitializeAsync() => _mesh = await Mesh.StartAsync(infrastructure, Flow.FleetJson(Tenant));

    public async Task DisposeAsync() => await _mesh.DisposeAsync();

    private static object Isolate(string incident) => new
    {
        incident_id = incident, asset_id = "ws-1", type = "ISOLATE", parameters = new { isolation_term_seconds = 3600 }, description = "contain",
    };

    private static object Incident(string summary) => new { summary, tenant_id = Tenant, affected_hosts = new[] { "WS-1:ws-1" }, priority = "HIGH" };

    private async Task<int> ResponseCountAsync(string incident) => (await _mesh.OkAsync("responses/list", new { incident_id = incident })).AsArray().Count;

    [Fact]
    public async Task A_proposal_retried_with_its_key_is_made_once_and_answered_the_same_also_after_a_restart()
    {
        var incident = await _mesh.OpenIncidentAsync(Tenant);
        var key = $"retry-{Guid.NewGuid()}";

        var first = await _mesh.CallAsync("responses/create", Isolate(incident), idempotencyKey: key);
        var second = await _mesh.CallAsync("responses/create", Isolate(incident), idempotencyKey: key);

        Assert.Equal(200, first.Status);
        var password = first.Body!["parameters"]!["password"]!.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(password));
        Assert.Equal(200, second.Status);
        Assert.True(JsonNode.DeepEquals(first.Body, second.Body), $"{first.Body!.ToJsonString()} vs {second.Body!.ToJsonString()}");
        Assert.Equal(1, await ResponseCountAsync(incident));
        // The stored answer holds the password sealed, never in plaintext.
        await using (var db = new NpgsqlConnection(_mesh.DatabaseConnectionString))
        {
            await db.OpenAsync();
            await using var command = new NpgsqlCommand("select string_agg(data::text, '') from incidents.mt_doc_idempotencyrecord", db);
            var stored = (string)(await command.ExecuteScalarAsync())!;
            Assert.DoesNotContain(password, stored);
            Assert.DoesNotContain(key, stored);
        }

        await _mesh.KillServiceAsync("Incidents");
        await _mesh.StartServiceAsync("Incidents");
        var afterRestart = await _mesh.CallAsync("responses/create", Isolate(incident), idempotencyKey: key);

        Assert.Equal(200, afterRestart.Status);
        Assert.True(JsonNode.DeepEquals(first.Body, afterRestart.Body), $"{first.Body!.ToJsonString()} vs {afterRestart.Body!.ToJsonString()}");
        Assert.Equal(1, await ResponseCountAsync(incident));
    }

    [Fact]
    public async Task An_incident_created_twice_with_one_key_opens_once_and_another_connections_same_key_is_its_own()
    {
        var key = "create-incident-1";

        var first = await _mesh.CallAsync("incidents/create", Incident("Beacon on WS-1"), idempotencyKey: key);
        var again = await _mesh.CallAsync("incidents/create", Incident("Beacon on WS-1"), idempotencyKey: key);
        var other = await _mesh.CallAsync("incidents/create", Incident("Beacon on WS-1"), caller: "customer", idempotencyKey: key);

        Assert.Equal(200, first.Status);
        Assert.True(JsonNode.DeepEquals(first.Body, again.Body), $"{first.Body!.ToJsonString()} vs {again.Body!.ToJsonString()}");
        Assert.Equal(200, other.Status);
        Assert.NotEqual(first.Body!["incident_id"]!.GetValue<string>(), other.Body!["incident_id"]!.GetValue<string>());
        var opened = await _mesh.OkAsync("incidents/count", new { tenants_names = new[] { Tenant } });
        Assert.Equal(2, opened["count"]!.GetValue<long>());
    }

    [Fact]
    public async Task The_same_key_with_a_different_body_is_refused_naming_the_header()
    {
        var incident = await _mesh.OpenIncidentAsync(Tenant);
        await _mesh.CallAsync("responses/create", Isolate(incident), idempotencyKey: "k-1");

        var (status, body) = await _mesh.CallAsync("responses/create", new
        {
            incident_id = incident, asset_id = "ws-2", type = "ISOLATE", parameters = new { isolation_term_seconds = 3600 }, description = "contain",
        }, idempotencyKey: "k-1");

        Assert.Equal(422, status);
        Assert.NotNull(body!["errors"]!["Idempotency-Key"]);
        Assert.Equal(1, await ResponseCountAsync(incident));
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    public async Task A_key_out_of_bounds_is_refused_naming_the_header(string shape)
    {
        var incident = await _mesh.OpenIncidentAsync(Tenant);
        var key = shape == "" ? "" : new string('x', 256);

        var (status, body) = await _mesh.CallAsync("responses/create", Isolate(incident), idempotencyKey: key);

        Assert.Equal(400, status);
        Assert.NotNull(body!["errors"]!["Idempotency-Key"]);
        Assert.Equal(0, await ResponseCountAsync(incident));
    }

    [Fact]
    public async Task Twenty_concurrent_calls_with_one_key_make_one_response_and_all_get_its_answer()
    {
        var incident = await _mesh.OpenIncidentAsync(Tenant);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(_ => Task.Run(() => _mesh.CallAsync("responses/create", Isolate(incident), idempotencyKey: "burst"))));

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.All(answers, a => Assert.True(JsonNode.DeepEquals(answers[0].Body, a.Body), a.Body!.ToJsonString()));
        Assert.Equal(1, await ResponseCountAsync(incident));
    }

    [Fact]
    public async Task Without_a_key_two_calls_make_two_responses()
    {
        var incident = await _mesh.OpenIncidentAsync(Tenant);

        var first = await _mesh.OkAsync("responses/create", Isolate(incident));
        var second = await _mesh.OkAsync("responses/create", Isolate(incident));

        Assert.NotEqual(first["response_id"]!.GetValue<string>(), second["response_id"]!.GetValue<string>());
        Assert.Equal(2, await ResponseCountAsync(incident));
    }

    [Fact]
    public async Task A_comment_and_an_attachment_retried_with_their_keys_are_added_once()
    {
        var incident = await _mesh.OpenIncidentAsync(Tenant);
        var comment = new { incident_id = incident, text = "seen on **WS-1**" };

        var firstComment = await _mesh.CallAsync("comments/create", comment, idempotencyKey: "comment-1");
        var againComment = await _mesh.CallAsync("comments/create", comment, idempotencyKey: "comment-1");
        var firstFile = await _mesh.CallAsync("attachments/upload", Flow.Upload(incident, "evidence.txt", "seen"u8.ToArray()), idempotencyKey: "file-1");
        var againFile = await _mesh.CallAsync("attachments/upload", Flow.Upload(incident, "evidence.txt", "seen"u8.ToArray()), idempotencyKey: "file-1");
        var otherFile = await _mesh.CallAsync("attachments/upload", Flow.Upload(incident, "evidence.txt", "other"u8.ToArray()), idempotencyKey: "file-1");

        Assert.Equal(200, firstComment.Status);
        Assert.True(JsonNode.DeepEquals(firstComment.Body, againComment.Body), againComment.Body!.ToJsonString());
        Assert.Equal(200, firstFile.Status);
        Assert.True(JsonNode.DeepEquals(firstFile.Body, againFile.Body), againFile.Body!.ToJsonString());
        Assert.Equal(422, otherFile.Status);
        var details = await _mesh.OkAsync("incidents/details", new { incident_id = incident });
        Assert.Single(details["comments"]!.AsArray());
        Assert.Single(details["attachments"]!.AsArray());
    }

    [Fact]
    public async Task An_upload_retried_after_its_incident_closed_gets_its_first_answer_and_a_new_one_is_refused()
    {
        var incident = await _mesh.OpenIncidentAsync(Tenant);
        var first = await _mesh.CallAsync("attachments/upload", Flow.Upload(incident, "evidence.txt", "seen"u8.ToArray()), idempotencyKey: "file-2");
        await _mesh.OkAsync("incidents/close", new { incident_id = incident, resolution_status = "TRUE_POSITIVE", summary = "Contained" });

        var retried = await _mesh.CallAsync("attachments/upload", Flow.Upload(incident, "evidence.txt", "seen"u8.ToArray()), idempotencyKey: "file-2");
        var fresh = await _mesh.CallAsync("attachments/upload", Flow.Upload(incident, "evidence.txt", "seen"u8.ToArray()), idempotencyKey: "file-3");
        var unkeyed = await _mesh.CallAsync("attachments/upload", Flow.Upload(incident, "evidence.txt", "seen"u8.ToArray()));

        Assert.Equal(200, first.Status);
        Assert.Equal(200, retried.Status);
        Assert.True(JsonNode.DeepEquals(first.Body, retried.Body), retried.Body!.ToJsonString());
        Assert.Equal(409, fresh.Status);
        Assert.Equal(409, unkeyed.Status);
        var details = await _mesh.OkAsync("incidents/details", new { incident_id = incident });
        Assert.Single(details["attachments"]!.AsArray());
    }

    [Fact]
    public async Task An_asset_registration_and_a_tenant_retried_with_their_keys_answer_the_same()
    {
        var asset = JsonNode.Parse(Flow.FleetJson(Tenant))![0]!;
        asset["asset_id"] = "ws-9";
        asset["host_name"] = "WS-9";

        var first = await _mesh.CallAsync("assets/register", asset, idempotencyKey: "asset-1");
        var again = await _mesh.CallAsync("assets/register", asset, idempotencyKey: "asset-1");
        asset["host_name"] = "WS-10";
        var different = await _mesh.CallAsync("assets/register", asset, idempotencyKey: "asset-1");
        var firstTenant = await _mesh.CallAsync("tenants/create", new { name = "Globex" }, caller: "customer", idempotencyKey: "tenant-1");
        var againTenant = await _mesh.CallAsync("tenants/create", new { name = "Globex" }, caller: "customer", idempotencyKey: "tenant-1");

        Assert.Equal(200, first.Status);
        Assert.True(JsonNode.DeepEquals(first.Body, again.Body), $"{first.Body!.ToJsonString()} vs {again.Body!.ToJsonString()}");
        Assert.Equal(422, different.Status);
        Assert.Equal(200, firstTenant.Status);
        Assert.True(JsonNode.DeepEquals(firstTenant.Body, againTenant.Body), againTenant.Body!.ToJsonString());
        var tenants = await _mesh.OkAsync("tenants/list", new { page_size = 100 }, caller: "customer");
        Assert.Single(tenants.AsArray(), t => t!["name"]!.GetValue<string>() == "Globex");
    }

    private static object Connection(string name) => new { name, rights = new[] { "INCIDENT_ACCESS" }, tenant_ids = new[] { Tenant } };

    private async Task<int> ConnectionsNamedAsync(string name) =>
        (await _mesh.OkAsync("api_connections/list", new { page_size = 1000 })).AsArray().Count(c => c!["name"]!.GetValue<string>() == name);

    [Fact]
    public async Task A_connection_created_twice_with_one_key_is_made_once_and_its_replayed_refresh_token_works()
    {
        var name = $"siem-{Guid.NewGuid():N}";
        var key = $"connection-{Guid.NewGuid()}";

        var first = await _mesh.CallAsync("api_connections/create", Connection(name), idempotencyKey: key);
        var again = await _mesh.CallAsync("api_connections/create", Connection(name), idempotencyKey: key);

        Assert.Equal(200, first.Status);
        Assert.Equal(200, again.Status);
        Assert.True(JsonNode.DeepEquals(first.Body, again.Body), $"{first.Body!.ToJsonString()} vs {again.Body!.ToJsonString()}");
        var clientId = first.Body!["client_id"]!.GetValue<string>();
        var refresh = first.Body["refresh_token"]!.GetValue<string>();
        Assert.Equal(1, await ConnectionsNamedAsync(name));
        // The stored answer holds the refresh token sealed: neither it nor the key lies in the table in clear.
        await using (var db = new NpgsqlConnection(_mesh.DatabaseConnectionString))
        {
            await db.OpenAsync();
            await using var command = new NpgsqlCommand("select string_agg(data::text, '') from access.mt_doc_idempotencyrecord", db);
            var stored = (string)(await command.ExecuteScalarAsync())!;
            Assert.DoesNotContain(refresh, stored);
            Assert.DoesNotContain(refresh.Split('.')[1], stored);
            Assert.DoesNotContain(key, stored);
        }

        // The replay minted no new token: the one replayed is the one whose hash was stored with the connection.
        var (access, _) = await _mesh.ConfirmAsync(clientId, again.Body!["refresh_token"]!.GetValue<string>());
        Assert.Equal(200, (await _mesh.RawCallAsync(clientId, "incidents/count", new { tenants_names = new[] { Tenant } }, access)).Status);
    }

    [Fact]
    public async Task A_connection_key_with_another_body_is_refused_and_another_connections_same_key_is_its_own()
    {
        var name = $"soar-{Guid.NewGuid():N}";
        var other = $"soar-{Guid.NewGuid():N}";
        var key = $"connection-{Guid.NewGuid()}";

        var first = await _mesh.CallAsync("api_connections/create", Connection($"{name}-a"), idempotencyKey: key);
        var different = await _mesh.CallAsync("api_connections/create", Connection(other), idempotencyKey: key);
        var others = await _mesh.CallAsync("api_connections/create", Connection(other), caller: "customer", idempotencyKey: key);

        Assert.Equal(200, first.Status);
        Assert.Equal(422, different.Status);
        Assert.NotNull(different.Body!["errors"]!["Idempotency-Key"]);
        Assert.Equal(200, others.Status);
        Assert.NotEqual(first.Body!["client_id"]!.GetValue<string>(), others.Body!["client_id"]!.GetValue<string>());
        Assert.Equal(1, await ConnectionsNamedAsync(other));
    }

    [Fact]
    public async Task Ten_concurrent_connection_creations_with_one_key_make_one_connection_and_all_get_its_answer()
    {
        var name = $"burst-{Guid.NewGuid():N}";

        var answers = await Task.WhenAll(Enumerable.Range(0, 10)
            .Select(_ => Task.Run(() => _mesh.CallAsync("api_connections/create", Connection(name), idempotencyKey: "connection-burst"))));

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.All(answers, a => Assert.True(JsonNode.DeepEquals(answers[0].Body, a.Body), a.Body!.ToJsonString()));
        Assert.Equal(1, await ConnectionsNamedAsync(name));
    }

    [Fact]
    public async Task The_description_names_the_header_on_each_creating_method_and_on_no_other()
    {
        var document = JsonNode.Parse(await _mesh.Http.GetStringAsync($"{_mesh.ServiceAddress("Gateway")}/openapi/v1.json"))!;

        var withHeader = document["paths"]!.AsObject()
            .Where(p => p.Value!["post"]!["parameters"]!.AsArray().Any(q => q!["name"]!.GetValue<string>() == "Idempotency-Key"))
            .Select(p => p.Key[(p.Key.LastIndexOf("}/", StringComparison.Ordinal) + 2)..]).Order().ToList();

        Assert.Equal(["api_connections/create", "assets/register", "attachments/upload", "comments/create", "incidents/create", "responses/create",
            "tenants/create"], withHeader);
    }
}
