using System.Text.Json.Nodes;
using JasperFx;
using Marten;
using MdrMesh.Notifications.Email;
using MdrMesh.Notifications.Notifying;
using MdrMesh.Notifications.Subscribing;
using MdrMesh.Notifications.Webhooks;
using Microsoft.Extensions.Options;

namespace MdrMesh.Notifications.Delivering;

/// <summary>
/// Sends what is due, oldest first, one subscription's deliveries in order and up to eight subscriptions at once, and
/// records each attempt's outcome before the next (a crash between sending and recording sends that one again: at least
/// once, with the same id). Runs on one instance at a time (<see cref="SenderLeadership"/>).
/// </summary>
public sealed class DeliverySender(IDocumentStore store, IOptions<NotificationsOptions> options, TimeProvider clock, DeliveryWakeup wakeup,
    SenderLeadership leadership, WebhookSender webhooks, EmailSender email, SecretSealer sealer, ILogger<DeliverySender> log) : BackgroundService
{
    private const int Batch = 200;
    private NotificationsOptions Options => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await wakeup.WaitAsync(Options.PollInterval, stoppingToken);
                if (!await leadership.HoldAsync(stoppingToken)) continue;
                while (await SendDueAsync(stoppingToken) > 0) { }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The database or a bug: nothing is lost (the deliveries stay due); try again at the next poll.
                log.LogError(e, "Sending notifications failed; trying again shortly");
            }
        }
        await leadership.DisposeAsync();
    }

    /// <summary>One pass over what is due now; how many deliveries it handled.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        IReadOnlyList<Delivery> due;
        await using (var query = store.QuerySession())
        {
            due = await query.Query<Delivery>()
                .Where(d => d.AnyTenant() && (d.Status == DeliveryStatus.Pending || d.Status == DeliveryStatus.Retrying) && d.DigestId == null
                    && d.NextAttemptAt <= now)
                .OrderBy(d => d.NextAttemptAt).Take(Batch).ToListAsync(ct);
        }
        var groups = due.GroupBy(d => (d.TenantId, d.SubscriptionId)).ToList();
        await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
            async (group, token) => await SendAsync(group.Key.TenantId, group.Key.SubscriptionId, [.. group], token));
        return due.Count;
    }

    private async Task SendAsync(string tenantId, Guid subscriptionId, List<Delivery> due, CancellationToken ct)
    {
        await using var session = store.LightweightSession(tenantId);
        var subscription = await session.LoadAsync<Subscription>(subscriptionId, ct);
        var now = clock.GetUtcNow();
        if (subscription is not { Enabled: true })
        {
            var reason = subscription is null ? "the subscription was deleted" : "the subscription is disabled";
            foreach (var d in due) session.Store(Deliveries.GivenUp(d, reason, now));
            await session.SaveChangesAsync(ct);
            return;
        }
        var state = await session.LoadAsync<SubscriptionState>(subscriptionId, ct) ?? new SubscriptionState { Id = subscriptionId };

        // Within the minute's allowance, one by one; beyond it, first-time notifications wait for the minute's end and then
        // go as one digest (retries, tests and digests themselves are never folded).
        var allowance = Deliveries.Allowance(state, now, subscription.DigestThreshold ?? Options.DigestThreshold);
        var send = new List<Delivery>();
        var fold = new List<Delivery>();
        foreach (var d in due)
        {
            var foldable = d.Attempts == 0 && d.Notification.Type is not (NotificationTypes.Digest or NotificationTypes.Test);
            if (foldable && d.HeldForDigest) fold.Add(d);
            else if (foldable && allowance <= 0) session.Store(d with { HeldForDigest = true, NextAttemptAt = Deliveries.MinuteOf(now).AddMinutes(1) });
            else
            {
                send.Add(d);
                if (foldable) allowance--;
            }
        }
        foreach (var members in fold.Chunk(Deliveries.MaxDigest))
        {
            var digest = Delivery.Pending(Guid.NewGuid(), tenantId, subscriptionId, Deliveries.Digest(Guid.NewGuid(), tenantId, members, now), now)
                with { Members = [.. members.Select(m => m.Id)] };
            session.Insert(digest);
            foreach (var m in members) session.Store(m with { DigestId = digest.Id });
            send.Add(digest);
        }
        await session.SaveChangesAsync(ct);

        foreach (var delivery in send)
        {
            var error = await AttemptAsync(subscription, delivery, ct);
            now = clock.GetUtcNow();
            var after = error is null
                ? Deliveries.Delivered(delivery, now)
                : Deliveries.Failed(delivery, error, now, Options.RetryWindow, Random.Shared.NextDouble());
            session.Store(after);
            if (after.Members is { } memberIds && after.Status is DeliveryStatus.Delivered or DeliveryStatus.Failed)
                foreach (var member in await session.LoadManyAsync<Delivery>(ct, memberIds))
                    session.Store(after.Status == DeliveryStatus.Delivered
                        ? Deliveries.Delivered(member, now)
                        : Deliveries.GivenUp(member, $"its digest {after.Id} failed: {error}", now));
            state = Deliveries.AfterAttempt(state, error is null, now);
            session.Store(state);
            var disable = Deliveries.FailedTooLong(subscription, state, now, Options.RetryWindow);
            if (disable) session.Store(subscription = subscription with
            {
                Enabled = false, ChangedAt = now,
                DisabledReason = $"every delivery failed for {Options.RetryWindow.TotalHours:0.#} h (last: {error})",
            });
            await session.SaveChangesAsync(ct);
            if (disable)
            {
                log.LogWarning("Notification subscription {SubscriptionId} of tenant {TenantId} disabled: every delivery failed for {Hours} h",
                    subscription.Id, tenantId, Options.RetryWindow.TotalHours);
                return;
            }
            // The receiver is failing: the rest wait with this one rather than each taking its own timeouts now.
            if (error is not null)
            {
                foreach (var rest in send.SkipWhile(d => d.Id != delivery.Id).Skip(1))
                    session.Store(rest with { NextAttemptAt = after.NextAttemptAt });
                await session.SaveChangesAsync(ct);
                return;
            }
        }
    }

    /// <summary>null when delivered; otherwise what went wrong, for the delivery log (never a secret).</summary>
    private async Task<string?> AttemptAsync(Subscription subscription, Delivery delivery, CancellationToken ct)
    {
        var n = delivery.Notification;
        try
        {
            if (subscription.Channel == Channel.Webhook)
            {
                var secret = sealer.Open(subscription.SealedSecret ?? "", subscription.Id)
                    ?? throw new InvalidOperationException("the subscription's secret does not open (Notifications:SecretKey changed?)");
                var result = await webhooks.SendAsync(new Uri(subscription.Target), secret, WebhookSender.Body(n), n.Id, ct);
                return result.Delivered ? null : result.Error;
            }
            var (subject, text, html) = n.Type == NotificationTypes.Digest
                ? EmailTemplates.RenderDigest(MembersOf(n), subscription.Language)
                : EmailTemplates.Render(n, subscription.Language);
            await email.SendAsync(subscription.Target, subject, text, html, n.Id, ct);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return e.Message;
        }
    }

    private static List<Notification> MembersOf(Notification digest) =>
        [.. (digest.Data["notifications"]?.AsArray() ?? []).OfType<JsonObject>().Select(m => new Notification(
            Guid.Parse((string)m["id"]!), (string)m["type"]!, DateTimeOffset.Parse((string)m["timestamp"]!), m["data"]!.AsObject().DeepClone().AsObject()))];
}
