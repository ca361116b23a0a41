using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MdrMesh.Approvals;
using MdrMesh.Executor;
using MdrMesh.Gateway;
using MdrMesh.Incidents;
using MdrMesh.Notifications;
using MdrMesh.ServiceDefaults;
using MdrMesh.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace MdrMesh.Testing;

/// <summary>
/// The whole system for one test class: the four services, each a real web host on a loopback
/// port with its own Marten schema, in a database and RabbitMQ vhost of their own, sharing one
/// injectable clock. Requests go through the gateway, as a customer's script would.
/// </summary>
public sealed class Mesh : IAsyncDisposable
{
    private readonly Infrastructure _infrastructure;
    private readonly Dictionary<string, string?> _config;
    private readonly Dictionary<string, WebApplication> _hosts = [];
    // Services stopped gracefully, by the address they listened on: started again there, as a container keeps its name.
    private readonly Dictionary<string, string> _stopped = [];
    private string _database = "";
    private RabbitMqVhost _vhost = null!;

    /// <summary>The clock of the incidents, approvals and executor services.</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };

    /// <summary>The gateway's clock, which tokens expire by: apart, so moving the services' time leaves tokens valid.</summary>
    public FakeTimeProvider TokenClock { get; } = new(DateTimeOffset.UtcNow);

    private readonly Dictionary<string, string> _accessTokens = [];

    /// <summary>The first connection's client id and one-time refresh token, as the first start wrote them.</summary>
    public (string ClientId, string RefreshToken) FirstCredentials { get; private set; }
    public HttpClient Http { get; private set; } = null!;
    public RabbitMqVhost Vhost => _vhost;

    private Mesh(Infrastructure infrastructure, Dictionary<string, string?> config)
    {
        _infrastructure = infrastructure;
        _config = config;
    }

    /// <summary>
    /// Settings that write everything the services log from <paramref name="level"/> to <paramref name="logFile"/>, the
    /// categories they quiet by default included (<see cref="ServiceDefaults.Telemetry.QuietByDefault"/>).
    /// </summary>
    public static Dictionary<string, string?> LogEverything(string logFile, string level) => new(
        ServiceDefaults.Telemetry.QuietByDefault.Select(category => KeyValuePair.Create($"Logging:LogLevel:{category}", (string?)level)))
    {
        ["Test:LogFile"] = logFile, ["Test:LogLevel"] = level, ["Logging:LogLevel:Default"] = level,
    };

