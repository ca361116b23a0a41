using Marten;
using MassTransit;
using MdrMesh.Contracts.Messages;
using MdrMesh.Notifications.Delivering;
using MdrMesh.Notifications.Subscribing;
using Microsoft.Extensions.Options;

namespace MdrMesh.Notifications.Notifying;

/// <summary>
/// Turns each announced event into one pending delivery per enabled subscription of its tenant that names it, in one
/// commit; the sender takes them from there. The events come from the other services' committed events through their
/// relays, so nothing is announced for a change that did not commit. A redelivered message finds its deliveries
/// already recorded (their ids derive from the message id) and records nothing again.
/// </summary>
public sealed class EventNotifier(IDocumentStore store, IOptions<NotificationsOptions> options, TimeProvider clock, DeliveryWakeup wakeup) :
    IConsumer<IncidentOpened>, IConsumer<ResponseAwaitingDecision>, IConsumer<ResponseFailed>, IConsumer<IncidentClosed>,
    IConsumer<BlastRadiusGuardTripped>
{
    private Uri Console => new(options.Value.ConsoleUrl.EndsWith('/') ? options.Value.ConsoleUrl : options.Value.ConsoleUrl + "/");

    public Task Consume(ConsumeContext<IncidentOpened> context) =>
        RecordAsync(context.Message.TenantId, NotificationMap.Of(context.Message, IdOf(context), Console), context.CancellationToken);

    public Task Consume(ConsumeContext<ResponseAwaitingDecision> context) =>
        RecordAsync(context.Message.TenantId, NotificationMap.Of(context.Message, IdOf(context), Console), context.CancellationToken);

    public Task Consume(ConsumeContext<ResponseFailed> context) =>
        RecordAsync(context.Message.TenantId, NotificationMap.Of(context.Message, IdOf(context), Console), context.CancellationToken);

    public Task Consume(ConsumeContext<IncidentClosed> context) =>
        RecordAsync(context.Message.TenantId, NotificationMap.Of(context.Message, IdOf(context), Console), context.CancellationToken);

    public Task Consume(ConsumeContext<BlastRadiusGuardTripped> context) =>
        RecordAsync(context.Message.TenantId, NotificationMap.Of(context.Message, IdOf(context), Console), context.CancellationToken);

    // The relays publish each event with its event id as the message id: stable across redeliveries.
    private static Guid IdOf(ConsumeContext context) =>
        context.MessageId ?? throw new InvalidOperationException("An announced event arrived without a message id.");

    private async Task RecordAsync(string tenantId, Notification notification, CancellationToken ct)
    {
        await using var session = store.LightweightSession(tenantId);
        var subscriptions = (await session.Query<Subscription>().Where(s => s.Enabled).ToListAsync(ct))
            .Where(s => s.Events.Contains(notification.Type)).ToList();
        if (subscriptions.Count == 0) return;

        var ids = subscriptions.ToDictionary(s => NotificationMap.DeliveryId(notification.Id, s.Id));
        var recorded = (await session.LoadManyAsync<Delivery>(ct, ids.Keys)).Select(d => d.Id).ToHashSet();
        var now = clock.GetUtcNow();
        foreach (var (id, subscription) in ids.Where(p => !recorded.Contains(p.Key)))
            session.Insert(Delivery.Pending(id, tenantId, subscription.Id, notification, now));
        await session.SaveChangesAsync(ct);
        wakeup.Wake();
    }
}
