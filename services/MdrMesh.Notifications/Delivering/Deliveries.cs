using System.Text.Json.Nodes;
using MdrMesh.Notifications.Notifying;
using MdrMesh.Notifications.Subscribing;

namespace MdrMesh.Notifications.Delivering;

/// <summary>The delivery log's rules, as pure functions: what an attempt's outcome makes of a delivery and its subscription.</summary>
public static class Deliveries
{
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan LongestWait = TimeSpan.FromHours(1);
    /// <summary>At most this many notifications in one digest; more make several.</summary>
    public const int MaxDigest = 500;

    public static Delivery Delivered(Delivery d, DateTimeOffset now) =>
        d with { Status = DeliveryStatus.Delivered, Attempts = d.Attempts + 1, LastAttemptAt = now, DeliveredAt = now, LastError = null };

    /// <summary>
    /// A failed attempt: retried after an exponential wait with jitter (<paramref name="jitter"/> in [0, 1): half the wait is
    /// fixed, half random, so retries of many deliveries do not arrive together), until the retry window has passed.
    /// </summary>
    public static Delivery Failed(Delivery d, string error, DateTimeOffset now, TimeSpan retryWindow, double jitter)
    {
        var until = d.RetryUntil ?? d.CreatedAt + retryWindow;
        var attempts = d.Attempts + 1;
        if (now >= until) return d with { Status = DeliveryStatus.Failed, Attempts = attempts, LastError = error, LastAttemptAt = now };
        var next = now + Backoff(attempts, jitter);
        return d with
        {
            Status = DeliveryStatus.Retrying, Attempts = attempts, LastError = error, LastAttemptAt = now, NextAttemptAt = next < until ? next : until,
        };
    }

    /// <summary>15 s, 30 s, 1 min, ... up to an hour, each between half and all of it.</summary>
    public static TimeSpan Backoff(int attempts, double jitter)
    {
        var full = FirstRetry * Math.Pow(2, Math.Min(attempts - 1, 20));
        if (full > LongestWait) full = LongestWait;
        return full * (0.5 + jitter / 2);
    }

    /// <summary>Given up without an attempt: its subscription was deleted or disabled.</summary>
    public static Delivery GivenUp(Delivery d, string reason, DateTimeOffset now) =>
        d with { Status = DeliveryStatus.Failed, LastError = reason, LastAttemptAt = now };

    /// <summary>Sent again from now, with a fresh retry window.</summary>
    public static Delivery Redelivered(Delivery d, DateTimeOffset now, TimeSpan retryWindow) => d with
    {
        Status = DeliveryStatus.Pending, NextAttemptAt = now, RetryUntil = now + retryWindow, LastError = null, HeldForDigest = false, DigestId = null,
    };

    /// <summary>The sender's count for the minute of <paramref name="now"/>, and its failure streak, after one attempt.</summary>
    public static SubscriptionState AfterAttempt(SubscriptionState state, bool delivered, DateTimeOffset now) => Counted(state, now) with
    {
        SentInWindow = Counted(state, now).SentInWindow + (delivered ? 1 : 0),
        FailingSince = delivered ? null : state.FailingSince ?? now,
    };

    /// <summary>How many more may go out one by one in the minute of <paramref name="now"/>.</summary>
    public static int Allowance(SubscriptionState state, DateTimeOffset now, int threshold) => Math.Max(0, threshold - Counted(state, now).SentInWindow);

    /// <summary>Failing for the whole retry window since it was last enabled: to be disabled.</summary>
    public static bool FailedTooLong(Subscription subscription, SubscriptionState state, DateTimeOffset now, TimeSpan retryWindow) =>
        state.FailingSince is { } since && now - (since > subscription.EnabledAt ? since : subscription.EnabledAt) >= retryWindow;

    public static DateTimeOffset MinuteOf(DateTimeOffset now) => new(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);

    private static SubscriptionState Counted(SubscriptionState state, DateTimeOffset now) =>
        state.WindowStart == MinuteOf(now) ? state : state with { WindowStart = MinuteOf(now), SentInWindow = 0 };

    /// <summary>One notification standing for <paramref name="members"/>, oldest first, each as it would have been sent.</summary>
    public static Notification Digest(Guid id, string tenantId, IReadOnlyList<Delivery> members, DateTimeOffset now) =>
        new(id, NotificationTypes.Digest, now, new JsonObject
        {
            ["tenant_id"] = tenantId,
            ["count"] = members.Count,
            ["notifications"] = new JsonArray([.. members.Select(m => (JsonNode)new JsonObject
            {
                ["id"] = m.Notification.Id.ToString(),
                ["type"] = m.Notification.Type,
                ["timestamp"] = m.Notification.Timestamp.UtcDateTime.ToString("O"),
                ["data"] = m.Notification.Data.DeepClone(),
            })]),
        });
}
