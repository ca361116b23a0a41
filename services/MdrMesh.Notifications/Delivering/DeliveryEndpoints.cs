using Marten;
using MdrMesh.Contracts.Validation;
using MdrMesh.Notifications.Subscribing;
using MdrMesh.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace MdrMesh.Notifications.Delivering;

/// <summary><c>notifications/deliveries/list</c> {subscription_id, status?}: the subscription's delivery log, newest first.</summary>
public sealed record ListDeliveriesRequest(string? TenantId, string? SubscriptionId, string? Status, int? Page, int? PageSize);

/// <summary><c>notifications/deliveries/redeliver</c> {delivery_id}: sent again now, with a fresh retry window.</summary>
public sealed record RedeliverRequest(string? TenantId, string? DeliveryId);

public sealed record DeliveryView(
    string DeliveryId,
    string SubscriptionId,
    string Event,
    string NotificationId,
    long EventTime,
    string Status,
    int Attempts,
    string? LastError,
    long CreateTime,
    long? LastAttemptTime,
    long? NextAttemptTime,
    long? DeliveryTime,
    string? DigestId);

public static class DeliveryEndpoints
{
    private static readonly string[] Statuses = ["PENDING", "DELIVERED", "RETRYING", "FAILED"];

    public static async Task<IResult> List(ListDeliveriesRequest request, Caller caller, IDocumentStore store, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        var tenant = caller.TenantNamed(request.TenantId, errors);
        var id = SubscriptionEndpoints.IdOf(request.SubscriptionId, new Check(errors, "subscription_id"));
        new Check(errors, "status").OneOf(request.Status, Statuses, required: false);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (!caller.CanReach(tenant!)) return ApiProblems.NotFound("The tenant");

        await using var query = store.QuerySession(tenant!);
        if (await query.LoadAsync<Subscription>(id!.Value, ct) is null) return ApiProblems.NotFound("The subscription");
        var (skip, take) = Paging.Window(request.Page, request.PageSize);
        var deliveries = query.Query<Delivery>().Where(d => d.SubscriptionId == id.Value);
        if (request.Status is { } status) deliveries = deliveries.Where(d => d.Status == StatusOf(status));
        var page = await deliveries.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Skip(skip).Take(take).ToListAsync(ct);
        return Results.Ok(page.Select(View).ToList());
    }

    /// <summary>
    /// A delivery delivered, failed or waiting for its next retry is sent again now, with a fresh retry window (after a
    /// receiver is fixed, nobody has to wait for the backoff); one about to be sent for the first time is left alone.
    /// </summary>
    public static async Task<IResult> Redeliver(RedeliverRequest request, Caller caller, IDocumentStore store, TimeProvider clock,
        IOptions<NotificationsOptions> options, DeliveryWakeup wakeup, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        var tenant = caller.TenantNamed(request.TenantId, errors);
        var id = SubscriptionEndpoints.IdOf(request.DeliveryId, new Check(errors, "delivery_id"));
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (!caller.CanReach(tenant!)) return ApiProblems.NotFound("The tenant");

        await using var session = store.LightweightSession(tenant!);
        if (await session.LoadAsync<Delivery>(id!.Value, ct) is not { } delivery) return ApiProblems.NotFound("The delivery");
        if (delivery is { Status: DeliveryStatus.Pending, DigestId: null })
            return ApiProblems.Conflict("The delivery is about to be sent: see its status in notifications/deliveries/list.");
        if (await session.LoadAsync<Subscription>(delivery.SubscriptionId, ct) is not { Enabled: true })
            return ApiProblems.Conflict("The delivery's subscription is deleted or disabled: enable it first (notifications/subscriptions/update).");
        var again = Deliveries.Redelivered(delivery, clock.GetUtcNow(), options.Value.RetryWindow);
        session.Store(again);
        await session.SaveChangesAsync(ct);
        wakeup.Wake();
        return Results.Ok(View(again));
    }

    private static DeliveryStatus StatusOf(string status) => Enum.Parse<DeliveryStatus>(status, ignoreCase: true);

    internal static DeliveryView View(Delivery d) => new(d.Id.ToString(), d.SubscriptionId.ToString(), d.Notification.Type,
        d.Notification.Id.ToString(), d.Notification.Timestamp.ToUnixMs(), d.Status.ToString().ToUpperInvariant(), d.Attempts, d.LastError, d.CreatedAt.ToUnixMs(), d.LastAttemptAt?.ToUnixMs(),
        d.IsDue ? d.NextAttemptAt.ToUnixMs() : null, d.DeliveredAt?.ToUnixMs(), d.DigestId?.ToString());
}
