using System.Net;
using System.Net.Http.Json;
using System.Text;
using Marten;
using MdrMesh.Gateway.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MdrMesh.Security.Tests;

/// <summary>Races, floods, oversized bodies, dead services and look-alike names, through the real gateway.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class GatewayAbuseTests(Infrastructure infrastructure) : MeshTests(infrastructure)
{
    [Fact]
    public async Task One_refresh_token_presented_16_times_at_once_gets_16_pairs_and_a_late_reuse_revokes_the_chain()
    {
        var (clientId, first) = await Mesh.CreateConnectionAsync("racer", ["INCIDENT_ACCESS"]);
        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
            Mesh.RawCallAsync(clientId, "session/confirm", new { refresh_token = first }, null))));

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        var access = answers[0].Body!["access_token"]!.GetValue<string>();
        Assert.Equal(200, (await Mesh.RawCallAsync(clientId, "incidents/count", new { }, access)).Status);

        // Past the grace period the same token is theft: the chain is cut, newer tokens included.
        Mesh.TokenClock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(401, (await Mesh.RawCallAsync(clientId, "session/confirm", new { refresh_token = first }, null)).Status);
        Assert.Equal(401, (await Mesh.RawCallAsync(clientId, "incidents/count", new { }, access)).Status);
        var newer = answers[1].Body!["refresh_token"]!.GetValue<string>();
        Assert.Equal(401, (await Mesh.RawCallAsync(clientId, "session/confirm", new { refresh_token = newer }, null)).Status);
    }

    [Fact]
    public async Task A_connection_revoked_through_another_gateway_instance_is_refused_within_the_cache_lifetime()
    {
        var (clientId, refresh) = await Mesh.CreateConnectionAsync("elsewhere", ["INCIDENT_ACCESS"]);
        var (access, _) = await Mesh.ConfirmAsync(clientId, refresh);
        Assert.Equal(200, (await Mesh.RawCallAsync(clientId, "incidents/count", new { }, access)).Status);

        // Another instance revokes it: written to the shared database, past this gateway's cache.
        var store = Mesh.Service("Gateway").Services.GetRequiredService<IDocumentStore>();
        await using (var session = store.LightweightSession())
        {
            var connection = await session.LoadAsync<ApiConnection>(clientId);
            session.Store(connection! with { RevokedAt = DateTimeOffset.UtcNow });
            await session.SaveChangesAsync();
        }

        await Eventually.ReturnsAsync(() => Mesh.RawCallAsync(clientId, "incidents/count", new { }, access), a => a.Status == 401,
            "the revocation takes effect (Access:ConnectionCacheSeconds, 5 s)");
    }

    [Fact]
    public async Task A_refresh_token_read_from_a_file_with_its_newline_is_the_token_it_contains()
    {
        var (clientId, first) = await Mesh.CreateConnectionAsync("from a file", ["INCIDENT_ACCESS"]);

        var (status, body) = await Mesh.RawCallAsync(clientId, "session/confirm", new { refresh_token = $"  {first}\r\n" }, null);

        Assert.Equal(200, status);
        Assert.Equal(200, (await Mesh.RawCallAsync(clientId, "incidents/count", new { }, body!["access_token"]!.GetValue<string>())).Status);
        Assert.Equal(400, (await Mesh.RawCallAsync(clientId, "session/confirm", new { refresh_token = " \n" }, null)).Status);
    }

    [Fact]
    public async Task A_burst_of_concurrent_calls_on_one_connection_gets_no_5xx_and_its_use_is_recorded()
    {
        await Mesh.OkAsync("tenants/list", new { }, "burst");
        string[] methods = ["incidents/count", "tenants/list", "assets/count", "api_connections/list", "auto_accept/get"];
        var answers = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => Task.Run(async () =>
            await Mesh.CallAsync(methods[i % methods.Length], new { }, "burst"))));

        Assert.Empty(answers.Where(a => a.Status != 200).Select(a => $"{a.Status} {a.Body?.ToJsonString()}"));
        var list = await Mesh.OkAsync("api_connections/list", new { });
        var burst = list.AsArray().Single(c => c!["name"]!.GetValue<string>() == "burst")!;
        Assert.Equal("Active", burst["status"]!.GetValue<string>());
        Assert.NotNull(burst["last_used_at"]);
    }

    [Fact]
    public async Task A_body_over_1_MiB_is_refused_with_413()
    {
        await Mesh.OkAsync("tenants/list", new { });
        var huge = new { summary = new string('x', 2 * 1024 * 1024) };
        foreach (var method in new[] { "incidents/create", "tenants/create" })
            Assert.Equal(413, (await Mesh.CallAsync(method, huge)).Status);
    }

    [Fact]
    public async Task A_service_that_is_gone_is_a_503_with_Retry_After()
    {
        await Mesh.OkAsync("assets/count", new { });
        await Mesh.KillServiceAsync("Executor");
        await RetryLater.AssertAsync(Mesh, "assets/count", HttpStatusCode.ServiceUnavailable);
        Assert.Equal(200, (await Mesh.CallAsync("incidents/count", new { })).Status);
    }

    [Fact]
    public async Task Connection_names_are_unique_ignoring_case_and_never_a_system_actor()
    {
        await Mesh.CreateConnectionAsync("Jane at Own Ltd", ["INCIDENT_ACCESS"]);
        foreach (var name in new[] { "Jane at Own Ltd", "JANE AT OWN LTD", "jane at own ltd" })
        {
            var (status, body) = await Mesh.CallAsync("api_connections/create", new { name, rights = new[] { "INCIDENT_ACCESS" } });
            Assert.Equal(409, status);
            Assert.NotNull(body?["title"]);
        }
        foreach (var name in new[] { "auto-accept", "Auto-accept setting v3 (ALL)", "MdrMesh", "mdrmesh", "Executor", "first start", " first  START " })
        {
            var (status, body) = await Mesh.CallAsync("api_connections/create", new { name, rights = new[] { "INCIDENT_ACCESS" } });
            Assert.Equal(400, status);
            Assert.NotNull(body?["errors"]?["name"]);
        }
    }

    [Fact]
    public async Task Concurrent_creates_of_one_name_make_one_connection()
    {
        await Mesh.OkAsync("tenants/list", new { });
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            (await Mesh.CallAsync("api_connections/create", new { name = "twin", rights = new[] { "INCIDENT_ACCESS" } })).Status)));
        Assert.Equal(1, answers.Count(s => s == 200));
        Assert.All(answers, s => Assert.True(s is 200 or 409, $"{s}"));
    }

    [Fact]
    public async Task The_access_schema_holds_no_token_text_and_the_first_credentials_are_owner_only()
    {
        var tokens = new List<string> { Mesh.FirstCredentials.RefreshToken };
        for (var i = 0; i < 3; i++)
        {
            var (clientId, refresh) = await Mesh.CreateConnectionAsync($"stored-{i}", ["INCIDENT_ACCESS"]);
            var (access, next) = await Mesh.ConfirmAsync(clientId, refresh);
            Assert.Equal(200, (await Mesh.RawCallAsync(clientId, "incidents/count", new { }, access)).Status);
            tokens.AddRange([refresh, access, next]);
        }
        // Each token whole and its signature alone: neither may be stored anywhere in the schema.
        var needles = tokens.Concat(tokens.Select(t => t[(t.LastIndexOf('.') + 1)..])).ToList();

        await using var db = new NpgsqlConnection(Mesh.DatabaseConnectionString);
        await db.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'access'", db))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        Assert.Contains(tables, t => t.Contains("refreshtokenrecord", StringComparison.OrdinalIgnoreCase));

        var rows = 0;
        foreach (var table in tables)
        {
            await using var select = new NpgsqlCommand($"SELECT t::text FROM access.\"{table}\" t", db);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows++;
                var row = reader.GetString(0);
                Assert.DoesNotContain(needles, n => row.Contains(n, StringComparison.Ordinal));
            }
        }
        Assert.True(rows > 0);

        var file = Mesh.Service("Gateway").Configuration["Access:BootstrapCredentialsFile"]!;
        if (OperatingSystem.IsWindows()) return;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        // The console's first password, beside it, likewise.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Path.GetDirectoryName(file)!, "console-admin.json")));
    }
}

