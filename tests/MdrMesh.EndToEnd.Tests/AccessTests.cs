using System.Net.Http.Json;
using System.Text;
using MdrMesh.Gateway.Access;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.EndToEnd.Tests;

/// <summary>API connections, rotating tokens, rights and tenants, through the real gateway and services.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class AccessTests(Infrastructure infrastructure) : MeshTests(infrastructure)
{
    private string _own = "", _other = "";
    private const string Root = "root";

    protected override async Task SetUpAsync()
    {
        _own = (await Mesh.OkAsync("tenants/create", new { name = "Own Ltd" }))["tenant_id"]!.GetValue<string>();
        _other = (await Mesh.OkAsync("tenants/create", new { name = "Other plc" }))["tenant_id"]!.GetValue<string>();
        foreach (var tenant in new[] { _own, _other, Root })
            await Mesh.OkAsync("assets/register", new { asset_id = $"ws-{tenant}", tenant_id = tenant, host_name = "WS" });
    }

    private string Scope(string scope) => scope switch { "own" => _own, "other" => _other, _ => Root };

    // ---- The matrix: every method x every rights set x (own tenant, other tenant, root) ----

    /// <summary>
    /// How to call each method on data of one tenant: the body, made fresh for each call where the
    /// call changes state, and whether the answer depends on reaching that tenant.
    /// </summary>
    private Dictionary<string, (bool TenantScoped, Func<string, (string ClientId, string Token), Task<object>> Body)> Calls() => new()
    {
        ["incidents/create"] = (true, (t, _) => Task.FromResult<object>(new { summary = "s", affected_hosts = new[] { $"WS:ws-{t}" }, tenant_id = t })),
        ["incidents/details"] = (true, async (t, _) => new { incident_id = await IncidentAsync(t) }),
        ["incidents/list"] = (false, (t, _) => Task.FromResult<object>(new { tenants_names = new[] { t } })),
        ["attachments/upload"] = (true, async (t, _) => Flow.Upload(await IncidentAsync(t), "evidence.txt", "seen"u8.ToArray())),
        ["attachments/list"] = (true, async (t, _) => new { incident_id = await IncidentAsync(t) }),
        ["attachments/download"] = (true, async (t, _) => new { attachment_id = await AttachmentAsync(t) }),
        ["incidents/count"] = (false, (t, _) => Task.FromResult<object>(new { tenants_names = new[] { t } })),
        ["incidents/update"] = (true, async (t, _) => new { incident_id = await IncidentAsync(t), status = "On hold" }),
        ["incidents/close"] = (true, async (t, _) => new { incident_id = await IncidentAsync(t), resolution_status = "FALSE_POSITIVE", summary = "no" }),
        ["incidents/history"] = (true, async (t, _) => new { incident_id = await IncidentAsync(t) }),
        ["responses/list"] = (true, async (t, _) => new { incident_id = await IncidentAsync(t) }),
        ["responses/create"] = (true, async (t, _) => new { incident_id = await IncidentAsync(t), asset_id = $"ws-{t}", type = "DISABLE_ISOLATION", parameters = new { } }),
        ["response/update"] = (true, async (t, _) => new { response_id = await ResponseAsync(t), status = "Declined", comment = "no" }),
        ["responses/update"] = (true, async (t, _) => new { responses_ids = new[] { await ResponseAsync(t) }, status = "Declined", comment = "no" }),
        ["comments/create"] = (true, async (t, _) => new { incident_id = await IncidentAsync(t), text = "hello" }),
        ["comments/list"] = (true, async (t, _) => new { incident_id = await IncidentAsync(t) }),
        ["comments/delete"] = (true, async (t, caller) => new { comment_id = await CommentAsync(t, caller) }),
        ["auto_accept/get"] = (false, (_, _) => Task.FromResult<object>(new { })),
        ["auto_accept/history"] = (false, (_, _) => Task.FromResult<object>(new { })),
        ["auto_accept/set"] = (true, (t, _) => Task.FromResult<object>(new { mode = "SELECTED_TENANTS", tenant_ids = new[] { t } })),
        ["auto_accept/rules/get"] = (true, (t, _) => Task.FromResult<object>(new { tenant_id = t })),
        ["auto_accept/rules/history"] = (true, (t, _) => Task.FromResult<object>(new { tenant_id = t })),
        ["auto_accept/simulate"] = (true, (t, _) => Task.FromResult<object>(new { tenant_id = t, draft = new { mode = "ON", rules = Array.Empty<object>() }, from = 0L, to = 86_400_000L })),
        // MANUAL, and not for the DISABLE_ISOLATION later rows propose: nothing they decide on is accepted by it.
        ["auto_accept/rules/set"] = (true, (t, _) => Task.FromResult<object>(new { tenant_id = t, rules = new[] { new { name = "hold isolations", types = new[] { "ISOLATE" }, action = "MANUAL" } } })),
        ["asset_groups/create"] = (true, (t, _) => Task.FromResult<object>(new { tenant_id = t, name = $"g-{Guid.NewGuid():N}", filter = new { host_name_pattern = "ws-*" } })),
        ["asset_groups/list"] = (true, (t, _) => Task.FromResult<object>(new { tenant_id = t })),
        ["asset_groups/update"] = (true, async (t, _) => new { tenant_id = t, group_id = await GroupAsync(t), critical = true }),
        ["asset_groups/delete"] = (true, async (t, _) => new { tenant_id = t, group_id = await GroupAsync(t) }),
        ["auto_accept/guard/get"] = (true, (t, _) => Task.FromResult<object>(new { tenant_id = t })),
        // Only drastic types, which the DISABLE_ISOLATION later rows propose is not.
        ["auto_accept/guard/set"] = (true, (t, _) => Task.FromResult<object>(new { tenant_id = t, types = new[] { "ISOLATE" }, limit = 20, window_seconds = 600 })),
        ["auto_accept/guard/reset"] = (true, (t, _) => Task.FromResult<object>(new { tenant_id = t })),
        ["notifications/subscriptions/create"] = (true, (t, _) => Task.FromResult<object>(new { tenant_id = t, channel = "EMAIL", target = "soc@example.com", events = new[] { "incident.created" } })),
        ["notifications/subscriptions/list"] = (true, (t, _) => Task.FromResult<object>(new { tenant_id = t })),
        ["notifications/subscriptions/update"] = (true, async (t, _) => new { tenant_id = t, subscription_id = await SubscriptionAsync(t), language = "ru" }),
        ["notifications/subscriptions/delete"] = (true, async (t, _) => new { tenant_id = t, subscription_id = await SubscriptionAsync(t) }),
        ["notifications/subscriptions/test"] = (true, async (t, _) => new { tenant_id = t, subscription_id = await SubscriptionAsync(t) }),
        ["notifications/deliveries/list"] = (true, async (t, _) => new { tenant_id = t, subscription_id = await SubscriptionAsync(t) }),
        ["notifications/deliveries/redeliver"] = (true, async (t, _) => new { tenant_id = t, delivery_id = await DeliveredAsync(t) }),
        ["assets/list"] = (false, (t, _) => Task.FromResult<object>(new { tenants_names = new[] { t } })),
        ["assets/count"] = (false, (t, _) => Task.FromResult<object>(new { })),
        ["assets/details"] = (true, (t, _) => Task.FromResult<object>(new { asset_id = $"ws-{t}" })),
        ["assets/register"] = (true, (t, _) => Task.FromResult<object>(new { asset_id = $"ws-{t}", tenant_id = t, host_name = "WS" })),
        ["tenants/create"] = (false, (_, _) => Task.FromResult<object>(new { name = "New" })),
        ["tenants/list"] = (false, (_, _) => Task.FromResult<object>(new { })),
        ["tenants/update"] = (true, (t, _) => Task.FromResult<object>(new { tenant_id = t, name = "Renamed" })),
        ["api_connections/create"] = (true, (t, _) => Task.FromResult<object>(new { name = $"n-{Guid.NewGuid():N}", rights = new[] { "INCIDENT_ACCESS" }, tenant_ids = new[] { t } })),
        ["api_connections/list"] = (false, (_, _) => Task.FromResult<object>(new { })),
        ["api_connections/revoke"] = (true, async (t, _) => new { client_id = await ConnectionAsync(t) }),
        ["api_connections/delete"] = (true, async (t, _) => new { client_id = await ConnectionAsync(t) }),
        ["users/create"] = (true, (t, _) => Task.FromResult<object>(new { user_name = $"u-{Guid.NewGuid():N}", rights = new[] { "INCIDENT_ACCESS" }, tenant_ids = new[] { t } })),
        ["users/list"] = (false, (_, _) => Task.FromResult<object>(new { })),
        ["users/update"] = (true, async (t, _) => new { user_id = await UserAsync(t), rights = new[] { "INCIDENT_ACCESS" }, tenant_ids = new[] { t } }),
        ["users/disable"] = (true, async (t, _) => new { user_id = await UserAsync(t) }),
    };

    private async Task<string> UserAsync(string tenant) =>
        (await Mesh.OkAsync("users/create", new { user_name = $"victim-{Guid.NewGuid():N}", rights = new[] { "INCIDENT_ACCESS" }, tenant_ids = new[] { tenant } }))
        ["user_id"]!.GetValue<string>();

    private async Task<string> GroupAsync(string tenant) =>
        (await Mesh.OkAsync("asset_groups/create", new { tenant_id = tenant, name = $"victim-{Guid.NewGuid():N}" }))["group_id"]!.GetValue<string>();

    private async Task<string> SubscriptionAsync(string tenant) =>
        (await Mesh.OkAsync("notifications/subscriptions/create",
            new { tenant_id = tenant, channel = "EMAIL", target = "soc@example.com", events = new[] { "incident.created" } }))["subscription_id"]!.GetValue<string>();

    /// <summary>A delivery that may be sent again: a test message to an address whose relay is not there, retried after its first failure.</summary>
    private async Task<string> DeliveredAsync(string tenant)
    {
        var subscription = await SubscriptionAsync(tenant);
        var delivery = (await Mesh.OkAsync("notifications/subscriptions/test", new { tenant_id = tenant, subscription_id = subscription }))["delivery_id"]!
            .GetValue<string>();
        await Eventually.ReturnsAsync(() => Mesh.OkAsync("notifications/deliveries/list", new { tenant_id = tenant, subscription_id = subscription }),
            l => l.AsArray().Single()!["status"]!.GetValue<string>() is not "PENDING", "the test message tried once");
        return delivery;
    }

    private async Task<string> IncidentAsync(string tenant) =>
        (await Mesh.OkAsync("incidents/create", new { summary = "x", affected_hosts = new[] { $"WS:ws-{tenant}" }, tenant_id = tenant }))["incident_id"]!.GetValue<string>();

    private async Task<string> AttachmentAsync(string tenant)
    {
        var (status, body) = await Mesh.CallAsync("attachments/upload", Flow.Upload(await IncidentAsync(tenant), "evidence.txt", "seen"u8.ToArray()));
        Assert.Equal(200, status);
        return body!["attachment_id"]!.GetValue<string>();
    }

    private async Task<string> ResponseAsync(string tenant) =>
        await Mesh.ProposeAsync(await IncidentAsync(tenant), "DISABLE_ISOLATION", new { }, $"ws-{tenant}");

    private async Task<string> CommentAsync(string tenant, (string ClientId, string Token) caller)
    {
        var incident = await IncidentAsync(tenant);
        // The caller's own comment where it may comment there; otherwise someone else's.
        var (status, body) = await Mesh.RawCallAsync(caller.ClientId, "comments/create", new { incident_id = incident, text = "mine" }, caller.Token);
        return status == 200 ? body!["comment_id"]!.GetValue<string>()
            : (await Mesh.OkAsync("comments/create", new { incident_id = incident, text = "theirs" }))["comment_id"]!.GetValue<string>();
    }

    private async Task<string> ConnectionAsync(string tenant) => (await Mesh.CreateConnectionAsync($"victim-{Guid.NewGuid():N}", ["INCIDENT_ACCESS"], [tenant])).ClientId;

    [Fact]
    public async Task Every_method_answers_each_rights_set_in_each_scope_as_the_rights_table_says()
    {
        var calls = Calls();
        // The table of rights and the table of calls name the same methods: a new method cannot be forgotten here.
        Assert.Equal(ApiMethods.All.Select(m => m.Name).Order(), calls.Keys.Order());

        var mismatches = new List<string>();
        foreach (var rights in Rights.All)
        {
            // auto_accept/set, called below, would otherwise accept the responses later rows decide on.
            await Mesh.OkAsync("auto_accept/set", new { mode = "DISABLED" });
            var (clientId, refresh) = await Mesh.CreateConnectionAsync($"matrix-{rights}", [rights], [_own]);
            var (access, _) = await Mesh.ConfirmAsync(clientId, refresh);
            foreach (var (method, (tenantScoped, body)) in calls)
                foreach (var scope in new[] { "own", "other", "root" })
                {
                    var expected = !ApiMethods.ByName[method].Rights.Contains(rights) ? 403 : tenantScoped && scope != "own" ? 404 : 200;
                    var (status, answer) = await Mesh.RawCallAsync(clientId, method, await body(Scope(scope), (clientId, access)), access);
                    if (status != expected) mismatches.Add($"{method} as {rights} on {scope}: {status}, expected {expected} {answer?.ToJsonString()}");
                }
        }

        Assert.Empty(mismatches);
    }

    [Fact]
    public async Task A_connection_sees_in_lists_and_counts_only_its_own_tenants()
    {
        var (clientId, refresh) = await Mesh.CreateConnectionAsync("customer", ["FULL_ACCESS"], [_own]);
        var (access, _) = await Mesh.ConfirmAsync(clientId, refresh);
        var mine = await IncidentAsync(_own);
        await IncidentAsync(_other);
        await IncidentAsync(Root);

        var (_, list) = await Mesh.RawCallAsync(clientId, "incidents/list", new { page_size = 1000 }, access);
        var (_, assets) = await Mesh.RawCallAsync(clientId, "assets/list", new { }, access);
        var (_, tenants) = await Mesh.RawCallAsync(clientId, "tenants/list", new { }, access);

        Assert.Contains(mine, list!.AsArray().Select(i => i!["incident_id"]!.GetValue<string>()));
        // tenant_name is the tenant's name, as tenants/list shows it.
        Assert.All(list.AsArray(), i => Assert.Equal("Own Ltd", i!["tenant_name"]!.GetValue<string>()));
        Assert.Equal([$"ws-{_own}"], assets!.AsArray().Select(a => a!["asset_id"]!.GetValue<string>()));
        Assert.Equal([_own], tenants!.AsArray().Select(t => t!["tenant_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Tenants_and_connections_lists_show_only_what_the_caller_reaches_a_page_at_a_time()
    {
        var alpha = await TenantAsync("Alpha");
        await TenantAsync("Bravo");
        var charlie = await TenantAsync("Charlie");
        // Connections are listed oldest first; the gateway's clock stands still in tests, so it moves between them.
        var (pager, refresh) = await ConnectionOverAsync("pager", ["FULL_ACCESS"], _own, alpha, charlie);
        var (ownOnly, _) = await ConnectionOverAsync("own-only", ["INCIDENT_ACCESS"], _own);
        await ConnectionOverAsync("other-only", ["INCIDENT_ACCESS"], _other);
        await ConnectionOverAsync("own-and-other", ["INCIDENT_ACCESS"], _own, _other);
        var (alphaCharlie, _) = await ConnectionOverAsync("alpha-charlie", ["INCIDENT_ACCESS"], alpha, charlie);
        await ConnectionOverAsync("everywhere", ["INCIDENT_ACCESS"]);
        var (access, _) = await Mesh.ConfirmAsync(pager, refresh);

        async Task<List<string>> ListAsync(string method, string key, object body)
        {
            var (status, answer) = await Mesh.RawCallAsync(pager, method, body, access);
            Assert.Equal(200, status);
            return answer!.AsArray().Select(item => item![key]!.GetValue<string>()).ToList();
        }

        // By name, only the tenants it reaches.
        Assert.Equal([alpha, charlie, _own], await ListAsync("tenants/list", "tenant_id", new { }));
        Assert.Equal([_own], await ListAsync("tenants/list", "tenant_id", new { page = 2, page_size = 2 }));
        Assert.Empty(await ListAsync("tenants/list", "tenant_id", new { page = 3, page_size = 2 }));
        // Oldest first, only the connections whose tenants are all its own (itself among them).
        Assert.Equal([pager, ownOnly, alphaCharlie], await ListAsync("api_connections/list", "client_id", new { }));
        Assert.Equal([ownOnly], await ListAsync("api_connections/list", "client_id", new { page = 2, page_size = 1 }));
        Assert.Empty(await ListAsync("api_connections/list", "client_id", new { page = 4, page_size = 1 }));

        // A caller that sends no body at all gets the first page, as before these lists took one.
        foreach (var (method, key, expected) in new[] { ("tenants/list", "tenant_id", new[] { alpha, charlie, _own }),
                     ("api_connections/list", "client_id", new[] { pager, ownOnly, alphaCharlie }) })
        {
            using var bare = new HttpRequestMessage(HttpMethod.Post, $"{pager}/{method}");
            bare.Headers.Authorization = new("Bearer", access);
            using var answer = await Mesh.Http.SendAsync(bare);
            Assert.Equal(200, (int)answer.StatusCode);
            Assert.Equal(expected, JsonNode.Parse(await answer.Content.ReadAsStringAsync())!.AsArray().Select(item => item![key]!.GetValue<string>()));
        }
    }

    private async Task<string> TenantAsync(string name) => (await Mesh.OkAsync("tenants/create", new { name }))["tenant_id"]!.GetValue<string>();

    private async Task<(string ClientId, string RefreshToken)> ConnectionOverAsync(string name, string[] rights, params string[] tenants)
    {
        var made = await Mesh.CreateConnectionAsync(name, rights, tenants);
        Mesh.TokenClock.Advance(TimeSpan.FromSeconds(1));
        return made;
    }

    // ---- Tokens ----

    [Fact]
    public async Task Refresh_tokens_rotate_and_a_reused_one_revokes_the_whole_chain()
    {
        var (clientId, first) = await Mesh.CreateConnectionAsync("rotator", ["INCIDENT_ACCESS"], [_own]);
        var (access1, second) = await Mesh.ConfirmAsync(clientId, first);
        var (access2, third) = await Mesh.ConfirmAsync(clientId, second);
        Assert.Equal(200, (await Mesh.RawCallAsync(clientId, "incidents/count", new { }, access1)).Status); // reusable until it expires

        // Within the grace period (Access:RefreshReuseGrace, 30 s) a second presentation is a client's retry; after it, theft.
        Mesh.TokenClock.Advance(TimeSpan.FromSeconds(31));
        var reuse = await Mesh.RawCallAsync(clientId, "session/confirm", new { refresh_token = first }, null);

        Assert.Equal(401, reuse.Status);
        Assert.Equal(401, (await Mesh.RawCallAsync(clientId, "session/confirm", new { refresh_token = third }, null)).Status);
        Assert.Equal(401, (await Mesh.RawCallAsync(clientId, "incidents/count", new { }, access2)).Status);
    }

    [Fact]
    public async Task Access_tokens_expire_after_an_hour_refresh_tokens_after_seven_days_and_the_first_after_a_day()
    {
        var (clientId, first) = await Mesh.CreateConnectionAsync("clockwork", ["INCIDENT_ACCESS"], [_own]);
        var (unused, unusedFirst) = await Mesh.CreateConnectionAsync("never-confirmed", ["INCIDENT_ACCESS"], [_own]);
        var (access, refresh) = await Mesh.ConfirmAsync(clientId, first);

        Mesh.TokenClock.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(401, (await Mesh.RawCallAsync(clientId, "incidents/count", new { }, access)).Status);
        var (fresh, refresh2) = await Mesh.ConfirmAsync(clientId, refresh);
        Assert.Equal(200, (await Mesh.RawCallAsync(clientId, "incidents/count", new { }, fresh)).Status);

        Mesh.TokenClock.Advance(TimeSpan.FromHours(24));
        Assert.Equal(401, (await Mesh.RawCallAsync(unused, "session/confirm", new { refresh_token = unusedFirst }, null)).Status);

        Mesh.TokenClock.Advance(TimeSpan.FromDays(6));
        Assert.Equal(401, (await Mesh.RawCallAsync(clientId, "session/confirm", new { refresh_token = refresh2 }, null)).Status);
    }

    [Fact]
    public async Task A_revoked_or_deleted_connection_is_refused_and_statuses_follow_its_life()
    {
        var (revokedId, r1) = await Mesh.CreateConnectionAsync("to-revoke", ["INCIDENT_ACCESS"], [_own]);
        var (deletedId, d1) = await Mesh.CreateConnectionAsync("to-delete", ["INCIDENT_ACCESS"], [_own]);
        Assert.Equal("Pending activation", await StatusAsync(revokedId));
        var (revokedAccess, r2) = await Mesh.ConfirmAsync(revokedId, r1);
        var (deletedAccess, d2) = await Mesh.ConfirmAsync(deletedId, d1);
        Assert.Equal("Active", await StatusAsync(revokedId));

        await Mesh.OkAsync("api_connections/revoke", new { client_id = revokedId });
        await Mesh.OkAsync("api_connections/delete", new { client_id = deletedId });

        Assert.Equal("Revoked", await StatusAsync(revokedId));
        Assert.Null(await StatusAsync(deletedId));
        Assert.Equal(401, (await Mesh.RawCallAsync(revokedId, "incidents/count", new { }, revokedAccess)).Status);
        Assert.Equal(401, (await Mesh.RawCallAsync(revokedId, "session/confirm", new { refresh_token = r2 }, null)).Status);
        Assert.Equal(401, (await Mesh.RawCallAsync(deletedId, "incidents/count", new { }, deletedAccess)).Status);
        Assert.Equal(401, (await Mesh.RawCallAsync(deletedId, "session/confirm", new { refresh_token = d2 }, null)).Status);
    }

    private async Task<string?> StatusAsync(string clientId) =>
        (await Mesh.OkAsync("api_connections/list", new { })).AsArray()
        .FirstOrDefault(c => c!["client_id"]!.GetValue<string>() == clientId)?["status"]!.GetValue<string>();

    [Fact]
    public async Task Bad_tokens_are_refused_with_401()
    {
        var (clientId, first) = await Mesh.CreateConnectionAsync("target", ["INCIDENT_ACCESS"], [_own]);
        var (access, _) = await Mesh.ConfirmAsync(clientId, first);
        var (otherId, otherFirst) = await Mesh.CreateConnectionAsync("someone-else", ["INCIDENT_ACCESS"], [_own]);
        var (otherAccess, _) = await Mesh.ConfirmAsync(otherId, otherFirst);
        var parts = access.Split('.');
        static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        var cases = new Dictionary<string, string?>
        {
            ["no header"] = null,
            ["malformed"] = "not-a-jwt",
            ["wrong signature"] = $"{parts[0]}.{parts[1]}.{B64("forged-signature")}",
            ["alg none"] = $"{B64("""{"alg":"none","typ":"JWT"}""")}.{parts[1]}.",
            ["another client's token"] = otherAccess,
            ["a refresh token"] = first,
        };
        foreach (var (name, token) in cases)
            Assert.True((await Mesh.RawCallAsync(clientId, "incidents/count", new { }, token)).Status == 401, name);

        Mesh.TokenClock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(401, (await Mesh.RawCallAsync(clientId, "incidents/count", new { }, access)).Status);
    }

    [Fact]
    public async Task A_service_reached_directly_without_the_gateway_refuses_the_request()
    {
        var incidents = Mesh.ServiceAddress("Incidents");
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{incidents}/api/v1/x/incidents/count") { Content = JsonContent.Create(new { }) };
        request.Headers.Add("X-MdrMesh-Caller", "intruder");
        request.Headers.Add("X-MdrMesh-Tenants", "*");

        using var response = await http.SendAsync(request);

        Assert.Equal(401, (int)response.StatusCode);
    }

    [Fact]
    public async Task The_connection_name_is_the_author_in_history_and_decisions()
    {
        var (clientId, first) = await Mesh.CreateConnectionAsync("Jane at Own Ltd", ["RESPONSE_MANAGEMENT"], [_own]);
        var (access, _) = await Mesh.ConfirmAsync(clientId, first);
        var incident = await IncidentAsync(_own);
        var response = await Mesh.ProposeAsync(incident, "DISABLE_ISOLATION", new { }, $"ws-{_own}");

        var (status, decided) = await Mesh.RawCallAsync(clientId, "response/update", new { response_id = response, status = "Declined", comment = "not now" }, access);

        Assert.Equal(200, status);
        Assert.Equal("Jane at Own Ltd", decided!["decided_by"]!.GetValue<string>());
        await Mesh.WaitForStatusAsync(incident, response, "Declined");
        Assert.Contains(("Declined", "Jane at Own Ltd"), await Mesh.ResponseHistoryAsync(incident, response));
    }
}
