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
    public DateTimeOffset? LastAttemptAt { get; init; }
    public DateTimeOffset? DeliveredAt { get; init; }
    public Guid? DigestId { get; init; }
    /// <summary>For a digest: the deliveries it stands for.</summary>
    public IReadOnlyList<Guid>? Members { get; init; }
}
