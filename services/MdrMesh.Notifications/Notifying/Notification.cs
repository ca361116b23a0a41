using System.Text.Json.Nodes;

namespace MdrMesh.Notifications.Notifying;

/// <summary>
/// What a subscriber is told, in the Standard Webhooks payload shape (<c>type</c>, <c>timestamp</c>, <c>data</c>):
/// <paramref name="Id"/> is stable across every attempt and redelivery (the webhook's <c>webhook-id</c>), so a receiver
/// can drop a repeat. <paramref name="Data"/> holds ids, names and links only — never a password or a token.
/// </summary>
public sealed record Notification(Guid Id, string Type, DateTimeOffset Timestamp, JsonObject Data);

/// <summary>The events a subscription may name, by their wire names.</summary>
public static class NotificationTypes
{
    public const string IncidentCreated = "incident.created";
    public const string ResponseAwaitingDecision = "response.awaiting_decision";
    public const string ResponseFailed = "response.failed";
    public const string IncidentClosed = "incident.closed";
    public const string GuardTripped = "guard.tripped";

    /// <summary>Sent by <c>notifications/subscriptions/test</c>, whatever the subscription names.</summary>
    public const string Test = "subscription.test";

    /// <summary>One message standing for many, when a subscription's notifications outrun its per-minute limit.</summary>
    public const string Digest = "notifications.digest";

    public static readonly IReadOnlyList<string> Subscribable = [IncidentCreated, ResponseAwaitingDecision, ResponseFailed, IncidentClosed, GuardTripped];
}