/// <summary>The limiter, with a budget small enough to reach.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class GatewayRateLimitTests(Infrastructure infrastructure) : MeshTests(infrastructure)
{
    protected override Dictionary<string, string?> Settings => new() { ["RateLimiting:PermitsPerSecond"] = "1", ["RateLimiting:Burst"] = "20" };

    private async Task<HttpResponseMessage> PostAsync(string clientId, string method, string? bearer)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{clientId}/{method}") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        if (bearer is not null) request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {bearer}");
        return await Mesh.Http.SendAsync(request);
    }

    [Fact]
    public async Task A_connection_over_its_budget_gets_429_with_Retry_After_and_strangers_cannot_spend_it()
    {
        var (clientId, refresh) = await Mesh.CreateConnectionAsync("limited", ["INCIDENT_ACCESS"]);
        var (access, _) = await Mesh.ConfirmAsync(clientId, refresh);

        // Unauthenticated calls in the victim's name are refused before the limiter: its bucket stays full.
        var strangers = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => PostAsync(clientId, "incidents/count", "forged")));
        Assert.All(strangers, r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        using (var own = await PostAsync(clientId, "incidents/count", access)) Assert.Equal(HttpStatusCode.OK, own.StatusCode);

        var flood = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => PostAsync(clientId, "incidents/count", access)));
        Assert.DoesNotContain(flood, r => (int)r.StatusCode >= 500);
        var limited = flood.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.All(limited, r =>
        {
            Assert.NotNull(r.Headers.RetryAfter);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        });
    }
}

