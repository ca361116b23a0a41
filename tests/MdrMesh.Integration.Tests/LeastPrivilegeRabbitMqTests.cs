using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using MassTransit;
using MdrMesh.Contracts.Messages;
using MdrMesh.Contracts.Responses;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace MdrMesh.Integration.Tests;

/// <summary>
/// deploy/rabbitmq/permissions.conf, applied as shipped to a vhost of its own: each service's user
/// sets up its endpoints and the flow between the services runs, while only the approvals user
/// may publish anything that reaches the executor's execute-response queue.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class LeastPrivilegeRabbitMqTests(Infrastructure infrastructure) : IAsyncLifetime
{
    private const string ExecuteResponseExchange = "MdrMesh.Contracts.Messages:ExecuteResponse";
    private static readonly DateTimeOffset At = new(2026, 12, 2, 6, 0, 0, TimeSpan.Zero);

    private readonly string _password = Convert.ToHexString(Guid.NewGuid().ToByteArray());
    private readonly List<IBusControl> _buses = [];
    private RabbitMqVhost _vhost = null!;
    private HttpClient _management = null!;

    public async Task InitializeAsync()
    {
        _vhost = await infrastructure.CreateVhostAsync("privilege");
        var server = infrastructure.RabbitMq;
        _management = new HttpClient { BaseAddress = server.Management };
        _management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{server.Username}:{server.Password}")));

        var vhost = Uri.EscapeDataString(_vhost.Name);
        foreach (var line in await File.ReadAllLinesAsync(Repository.File("deploy/rabbitmq/permissions.conf")))
        {
            if (line.TrimStart() is "" or ['#', ..]) continue;
            var (service, configure, write, read) = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) switch
            {
                [var s, var c, var w, var r] => (s, c, w, r),
                _ => throw new InvalidDataException($"permissions.conf: not 'user configure write read': {line}"),
            };
            var user = Uri.EscapeDataString(User(service));
            (await _management.PutAsJsonAsync($"api/users/{user}", new { password = _password, tags = "" })).EnsureSuccessStatusCode();
            (await _management.PutAsJsonAsync($"api/permissions/{vhost}/{user}", new { configure, write, read })).EnsureSuccessStatusCode();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var bus in _buses) await bus.StopAsync();
        foreach (var service in new[] { "incidents", "approvals", "executor" })
            await _management.DeleteAsync($"api/users/{Uri.EscapeDataString(User(service))}");
        await infrastructure.DeleteVhostAsync(_vhost);
        _management.Dispose();
    }

    /// <summary>Users are the broker's, not the vhost's: this class's own names keep them apart.</summary>
    private string User(string service) => $"{_vhost.Name}.{service}";

    private async Task<IBusControl> BusAsync(string service, Action<IRabbitMqBusFactoryConfigurator> endpoints)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(_vhost.Uri, h =>
            {
                h.Username(User(service));
                h.Password(_password);
            });
            endpoints(cfg);
        });
        await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        _buses.Add(bus);
        return bus;
    }

    private async Task<IConnection> ConnectAsync(string service) => await new ConnectionFactory
    {
        HostName = _vhost.Server.Host, Port = _vhost.Server.Port, VirtualHost = _vhost.Name, UserName = User(service), Password = _password,
    }.CreateConnectionAsync();

    private static ExecuteResponse Execute(Guid response) =>
        new(response, "tenant-a", Guid.NewGuid(), "asset-1", new DeleteRegistryKeyParameters(@"HKEY_LOCAL_MACHINE\SOFTWARE\Run", ""), At, "customer-admin");

    [Fact]
    public async Task Each_service_user_sets_up_its_endpoints_and_a_response_runs_from_proposal_to_result()
    {
        // The services' endpoints (kebab-case consumer names), each started with that service's user.
        var recorded = new ConcurrentQueue<ResponseExecuted>();
        await BusAsync("incidents", cfg => cfg.ReceiveEndpoint("response-progress", e =>
        {
            e.Handler<ResponseAccepted>(_ => Task.CompletedTask);
            e.Handler<ResponseExecuted>(c =>
            {
                recorded.Enqueue(c.Message);
                return Task.CompletedTask;
            });
        }));
        await BusAsync("approvals", cfg =>
        {
            cfg.ReceiveEndpoint("response-proposed", e => e.Handler<ResponseProposed>(async c =>
            {
                await c.Publish(new ResponseAccepted(c.Message.ResponseId, c.Message.TenantId, c.Message.IncidentId, At, "customer-admin", null));
                await c.Publish(Execute(c.Message.ResponseId));
            }));
            cfg.ReceiveEndpoint("incident-closed", e => e.Handler<IncidentClosed>(_ => Task.CompletedTask));
        });
        await BusAsync("executor", cfg => cfg.ReceiveEndpoint("execute-response", e => e.Handler<ExecuteResponse>(c =>
            c.Publish(new ResponseExecuted(c.Message.ResponseId, c.Message.TenantId, c.Message.IncidentId, c.Message.AssetId, At, "executor",
                new Dictionary<string, string>())))));
        var incidents = _buses[0];

        var response = Guid.NewGuid();
        await incidents.Publish(new ResponseProposed(response, "tenant-a", Guid.NewGuid(), "asset-1",
            new DeleteRegistryKeyParameters(@"HKEY_LOCAL_MACHINE\SOFTWARE\Run", ""), "Remove the run key", At, "soc-analyst"));

        await Eventually.ReturnsAsync(() => Task.FromResult(recorded.Any(r => r.ResponseId == response)), found => found,
            "the executed response reached incidents");
    }

    [Fact]
    public async Task The_executor_announces_asset_profiles_to_approvals_and_approvals_announces_a_guards_hold_to_incidents()
    {
        var profiles = new ConcurrentQueue<AssetProfiled>();
        var holds = new ConcurrentQueue<AutoAcceptanceHeld>();
        await BusAsync("incidents", cfg => cfg.ReceiveEndpoint("response-progress", e => e.Handler<AutoAcceptanceHeld>(c =>
        {
            holds.Enqueue(c.Message);
            return Task.CompletedTask;
        })));
        await BusAsync("approvals", cfg => cfg.ReceiveEndpoint("asset-profiled", e => e.Handler<AssetProfiled>(c =>
        {
            profiles.Enqueue(c.Message);
            return Task.CompletedTask;
        })));
        var approvals = _buses[1];
        var executor = await BusAsync("executor", _ => { });

        await executor.Publish(new AssetProfiled("tenant-a", "ws-1", "WS-1", "corp.example", "Windows", ["workstation"], At));
        var response = Guid.NewGuid();
        await approvals.Publish(new AutoAcceptanceHeld(response, "tenant-a", Guid.NewGuid(), "blast-radius guard", 20, TimeSpan.FromMinutes(10), At));

        await Eventually.ReturnsAsync(() => Task.FromResult(profiles.Any(p => p.AssetId == "ws-1")), found => found, "the asset profile reached approvals");
        await Eventually.ReturnsAsync(() => Task.FromResult(holds.Any(h => h.ResponseId == response)), found => found, "the hold reached incidents");
    }

    [Theory]
    [InlineData("incidents", ExecuteResponseExchange, "")]
    [InlineData("executor", ExecuteResponseExchange, "")]
    [InlineData("incidents", "execute-response", "")]
    [InlineData("approvals", "execute-response", "")]
    [InlineData("incidents", "", "execute-response")]
    [InlineData("approvals", "", "execute-response")]
    [InlineData("executor", "", "execute-response")]
    public async Task A_publish_that_would_reach_the_executor_without_approval_is_refused(string service, string exchange, string routingKey)
    {
        await BusAsync("executor", cfg => cfg.ReceiveEndpoint("execute-response", e => e.Handler<ExecuteResponse>(_ => Task.CompletedTask)));
        await using var connection = await ConnectAsync(service);
        await using var channel = await connection.CreateChannelAsync();

        await channel.BasicPublishAsync(exchange, routingKey, Encoding.UTF8.GetBytes("{}"));

        // The broker answers a refused publish by closing the channel; the next call on it says why.
        var closed = await Assert.ThrowsAnyAsync<OperationInterruptedException>(() => channel.ExchangeDeclarePassiveAsync("amq.fanout"));
        Assert.Equal((ushort)403, closed.ShutdownReason?.ReplyCode);
        Assert.Contains("ACCESS_REFUSED", closed.ShutdownReason?.ReplyText);
    }

    [Fact]
    public async Task The_approvals_user_publishes_ExecuteResponse_and_the_executor_receives_it()
    {
        var received = new ConcurrentQueue<ExecuteResponse>();
        await BusAsync("executor", cfg => cfg.ReceiveEndpoint("execute-response", e => e.Handler<ExecuteResponse>(c =>
        {
            received.Enqueue(c.Message);
            return Task.CompletedTask;
        })));
        var approvals = await BusAsync("approvals", _ => { });
        var response = Guid.NewGuid();

        await approvals.Publish(Execute(response));

        await Eventually.ReturnsAsync(() => Task.FromResult(received.Any(m => m.ResponseId == response)), found => found,
            "the executor received the approved response");
    }
}
