using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MdrMesh.Approvals;
using MdrMesh.Executor;
using MdrMesh.Gateway;
using MdrMesh.Incidents;
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

namespace MdrMesh.EndToEnd.Tests;

/// <summary>
/// The whole system for one test class: the four services, each a real web host on a loopback
/// port with its own Marten schema, in a database and RabbitMQ vhost of their own, sharing one
/// injectable clock. Requests go through the gateway, as a customer's script would.
/// </summary>
public sealed class Mesh : IAsyncDisposable
{
    public const string ClientId = "test-client";
    private readonly Infrastructure _infrastructure;
    private readonly Dictionary<string, string?> _config;
    private readonly Dictionary<string, WebApplication> _hosts = [];
    private string _database = "";
    private RabbitMqVhost _vhost = null!;

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };
    public HttpClient Http { get; private set; } = null!;
    public RabbitMqVhost Vhost => _vhost;

    private Mesh(Infrastructure infrastructure, Dictionary<string, string?> config)
    {
        _infrastructure = infrastructure;
        _config = config;
    }

    public static async Task<Mesh> StartAsync(Infrastructure infrastructure, string fleetJson, Dictionary<string, string?>? settings = null)
    {
        var fleetFile = Path.Combine(Path.GetTempPath(), $"mdrmesh-fleet-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(fleetFile, fleetJson);
        var mesh = new Mesh(infrastructure, new Dictionary<string, string?>
        {
            ["Executor:FleetFile"] = fleetFile,
            ["Approvals:DeadlineSweepInterval"] = "00:00:00.2",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        foreach (var (key, value) in settings ?? []) mesh._config[key] = value;

        mesh._database = await infrastructure.CreateDatabaseAsync("mesh");
        mesh._vhost = await infrastructure.CreateVhostAsync("mesh");
        mesh._config["ConnectionStrings:Postgres"] = mesh._database;
        mesh._config["RabbitMq:Host"] = mesh._vhost.Server.Host;
        mesh._config["RabbitMq:Port"] = mesh._vhost.Server.Port.ToString();
        mesh._config["RabbitMq:VirtualHost"] = mesh._vhost.Name;
        mesh._config["RabbitMq:Username"] = mesh._vhost.Server.Username;
        mesh._config["RabbitMq:Password"] = mesh._vhost.Server.Password;

        foreach (var service in new[] { "Incidents", "Approvals", "Executor" }) await mesh.StartServiceAsync(service);
        await mesh.StartServiceAsync("Gateway");
        mesh.Http = new HttpClient { BaseAddress = new Uri($"{Address(mesh._hosts["Gateway"])}/api/v1/{ClientId}/") };
        return mesh;
    }

    public WebApplication Service(string name) => _hosts[name];

    /// <summary>Starts a service (again), with extra settings for this start only.</summary>
    public async Task StartServiceAsync(string name, Dictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(_config);
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        foreach (var service in new[] { "Incidents", "Approvals", "Executor" })
            if (_hosts.TryGetValue(service, out var running)) builder.Configuration[$"Services:{service}"] = Address(running);
        switch (name)
        {
            case "Incidents": builder.AddIncidents(); break;
            case "Approvals": builder.AddApprovals(); break;
            case "Executor": builder.AddExecutor(); break;
            case "Gateway": builder.AddGateway(); break;
        }
        builder.Services.AddSingleton<TimeProvider>(Clock);
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("MDRMESH_TEST_LOGS") is { Length: > 0 } logFile)
            builder.Logging.AddProvider(new FileLoggerProvider(logFile, name));

        var app = builder.Build();
        switch (name)
        {
            case "Incidents": app.MapIncidents(); break;
            case "Approvals": app.MapApprovals(); break;
            case "Executor": app.MapExecutor(); break;
            case "Gateway": app.MapGateway(); break;
        }
        await app.StartAsync();
        _hosts[name] = app;
        // A restarted service listens on a new port: the gateway must learn it.
        if (name != "Gateway" && _hosts.Remove("Gateway", out var gateway))
        {
            await gateway.DisposeAsync();
            await StartServiceAsync("Gateway");
            Http.Dispose();
            Http = new HttpClient { BaseAddress = new Uri($"{Address(_hosts["Gateway"])}/api/v1/{ClientId}/") };
        }
    }

    /// <summary>Stops a service the hard way: no draining, its host simply goes away.</summary>
    public async Task KillServiceAsync(string name)
    {
        var app = _hosts[name];
        _hosts.Remove(name);
        await app.DisposeAsync();
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    /// <summary>Calls an API method and returns the status and the JSON body.</summary>
    public async Task<(int Status, JsonNode? Body)> CallAsync(string method, object body, string? caller = null, string? role = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, method) { Content = JsonContent.Create(body) };
        if (caller is not null) request.Headers.Add(Caller.NameHeader, caller);
        if (role is not null) request.Headers.Add(Caller.RoleHeader, role);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>Calls a method that must succeed.</summary>
    public async Task<JsonNode> OkAsync(string method, object body, string? caller = null, string? role = null)
    {
        var (status, json) = await CallAsync(method, body, caller, role);
        if (status != 200) throw new Xunit.Sdk.XunitException($"{method} answered {status}: {json?.ToJsonString()}");
        return json!;
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
    }
}

public static class Eventually
{
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
