using System.Collections.Concurrent;
using System.Text.Json;
using MassTransit;
using MdrMesh.Contracts.Isolation;
using MdrMesh.Contracts.Messages;
using MdrMesh.Contracts.Responses;
using MdrMesh.Incidents;
using IncidentClosed = MdrMesh.Contracts.Messages.IncidentClosed;
using ProposedEvent = MdrMesh.Incidents.ProposingResponse.ResponseProposed;

namespace MdrMesh.Integration.Tests;

/// <summary>Every message type between the services, published with MassTransit through a real RabbitMQ and consumed intact.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class MessagesOverRabbitMqTests(Infrastructure infrastructure) : IAsyncLifetime
{
    private readonly ConcurrentQueue<object> _received = new();
    private RabbitMqVhost _vhost = null!;
    private IBusControl _bus = null!;

    private static readonly DateTimeOffset At = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Incident = Guid.NewGuid();

    public static TheoryData<int> MessageIndexes => new(Enumerable.Range(0, Messages().Count()));

    private static readonly Guid Response = Guid.Parse("5f0c3a4e-9b1d-4c2a-8e7f-0a1b2c3d4e5f");

    /// <summary>
    /// What the incidents service publishes for a proposal, through its real mapping, from an event
    /// whose parameters still hold the plaintext password (the worst case the mapping must strip).
    /// </summary>
    private static (ResponseProposed Message, string Password) Proposal()
    {
        var generated = IsolationPassword.Generate();
        var isolate = new IsolateParameters(3600, [new ExclusionRule("Outbound", 6, new PortRange(443, 443), RemoteIpv4: "10.0.0.0/8")])
            .WithPassword(generated);
        var added = new ProposedEvent(Response, "asset-1", isolate, "Contain the host", At, "soc-analyst", "c-soc-analyst", "k1:bm9uY2U=:Y2lwaGVy:dGFn",
            "HIGH", ["T1059.001"]);
        var message = Assert.Single(new IncidentMessages().ToMessages(new JasperFx.Events.Event<ProposedEvent>(added) { TenantId = "tenant-a", StreamId = Incident }));
        return (Assert.IsType<ResponseProposed>(message), generated.Password);
    }

    private static IEnumerable<object> Messages()
    {
        yield return Proposal().Message;
        yield return new ResponseAccepted(Response, "tenant-a", Incident, At, "auto-accept", null, new AutoAcceptance(3, "ALL_TENANTS"));
        yield return new ResponseAccepted(Response, "tenant-a", Incident, At, "Jane", "Go ahead", null, "c-jane");
        yield return new ResponseRejected(Response, "tenant-a", Incident, At, "customer-admin", RejectionReason.Declined, "Not this host", "c-admin");
        yield return new ExecuteResponse(Response, "tenant-a", Incident, "asset-1",
            new DeleteRegistryKeyParameters(@"HKEY_LOCAL_MACHINE\SOFTWARE\Run", ""), At, "customer-admin");
        yield return new ResponseExecutionStarted(Response, "tenant-a", Incident, "asset-1", At, "executor");
        yield return new ResponseExecuted(Response, "tenant-a", Incident, "asset-1", At, "executor",
            new Dictionary<string, string> { ["size_bytes"] = "1024", ["sha256"] = new string('a', 64) });
        yield return new ResponseFailed(Response, "tenant-a", Incident, "asset-1", At, "executor", "FILE_TOO_LARGE", "The file is 12 MB; the limit is 10 MB.");
        yield return new ResponseUndone(Response, "tenant-a", Incident, "asset-1", At, "executor", Guid.NewGuid(), UndoReason.IsolationReplaced);
        yield return new IncidentClosed("tenant-a", Incident, "True positive", At, "soc-analyst");
        yield return new AutoAcceptanceHeld(Response, "tenant-a", Incident, "blast-radius guard, 20 automatic drastic acceptances within 10 minutes", 20,
            TimeSpan.FromMinutes(10), At);
        yield return new AssetProfiled("tenant-a", "asset-1", "WS-1", "corp.example", "Windows", ["workstation"], At);
        yield return new MdrMesh.Contracts.Messages.IncidentOpened("tenant-a", Incident, 42, "Worm on WS-1", "HIGH", At, "soc-analyst");
        yield return new ResponseAwaitingDecision(Response, "tenant-a", Incident, "asset-1", "ISOLATE", At.AddDays(7), At);
        yield return new BlastRadiusGuardTripped("tenant-a", Response, 20, TimeSpan.FromMinutes(10), At);
    }

    /// <summary>
    /// Every message type of the contracts: the records of their namespace, less those that are
    /// only a part of another message (such as <see cref="AutoAcceptance"/>).
    /// </summary>
    private static IReadOnlySet<Type> MessageTypes()
    {
        var types = typeof(ResponseProposed).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(ResponseProposed).Namespace && t is { IsClass: true, IsAbstract: false, IsPublic: true })
            .ToList();
        var parts = types.SelectMany(t => t.GetProperties()).Select(p => Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType).ToHashSet();
        return types.Where(t => !parts.Contains(t)).ToHashSet();
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
                e.Handler<ResponseUndone>(Keep);
                e.Handler<IncidentClosed>(Keep);
                e.Handler<AutoAcceptanceHeld>(Keep);
                e.Handler<AssetProfiled>(Keep);
                e.Handler<MdrMesh.Contracts.Messages.IncidentOpened>(Keep);
                e.Handler<ResponseAwaitingDecision>(Keep);
                e.Handler<BlastRadiusGuardTripped>(Keep);
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

    [Fact]
    public void Every_message_type_of_the_contracts_is_sent_here()
    {
        Assert.Equal(MessageTypes().Select(t => t.Name).Order(), Messages().Select(m => m.GetType().Name).Distinct().Order());
    }

    [Theory]
    [MemberData(nameof(MessageIndexes))]
    public async Task A_published_message_arrives_intact(int index)
    {
        var sent = Messages().ElementAt(index);
        var expected = JsonSerializer.Serialize(sent, sent.GetType(), ResponseJson.Options);

        await _bus.Publish(sent, sent.GetType());

        // Records holding lists compare lists by reference, so compare what they serialize to.
        await Eventually.HoldsAsync(() => _received.Any(m => m.GetType() == sent.GetType()
                && JsonSerializer.Serialize(m, m.GetType(), ResponseJson.Options) == expected),
            TimeSpan.FromSeconds(15), $"{sent.GetType().Name} consumed intact");
    }

    [Fact]
    public async Task A_proposal_published_from_the_incidents_event_keeps_its_parameters_and_id_but_never_the_password()
    {
        var (proposed, password) = Proposal();

        await _bus.Publish(proposed);

        await Eventually.HoldsAsync(() => _received.OfType<ResponseProposed>().Any(), TimeSpan.FromSeconds(15), "proposal consumed");
        var received = _received.OfType<ResponseProposed>().Single();
        var isolate = Assert.IsType<IsolateParameters>(received.Parameters);
        Assert.Null(isolate.Password);
        Assert.True(IsolationPassword.Verify(password, isolate.PasswordDetails!));
        Assert.NotNull(isolate.TaskId);
        Assert.Equal(443, isolate.ExclusionRules![0]!.RemotePortRange!.To);
        Assert.Equal(("soc-analyst", "c-soc-analyst"), (received.By, received.ById));
        // What the approvals service's rules match on: the incident's priority and techniques.
        Assert.Equal("HIGH", received.Priority);
        Assert.Equal(["T1059.001"], received.MitreTechniques!);
        var json = JsonSerializer.Serialize(received, ResponseJson.Options);
        Assert.DoesNotContain(password, json);
        Assert.DoesNotContain("k1:", json);
    }
}
