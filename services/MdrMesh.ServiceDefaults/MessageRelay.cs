using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;

namespace MdrMesh.ServiceDefaults;

/// <summary>Maps a committed event of a service to the contract message it announces, or null for none.</summary>
public interface IMessageMap
{
    object? ToMessage(IEvent @event);
}

/// <summary>
/// The way messages leave a service: a Marten subscription, run by the async daemon, publishes
/// what was committed to the event store. Handlers only append and commit; nothing writes to
/// Marten and publishes to RabbitMQ as two steps. Progress is saved after a page is published,
/// so a crash re-publishes at most that page; the message id is the event id, and consumers
/// are idempotent.
/// </summary>
public sealed class MessageRelay : SubscriptionBase
{
    public const string RelayName = "rabbitmq-relay";
    private readonly IBus _bus;
    private readonly IMessageMap _map;

    public MessageRelay(IBus bus, IMessageMap map)
    {
        _bus = bus;
        _map = map;
        Name = RelayName;
        // Small pages keep the replay after a crash small (measured: batch + prefetch at most).
        Options.BatchSize = 100;
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        // In order, one at a time: consumers of one incident see its messages in commit order.
        foreach (var @event in page.Events)
        {
            if (_map.ToMessage(@event) is not { } message) continue;
            await _bus.Publish(message, message.GetType(), context => context.MessageId = @event.Id, cancellationToken);
        }
        return NullChangeListener.Instance;
    }
}