    /// <summary>
    /// Starts every service on a database and virtual host of their own; <paramref name="prepareDatabase"/>, when given,
    /// runs on the new database (its connection string) before any service starts: a store left by an earlier version.
    /// </summary>
    public static async Task<Mesh> StartAsync(Infrastructure infrastructure, string fleetJson, Dictionary<string, string?>? settings = null,
        Func<string, Task>? prepareDatabase = null)
    {
        var fleetFile = Path.Combine(Path.GetTempPath(), $"mdrmesh-fleet-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(fleetFile, fleetJson);
        var mesh = new Mesh(infrastructure, new Dictionary<string, string?>
        {
            ["Executor:FleetFile"] = fleetFile,
            ["Approvals:DeadlineSweepInterval"] = "00:00:00.2",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Access:SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            // A directory of its own: the console's first password is written beside the credentials.
            ["Access:BootstrapCredentialsFile"] = Path.Combine(Path.GetTempPath(), $"mdrmesh-credentials-{Guid.NewGuid():N}", "credentials.json"),
            ["Api:InternalKey"] = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)),
            ["IsolationPasswords:Keys:mesh-1"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["IsolationPasswords:CurrentKeyId"] = "mesh-1",
            ["Notifications:SecretKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            // Far above what any test sends; a test of the limiter sets its own.
            ["RateLimiting:PermitsPerSecond"] = "1000000",
            ["RateLimiting:Burst"] = "1000000",
        });
        foreach (var (key, value) in settings ?? []) mesh._config[key] = value;

        mesh._database = await infrastructure.CreateDatabaseAsync("mesh");
        if (prepareDatabase is not null) await prepareDatabase(mesh._database);
        mesh._vhost = await infrastructure.CreateVhostAsync("mesh");
        mesh._config["ConnectionStrings:Postgres"] = mesh._database;
        mesh._config["RabbitMq:Host"] = mesh._vhost.Server.Host;
        mesh._config["RabbitMq:Port"] = mesh._vhost.Server.Port.ToString();
        mesh._config["RabbitMq:VirtualHost"] = mesh._vhost.Name;
        mesh._config["RabbitMq:Username"] = mesh._vhost.Server.Username;
        mesh._config["RabbitMq:Password"] = mesh._vhost.Server.Password;

        foreach (var service in new[] { "Incidents", "Approvals", "Executor", "Notifications" }) await mesh.StartServiceAsync(service);
        await mesh.StartServiceAsync("Gateway");
        mesh.Http = new HttpClient { BaseAddress = new Uri($"{Address(mesh._hosts["Gateway"])}/api/v1/") };
        var credentials = JsonNode.Parse(await File.ReadAllTextAsync(mesh._config["Access:BootstrapCredentialsFile"]!))!;
        mesh.FirstCredentials = (credentials["client_id"]!.GetValue<string>(), credentials["refresh_token"]!.GetValue<string>());
        return mesh;
    }

    public WebApplication Service(string name) => _hosts[name];

    /// <summary>The connection string of this mesh's own database (for tests that inspect what is stored).</summary>
    public string DatabaseConnectionString => _database;

    public string ServiceAddress(string name) => Address(_hosts[name]);

    /// <summary>A setting every service of this mesh was started with (its database, its keys).</summary>
    public IReadOnlyDictionary<string, string?> Settings => _config;

    /// <summary>
    /// Starts a service (again), with extra settings for this start only; <paramref name="replace"/> may swap
    /// a part of it for a faulty one (registered last, so it wins). With <paramref name="instance"/>, a further instance of the
    /// service beside the running one, against the same database and broker (its consumers compete for the same queues),
    /// known by that name to <see cref="Service"/> and <see cref="KillServiceAsync"/>; the gateway keeps calling the first.
    /// </summary>
    public async Task StartServiceAsync(string name, Dictionary<string, string?>? settings = null, Action<IServiceCollection>? replace = null,
        string? instance = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        _stopped.Remove(instance ?? name, out var address);
        builder.WebHost.UseUrls(address ?? "http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(_config);
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        foreach (var service in new[] { "Incidents", "Approvals", "Executor", "Notifications" })
            if (_hosts.TryGetValue(service, out var running)) builder.Configuration[$"Services:{service}"] = Address(running);
        switch (name)
        {
            case "Incidents": builder.AddIncidents(); break;
            case "Approvals": builder.AddApprovals(); break;
            case "Executor": builder.AddExecutor(); break;
            case "Notifications": builder.AddNotifications(); break;
            case "Gateway": builder.AddGateway(); break;
        }
        builder.Services.AddSingleton<TimeProvider>(name == "Gateway" ? TokenClock : Clock);
        replace?.Invoke(builder.Services);
        builder.Logging.ClearProviders();
        // A test may capture the log itself (Test:LogFile, Test:LogLevel); otherwise MDRMESH_TEST_LOGS keeps warnings for debugging.
        if ((builder.Configuration["Test:LogFile"] ?? Environment.GetEnvironmentVariable("MDRMESH_TEST_LOGS")) is { Length: > 0 } logFile)
            builder.Logging.AddProvider(new FileLoggerProvider(logFile, name, LogLevelOf(builder.Configuration["Test:LogLevel"])));

        var app = builder.Build();
        switch (name)
        {
            case "Incidents": app.MapIncidents(); break;
            case "Approvals": app.MapApprovals(); break;
            case "Executor": app.MapExecutor(); break;
            case "Notifications": app.MapNotifications(); break;
            case "Gateway": app.MapGateway(); break;
        }
        await app.StartAsync();
        _hosts[instance ?? name] = app;
        if (instance is not null) return;
        if (name == "Gateway" && Http is not null)
        {
            Http.Dispose();
            Http = new HttpClient { BaseAddress = new Uri($"{Address(app)}/api/v1/") };
        }
        // A restarted service listens on a new port (unless it was stopped gracefully): the gateway must learn it.
        if (name != "Gateway" && address is null && _hosts.Remove("Gateway", out var gateway))
        {
            await gateway.DisposeAsync();
            await StartServiceAsync("Gateway");
        }
    }

    /// <summary>
    /// Stops a service the way SIGTERM does: the host stops within its <c>Shutdown:Timeout</c>, draining what is in flight, and
    /// the process ends (its host is disposed). <see cref="StartServiceAsync"/> starts it again on the same address, so the
    /// gateway, which keeps running, answers 503 with Retry-After meanwhile and reaches it again afterwards.
    /// </summary>
    public async Task StopServiceAsync(string name)
    {
        var app = _hosts[name];
        var address = Address(app);
        await app.StopAsync();
        _hosts.Remove(name);
        await app.DisposeAsync();
        _stopped[name] = address;
    }

    private static LogLevel LogLevelOf(string? level) => Enum.TryParse<LogLevel>(level, true, out var parsed) ? parsed : LogLevel.Warning;

    /// <summary>Stops a service the hard way: no draining, its host simply goes away.</summary>
    public async Task KillServiceAsync(string name)
    {
        var app = _hosts[name];
        _hosts.Remove(name);
        await app.DisposeAsync();
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    /// <summary>
    /// Calls an API method as the API connection named <paramref name="caller"/> and returns the
    /// status and the JSON body. Connections are made on first use: "soc" holds SOC_OPERATOR and
    /// FULL_ACCESS, any other name FULL_ACCESS; both over every tenant.
    /// </summary>
    public async Task<(int Status, JsonNode? Body)> CallAsync(string method, object body, string caller = "soc", string? idempotencyKey = null)
    {
        var (clientId, token) = await AccessTokenAsync(caller);
        return await RawCallAsync(clientId, method, body, token, idempotencyKey);
    }

    /// <summary>
    /// Calls a method with exactly the client id and bearer token given (null: no Authorization header).
    /// The body is sent as JSON, or as it is when it is already <see cref="HttpContent"/> (an upload's multipart form);
    /// <paramref name="idempotencyKey"/> as the <c>Idempotency-Key</c> header; through <paramref name="gateway"/> (another
    /// gateway instance's client) or this mesh's.
    /// </summary>
    public async Task<(int Status, JsonNode? Body)> RawCallAsync(string clientId, string method, object body, string? bearer,
        string? idempotencyKey = null, HttpClient? gateway = null)
    {
        var deadline = DateTime.UtcNow + NotYetKnownPatience;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{clientId}/{method}") { Content = body as HttpContent ?? JsonContent.Create(body) };
            if (bearer is not null) request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {bearer}");
            if (idempotencyKey is not null) request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
            using var response = await (gateway ?? Http).SendAsync(request);
            // As a client script should: a 404 that says when to ask again (a decision sent before its proposal reached the
            // approvals service) is sent again then, for a while.
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound && response.Headers.RetryAfter?.Delta is { } wait
                && body is not HttpContent && DateTime.UtcNow + wait < deadline)
            {
                await Task.Delay(wait);
                continue;
            }
            return await ReadAsync(response);
        }
    }

    /// <summary>How long a call answered 404 with Retry-After is sent again.</summary>
    public static readonly TimeSpan NotYetKnownPatience = TimeSpan.FromSeconds(5);

    private static async Task<(int Status, JsonNode? Body)> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        // A download answers bytes, not JSON: only its status matters here.
        var json = response.Content.Headers.ContentType?.MediaType is "application/json" or "application/problem+json";
        return ((int)response.StatusCode, text.Length == 0 || !json ? null : JsonNode.Parse(text));
    }