/// <summary>A service slower than the gateway waits for is a 504 with Retry-After, never a hung or failed call.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class GatewayTimeoutTests(Infrastructure infrastructure) : MeshTests(infrastructure)
{
    // The incidents service answers every call 2 s late, four times the gateway's timeout: each forwarded call to it
    // outlasts the timeout (a 1 ms timeout alone was a race a fast answer could win); the gateway's own methods are unaffected.
    protected override Dictionary<string, string?> Settings => new() { ["Gateway:ForwardTimeout"] = "00:00:00.500" };

    protected override async Task SetUpAsync()
    {
        await Mesh.KillServiceAsync("Incidents");
        await Mesh.StartServiceAsync("Incidents", replace: services => services.AddSingleton<IStartupFilter, SlowAnswers>());
    }

    private sealed class SlowAnswers : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, following) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(2), context.RequestAborted);
                await following(context);
            });
            next(app);
        };
    }

    [Fact]
    public async Task A_forwarded_call_past_the_timeout_is_a_504_problem_with_Retry_After()
    {
        await RetryLater.AssertAsync(Mesh, "incidents/count", HttpStatusCode.GatewayTimeout);
        Assert.Equal(200, (await Mesh.CallAsync("tenants/list", new { })).Status);
    }
}

/// <summary>What reaches a service is what the gateway names: never a header the caller sent that is not on its list.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class GatewayHeaderTests(Infrastructure infrastructure) : MeshTests(infrastructure)
{
    /// <summary>The incidents service, started again with a note of every request's headers as it arrives.</summary>
    protected override async Task SetUpAsync()
    {
        await Mesh.KillServiceAsync("Incidents");
        await Mesh.StartServiceAsync("Incidents", replace: services => services.AddSingleton<SeenRequests>().AddSingleton<IStartupFilter, SeenRequests>(
            provider => provider.GetRequiredService<SeenRequests>()));
    }

    private sealed class SeenRequests : IStartupFilter
    {
        public System.Collections.Concurrent.ConcurrentQueue<(string Path, Dictionary<string, string[]> Headers)> All { get; } = new();

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, following) =>
            {
                All.Enqueue((context.Request.Path.Value ?? "",
                    context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.Select(v => v ?? "").ToArray(), StringComparer.OrdinalIgnoreCase)));
                await following(context);
            });
            next(app);
        };
    }

    [Fact]
    public async Task Cookies_tokens_and_spoofed_identity_headers_of_the_caller_never_reach_the_service()
    {
        var (clientId, refresh) = await Mesh.CreateConnectionAsync("reader", ["INCIDENT_ACCESS"]);
        var (access, _) = await Mesh.ConfirmAsync(clientId, refresh);
        var (otherId, _) = await Mesh.CreateConnectionAsync("someone else", ["FULL_ACCESS"]);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{clientId}/incidents/count") { Content = JsonContent.Create(new { }) };
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {access}");
        request.Headers.TryAddWithoutValidation("Cookie", "session=stolen");
        request.Headers.TryAddWithoutValidation("X-MdrMesh-Caller-Id", otherId);
        request.Headers.TryAddWithoutValidation("X-MdrMesh-Caller", "someone else");
        request.Headers.TryAddWithoutValidation("X-MdrMesh-Rights", "FULL_ACCESS,SOC_OPERATOR");
        request.Headers.TryAddWithoutValidation("X-MdrMesh-Tenants", "*");
        request.Headers.TryAddWithoutValidation("X-MdrMesh-Internal-Key", "a guess");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "10.0.0.1");
        request.Headers.TryAddWithoutValidation("X-Anything", "at all");
        request.Headers.TryAddWithoutValidation("Idempotency-Key", "kept-as-sent");

        using var response = await Mesh.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(Mesh.Service("Incidents").Services.GetRequiredService<SeenRequests>().All, r => r.Path.EndsWith("/incidents/count"));
        Assert.Equal($"/api/v1/{clientId}/incidents/count", seen.Path);
        var headers = seen.Headers;
        foreach (var header in new[] { "Authorization", "Cookie", "X-Forwarded-For", "X-Anything" })
            Assert.False(headers.ContainsKey(header), $"{header} reached the service");
        // Each identity header once, as the gateway knows the caller (not twice, the caller's spelling beside it).
        Assert.Equal([clientId], headers["X-MdrMesh-Caller-Id"]);
        Assert.Equal(["reader"], headers["X-MdrMesh-Caller"]);
        Assert.Equal(["INCIDENT_ACCESS"], headers["X-MdrMesh-Rights"]);
        Assert.Single(headers["X-MdrMesh-Tenants"]);
        Assert.Equal([Mesh.Settings["Api:InternalKey"]!], headers["X-MdrMesh-Internal-Key"]);
        Assert.Equal(["kept-as-sent"], headers["Idempotency-Key"]);
        Assert.StartsWith("application/json", Assert.Single(headers["Content-Type"]));
    }
}

/// <summary>An answer that tells the caller to come back: the status, problem+json and Retry-After.</summary>
internal static class RetryLater
{
    public static async Task AssertAsync(Mesh mesh, string method, HttpStatusCode expected)
    {
        var (clientId, token) = await mesh.TokenAsync("soc");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{clientId}/{method}") { Content = JsonContent.Create(new { }) };
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}");
        using var response = await mesh.Http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
