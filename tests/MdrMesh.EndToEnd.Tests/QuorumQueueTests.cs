using MassTransit;
using MdrMesh.Contracts.Messages;

namespace MdrMesh.EndToEnd.Tests;

/// <summary>
/// <c>RabbitMq:QuorumQueues</c> (the compose cluster profile sets it): every queue the services consume from, and the
/// error queue a failed message is moved to, is a durable quorum queue, and responses run through them as through
/// classic ones. (That a quorum queue survives losing a node is RabbitMQ's promise; CI's cluster round kills nodes.)
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class QuorumQueueTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson(Tenant))
{
    private const string Tenant = "tenant-quorum";

    protected override Dictionary<string, string?> Settings => new() { ["RabbitMq:QuorumQueues"] = "true" };

    [Fact]
    public async Task Every_queue_of_the_services_is_a_quorum_queue_and_responses_run_through_them()
    {
        await Mesh.OkAsync("auto_accept/set", new { mode = "ALL_TENANTS" }, caller: "customer-admin");
        var incident = await Mesh.OpenIncidentAsync(Tenant);
        var response = await Mesh.ProposeAsync(incident, "ISOLATE", new { isolation_term_seconds = 600 });
        await Mesh.WaitForStatusAsync(incident, response, "Completed");

        // A decision about an incident this installation never had fails for good: its error queue is declared too.
        var vhost = Mesh.Vhost;
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(vhost.Uri, h =>
        {
            h.Username(vhost.Server.Username);
            h.Password(vhost.Server.Password);
        }));
        await bus.StartAsync();
        try
        {
            await bus.Publish(new ResponseAccepted(Guid.NewGuid(), Tenant, Guid.NewGuid(), DateTimeOffset.UtcNow, "alice"));
            await Eventually.ReturnsAsync(() => Infrastructure.QueueDepthAsync(vhost, "response-progress_error"), depth => depth == 1,
                "the orphan decision in the error queue", seconds: 60);
        }
        finally
        {
            await bus.StopAsync();
        }

        var queues = await Infrastructure.QueuesAsync(vhost);
        // MassTransit's own per-process queues (auto-deleted, named after the host and process) stay classic: they
        // hold nothing that outlives the process.
        var durable = queues.Where(q => q.Durable).ToList();
        Assert.Contains(durable, q => q.Name == "execute-response");
        Assert.Contains(durable, q => q.Name == "response-progress_error");
        Assert.All(durable, q => Assert.True(q.Type == "quorum", $"{q.Name} is a {q.Type} queue"));
    }
}