    /// <summary>Calls a method that must succeed.</summary>
    public async Task<JsonNode> OkAsync(string method, object body, string caller = "soc")
    {
        var (status, json) = await CallAsync(method, body, caller);
        if (status != 200) throw new Xunit.Sdk.XunitException($"{method} answered {status}: {json?.ToJsonString()}");
        return json!;
    }

    private readonly SemaphoreSlim _connecting = new(1, 1);
    private (string ClientId, string RefreshToken)? _admin;

    /// <summary>Exchanges a refresh token at session/confirm; returns both new tokens.</summary>
    public async Task<(string Access, string Refresh)> ConfirmAsync(string clientId, string refreshToken)
    {
        var (status, body) = await RawCallAsync(clientId, "session/confirm", new { refresh_token = refreshToken }, null);
        if (status != 200) throw new Xunit.Sdk.XunitException($"session/confirm answered {status}: {body?.ToJsonString()}");
        return (body!["access_token"]!.GetValue<string>(), body["refresh_token"]!.GetValue<string>());
    }

    /// <summary>Creates a connection through the API as the first connection; returns its client id and first refresh token.</summary>
    public async Task<(string ClientId, string RefreshToken)> CreateConnectionAsync(string name, string[] rights, string[]? tenantIds = null)
    {
        var (adminId, adminToken) = await AccessTokenAsync(null);
        var (status, body) = await RawCallAsync(adminId, "api_connections/create", new { name, rights, tenant_ids = tenantIds ?? [] }, adminToken);
        if (status != 200) throw new Xunit.Sdk.XunitException($"api_connections/create answered {status}: {body?.ToJsonString()}");
        return (body!["client_id"]!.GetValue<string>(), body["refresh_token"]!.GetValue<string>());
    }

