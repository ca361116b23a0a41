using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;

namespace MdrMesh.ServiceDefaults;

public static partial class Extensions
{
    /// <summary>
    /// MassTransit on RabbitMQ (config section <c>RabbitMq</c>: Host, Port, VirtualHost, Username, Password; for a cluster,
    /// ClusterNodes, the nodes' host names comma-separated, tried in turn; QuorumQueues, true to declare every queue, its
    /// <c>_error</c> and <c>_skipped</c> queues included, as a quorum queue replicated to all nodes).
    /// Retries in place with backoff, so one queue keeps its order: a few times within seconds for any fault, and over
    /// minutes for a fault of the infrastructure (<see cref="TransientFaults"/>); what still fails goes to the endpoint's
    /// <c>_error</c> queue with its exception.
    /// </summary>
    public static void AddMdrMassTransit(this WebApplicationBuilder builder, Action<IBusRegistrationConfigurator> consumers)
    {
        var rabbit = builder.Configuration.GetSection("RabbitMq");
        var transientIntervals = TransientFaults.Intervals(TransientFaults.WindowOf(builder.Configuration));
        var clusterNodes = (rabbit["ClusterNodes"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var quorumQueues = rabbit.GetValue("QuorumQueues", false);
        builder.Services.AddMassTransit(bus =>
        {
            // A quorum queue keeps what a node held when that node is lost; the error queues take the same arguments.
            // (A queue's type cannot change once declared: see the README's "Running at scale" for moving to them.)
            if (quorumQueues)
                bus.AddConfigureEndpointsCallback((_, _, endpoint) => (endpoint as IRabbitMqReceiveEndpointConfigurator)?.SetQuorumQueue());
            bus.SetKebabCaseEndpointNameFormatter();
            // MassTransit reports usage to an outside host unless told not to: an air-gapped SOC calls nobody.
            bus.ConfigureUsageTelemetryOptions(o => o.Enabled = false);
            consumers(bus);
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(rabbit["Host"] ?? "localhost", ushort.Parse(rabbit["Port"] ?? "5672"), rabbit["VirtualHost"] ?? "/", h =>
                {
                    h.Username(rabbit["Username"] ?? "guest");
                    h.Password(rabbit["Password"] ?? "guest");
                    // A publish completes only once the broker has taken the message (MassTransit's default, stated here on purpose).
                    h.PublisherConfirmation = true;
                    if (clusterNodes.Length > 0) h.UseCluster(c => { foreach (var node in clusterNodes) c.Node(node); });
                });
                // Two policies, each for its kind of fault: the outer one waits out the infrastructure, the inner one the rest.
                cfg.UseMessageRetry(r =>
                {
                    r.Handle<Exception>(TransientFaults.Is);
                    r.Intervals(transientIntervals);
                });
                cfg.UseMessageRetry(r =>
                {
                    r.Ignore<Exception>(TransientFaults.Is);
                    r.Exponential(6, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200));
                });
                cfg.ConfigureEndpoints(context);
            });
        });
        // The relay must never publish before the bus is connected. On a stop, consumers in flight finish rather than being
        // cancelled at once (MassTransit's default without ConsumerStopTimeout); one still running after that is cancelled
        // and its message delivered again after the restart.
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = true;
            o.ConsumerStopTimeout = Shutdown.ConsumersOf(builder.Configuration);
            o.StopTimeout = Shutdown.TimeoutOf(builder.Configuration);
        });
    }
}
