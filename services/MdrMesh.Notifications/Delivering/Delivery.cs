using MdrMesh.Notifications.Notifying;

namespace MdrMesh.Notifications.Delivering;

public enum DeliveryStatus { Pending, Delivered, Retrying, Failed }

/// <summary>
/// One notification on its way to one subscription: the delivery log's row. Its id is derived from the event's message
/// id and the subscription, so a redelivered message finds its deliveries already there. <see cref="DigestId"/>: the
/// digest it went out in, when the subscription's per-minute limit folded it into one.
/// </summary>
public sealed record Delivery
{
    public Guid Id { get; init; }
    public string TenantId { get; init; } = "";
    public Guid SubscriptionId { get; init; }
    public Notification Notification { get; init; } = null!;
    public DeliveryStatus Status { get; init; }
    public int Attempts { get; init; }
    public string? LastError { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset NextAttemptAt { get; init; }
    /// <summary>Retried until then when set (by a redelivery); otherwise until the retry window from its creation has passed.</summary>
    public DateTimeOffset? RetryUntil { get; init; }
    /// <summary>Beyond its subscription's per-minute limit: waits for the minute's end, then goes in a digest.</summary>
    public bool HeldForDigest { get; init; }
    public DateTimeOffset? LastAttemptAt { get; init; }
    public DateTimeOffset? DeliveredAt { get; init; }
    public Guid? DigestId { get; init; }
    /// <summary>For a digest: the deliveries it stands for.</summary>
    public IReadOnlyList<Guid>? Members { get; init; }

    /// <summary>Due now and not yet handed to a digest: what the sender looks for.</summary>
    public bool IsDue => Status is DeliveryStatus.Pending or DeliveryStatus.Retrying && DigestId is null;

    public static Delivery Pending(Guid id, string tenantId, Guid subscriptionId, Notification notification, DateTimeOffset now) => new()
    {
        Id = id, TenantId = tenantId, SubscriptionId = subscriptionId, Notification = notification, Status = DeliveryStatus.Pending,
        CreatedAt = now, NextAttemptAt = now,
    };
}