    /// <summary>The client id and an access token of the connection named <paramref name="caller"/> (as <see cref="CallAsync"/> makes it).</summary>
    public Task<(string ClientId, string Token)> TokenAsync(string caller) => AccessTokenAsync(caller);

    private async Task<(string ClientId, string Token)> AccessTokenAsync(string? caller)
    {
        await _connecting.WaitAsync();
        try
        {
            if (_admin is null)
            {
                var (access, refresh) = await ConfirmAsync(FirstCredentials.ClientId, FirstCredentials.RefreshToken);
                _admin = (FirstCredentials.ClientId, refresh);
                _accessTokens[""] = $"{FirstCredentials.ClientId} {access}";
            }
            var key = caller ?? "";
            if (!_accessTokens.TryGetValue(key, out var entry))
            {
                var (adminId, adminAccess) = Split(_accessTokens[""]);
                var rights = caller == "soc" ? new[] { "SOC_OPERATOR", "FULL_ACCESS" } : ["FULL_ACCESS"];
                var (status, body) = await RawCallAsync(adminId, "api_connections/create", new { name = caller, rights }, adminAccess);
                if (status != 200) throw new Xunit.Sdk.XunitException($"api_connections/create answered {status}: {body?.ToJsonString()}");
                var clientId = body!["client_id"]!.GetValue<string>();
                var (access, _) = await ConfirmAsync(clientId, body["refresh_token"]!.GetValue<string>());
                entry = _accessTokens[key] = $"{clientId} {access}";
            }
            return Split(entry);
        }
        finally
        {
            _connecting.Release();
        }

        static (string, string) Split(string entry) => (entry[..entry.IndexOf(' ')], entry[(entry.IndexOf(' ') + 1)..]);
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        foreach (var host in _hosts.Values.Reverse())
        {
            await host.StopAsync();
            await host.DisposeAsync();
        }
        await _infrastructure.DeleteVhostAsync(_vhost);
        await _infrastructure.DropDatabaseAsync(_database);
        if (_config["Executor:FleetFile"] is { } file) File.Delete(file);
        if (_config["Access:BootstrapCredentialsFile"] is { } credentials && Path.GetDirectoryName(credentials) is { } directory && Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
    }

    /// <summary>The web console's first user and its one-time password, as the first start wrote them.</summary>
    public async Task<(string UserName, string Password)> ConsoleAdministratorAsync()
    {
        var file = Path.Combine(Path.GetDirectoryName(_config["Access:BootstrapCredentialsFile"]!)!, "console-admin.json");
        var written = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        return (written["user_name"]!.GetValue<string>(), written["one_time_password"]!.GetValue<string>());
    }
}

public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes.</summary>
    public static async Task HoldsAsync(Func<bool> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Not within {within.TotalSeconds} s: {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds, or fails after the deadline.</summary>
    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await probe();
            if (condition(value)) return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Not within {seconds} s: {what}. Last: {(value is JsonNode n ? n.ToJsonString() : value)}");
            await Task.Delay(50);
        }
    }
}
