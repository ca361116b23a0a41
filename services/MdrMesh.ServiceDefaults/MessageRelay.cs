using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;

namespace MdrMesh.ServiceDefaults;

/// <summary>
/// Maps a committed event of a service to the contract messages it announces, in order: most events one or none; an
/// acceptance two (the decision, then the execution it asks for).
/// </summary>
public interface IMessageMap
{
    IReadOnlyList<object> ToMessages(IEvent @event);
}

/// <summary>
/// A message announced from a committed event, with its id: the first message of an event has the event's id, the next
/// an id derived from it, so announcing an event again (a relay replay, a re-announcement) repeats the ids and consumers
/// recognise the repeat.
/// </summary>
public readonly record struct Announced(object Message, Guid Id)
{
    public static Guid IdOf(Guid eventId, int index) =>
        index == 0 ? eventId : new Guid(System.Security.Cryptography.MD5.HashData([.. eventId.ToByteArray(), (byte)index]));
}

public static class Announcing
{
    public static IEnumerable<Announced> Announce(this IMessageMap map, IEvent @event) =>
        map.ToMessages(@event).Select((message, index) => new Announced(message, Announced.IdOf(@event.Id, index)));

    public static Task PublishAsync(this IPublishEndpoint publisher, Announced announced, CancellationToken ct) =>
        publisher.Publish(announced.Message, announced.Message.GetType(), context => context.MessageId = announced.Id, ct);
}

/// <summary>
/// The way messages leave a service: a Marten subscription, run by the async daemon, publishes
/// what was committed to the event store. Handlers only append and commit; nothing writes to
/// Marten and publishes to RabbitMQ as two steps. Progress is saved after a page is published,
/// so a crash re-publishes at most that page; the message ids come from the event id, and consumers
/// are idempotent. Each message continues the trace its event was appended under.
/// </summary>
public sealed class MessageRelay : SubscriptionBase
{
    public const string RelayName = "rabbitmq-relay";
    private const int PublishersPerPage = 64;
    private readonly IBus _bus;
    private readonly IMessageMap _map;
    private readonly TimeSpan _publishTimeout;

    public MessageRelay(IBus bus, IMessageMap map, RelaySettings settings)
    {
        _bus = bus;
        _map = map;
        _publishTimeout = settings.PublishTimeout;
        Name = RelayName;
        // Small pages keep the replay after a crash small (measured: batch + prefetch at most).
        Options.BatchSize = 100;
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        // Streams side by side, each stream's events one after another: consumers see one incident's
        // (one response's) messages in commit order, and a page costs a few broker round trips, not one per event.
        await Parallel.ForEachAsync(page.Events.GroupBy(e => e.StreamId),
            new ParallelOptions { MaxDegreeOfParallelism = PublishersPerPage, CancellationToken = cancellationToken },
            async (stream, ct) =>
            {
                foreach (var @event in stream)
                foreach (var announced in _map.Announce(@event))
                {
                    using var activity = Telemetry.StartRelayActivity(@event, announced.Message.GetType());
                    await PublishAsync(announced, ct);
                }
            });
        return NullChangeListener.Instance;
    }

    /// <summary>
    /// One publish, bounded: a broker that went away mid-publish can leave it waiting for a confirm that never
    /// comes. A timeout fails the page, the daemon pauses the subscription and starts it again from the last
    /// saved position a few seconds later (the watchdog covers a page that hangs anywhere else).
    /// </summary>
    private async Task PublishAsync(Announced announced, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(_publishTimeout);
        try
        {
            // WaitAsync too: a publish that ignores its token still lets the page end.
            await _bus.PublishAsync(announced, bounded.Token).WaitAsync(_publishTimeout, ct);
        }
        catch (Exception timedOut) when (timedOut is OperationCanceledException or TimeoutException && !ct.IsCancellationRequested)
        {
            // Not an OperationCanceledException: the daemon would take that for its own shutdown and stop quietly.
            throw new TimeoutException($"Publishing {announced.Message.GetType().Name} {announced.Id} did not complete within {_publishTimeout.TotalSeconds:F0} s.", timedOut);
        }
    }
}

public static class EndpointConcurrency
{
    /// <summary>Up to <paramref name="limit"/> messages at once, with twice as many prefetched so none waits on the broker.</summary>
    public static void ConsumeAtOnce(this IReceiveEndpointConfigurator endpoint, int limit)
    {
        endpoint.PrefetchCount = limit * 2;
        endpoint.ConcurrentMessageLimit = limit;
    }
}
