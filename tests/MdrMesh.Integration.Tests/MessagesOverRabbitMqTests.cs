using System.Collections.Concurrent;
using System.Text.Json;
using MassTransit;
using MdrMesh.Contracts.Isolation;
using MdrMesh.Contracts.Messages;
using MdrMesh.Contracts.Responses;
using MdrMesh.Testing;

namespace MdrMesh.Integration.Tests;

/// <summary>Every message between the services, published with MassTransit through a real RabbitMQ and consumed intact.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class MessagesOverRabbitMqTests(Infrastructure infrastructure) : IAsyncLifetime
{
    private readonly ConcurrentQueue<object> _received = new();
    private RabbitMqVhost _vhost = null!;
    private IBusControl _bus = null!;

    private static readonly DateTimeOffset At = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Incident = Guid.NewGuid();

    public static TheoryData<string> MessageNames => new(Messages().Select(m => m.GetType().Name));

    private static IEnumerable<object> Messages()
    {
        var isolate = new IsolateParameters(3600, [new ExclusionRule("Outbound", 6, new PortRange(443, 443), RemoteIpv4: "10.0.0.0/8")])
            .WithPassword(IsolationPassword.Generate()).WithoutPassword();
        var response = Guid.Parse("5f0c3a4e-9b1d-4c2a-8e7f-0a1b2c3d4e5f");
        yield return new ResponseProposed(response, "tenant-a", Incident, "asset-1", isolate, "Contain the host", At, "soc-analyst");
        yield return new ResponseAccepted(response, "tenant-a", Incident, At, "auto-accept", null, new AutoAcceptance(3, "ALL_TENANTS"));
        yield return new ResponseRejected(response, "tenant-a", Incident, At, "customer-admin", RejectionReason.Declined, "Not this host");
        yield return new ExecuteResponse(response, "tenant-a", Incident, "asset-1",
            new DeleteRegistryKeyParameters(@"HKEY_LOCAL_MACHINE\SOFTWARE\Run", ""), At, "customer-admin");
        yield return new ResponseExecutionStarted(response, "tenant-a", Incident, "asset-1", At, "executor");
        yield return new ResponseExecuted(response, "tenant-a", Incident, "asset-1", At, "executor",
            new Dictionary<string, string> { ["size_bytes"] = "1024", ["sha256"] = new string('a', 64) });
        yield return new ResponseFailed(response, "tenant-a", Incident, "asset-1", At, "executor", "FILE_TOO_LARGE", "The file is 12 MB; the limit is 10 MB.");
    }

    public async Task InitializeAsync()
    {
        _vhost = await infrastructure.CreateVhostAsync("messages");
        _bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(_vhost.Uri, h =>
            {
                h.Username(_vhost.Server.Username);
                h.Password(_vhost.Server.Password);
            });
            cfg.ReceiveEndpoint("contracts-round-trip", e =>
            {
                e.Handler<ResponseProposed>(Keep);
                e.Handler<ResponseAccepted>(Keep);
                e.Handler<ResponseRejected>(Keep);
                e.Handler<ExecuteResponse>(Keep);
                e.Handler<ResponseExecutionStarted>(Keep);
                e.Handler<ResponseExecuted>(Keep);
                e.Handler<ResponseFailed>(Keep);
            });
        });
        await _bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
    }

    private Task Keep<T>(ConsumeContext<T> context) where T : class
    {
        _received.Enqueue(context.Message);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _bus.StopAsync();
        await infrastructure.DeleteVhostAsync(_vhost);
    }

    [Theory]
    [MemberData(nameof(MessageNames))]
    public async Task A_published_message_arrives_intact(string messageName)
    {
        var sent = Messages().Single(m => m.GetType().Name == messageName);

        await _bus.Publish(sent, sent.GetType());

        await Eventually.HoldsAsync(() => _received.Any(m => m.GetType() == sent.GetType()), TimeSpan.FromSeconds(15), $"{messageName} consumed");
        var received = _received.Single(m => m.GetType() == sent.GetType());
        // Records holding lists compare lists by reference, so compare what they serialize to.
        Assert.Equal(JsonSerializer.Serialize(sent, sent.GetType(), ResponseJson.Options),
            JsonSerializer.Serialize(received, received.GetType(), ResponseJson.Options));
    }

    [Fact]
    public async Task Parameters_keep_their_concrete_type_and_never_carry_the_isolation_password()
    {
        var proposed = (ResponseProposed)Messages().First();

        await _bus.Publish(proposed);

        await Eventually.HoldsAsync(() => _received.OfType<ResponseProposed>().Any(), TimeSpan.FromSeconds(15), "proposal consumed");
        var isolate = Assert.IsType<IsolateParameters>(_received.OfType<ResponseProposed>().Single().Parameters);
        Assert.Null(isolate.Password);
        Assert.NotNull(isolate.PasswordDetails);
        Assert.Equal(443, isolate.ExclusionRules![0]!.RemotePortRange!.To);
    }
}
