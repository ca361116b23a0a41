using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MdrMesh.Contracts.Messages;

namespace MdrMesh.Notifications.Notifying;

/// <summary>
/// What each announced event tells a subscriber: a pure mapping from the message (and its id, which becomes the
/// notification's stable id) to ids, names and a link to the console — never a password or a token.
/// </summary>
public static class NotificationMap
{
    public static Notification Of(IncidentOpened m, Guid id, Uri console) => new(id, NotificationTypes.IncidentCreated, m.At, new JsonObject
    {
        ["tenant_id"] = m.TenantId,
        ["incident_id"] = m.IncidentId.ToString(),
        ["incident_number"] = m.Number,
        ["summary"] = m.Summary,
        ["priority"] = m.Priority,
        ["link"] = IncidentLink(console, m.IncidentId),
    });

    public static Notification Of(ResponseAwaitingDecision m, Guid id, Uri console) => new(id, NotificationTypes.ResponseAwaitingDecision, m.At, new JsonObject
    {
        ["tenant_id"] = m.TenantId,
        ["incident_id"] = m.IncidentId.ToString(),
        ["response_id"] = m.ResponseId.ToString(),
        ["asset_id"] = m.AssetId,
        ["response_type"] = m.ResponseType,
        ["deadline"] = m.Deadline.UtcDateTime.ToString("O"),
        ["link"] = IncidentLink(console, m.IncidentId),
    });

    public static Notification Of(ResponseFailed m, Guid id, Uri console) => new(id, NotificationTypes.ResponseFailed, m.At, new JsonObject
    {
        ["tenant_id"] = m.TenantId,
        ["incident_id"] = m.IncidentId.ToString(),
        ["response_id"] = m.ResponseId.ToString(),
        ["asset_id"] = m.AssetId,
        ["reason_code"] = m.ReasonCode,
        ["message"] = m.Message,
        ["link"] = IncidentLink(console, m.IncidentId),
    });

    public static Notification Of(IncidentClosed m, Guid id, Uri console) => new(id, NotificationTypes.IncidentClosed, m.At, new JsonObject
    {
        ["tenant_id"] = m.TenantId,
        ["incident_id"] = m.IncidentId.ToString(),
        ["resolution"] = m.Resolution,
        ["link"] = IncidentLink(console, m.IncidentId),
    });

    public static Notification Of(BlastRadiusGuardTripped m, Guid id, Uri console) => new(id, NotificationTypes.GuardTripped, m.At, new JsonObject
    {
        ["tenant_id"] = m.TenantId,
        ["response_id"] = m.ResponseId.ToString(),
        ["limit"] = m.Limit,
        ["window_seconds"] = (long)m.Window.TotalSeconds,
        ["reason"] = $"{m.Limit} automatic acceptances of drastic response types within {(long)m.Window.TotalMinutes} minutes: further ones wait for a person.",
        ["link"] = new Uri(console, "settings/auto-accept").ToString(),
    });

    public static Notification Test(Guid subscriptionId, string tenantId, Guid id, DateTimeOffset now) => new(id, NotificationTypes.Test, now, new JsonObject
    {
        ["tenant_id"] = tenantId,
        ["subscription_id"] = subscriptionId.ToString(),
    });

    /// <summary>
    /// The id of one notification's delivery to one subscription: the same for a redelivered message, so its
    /// deliveries are found rather than made again.
    /// </summary>
    public static Guid DeliveryId(Guid notificationId, Guid subscriptionId)
    {
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes($"{notificationId:N}/{subscriptionId:N}"));
        return new Guid(hash.AsSpan(0, 16));
    }

    private static string IncidentLink(Uri console, Guid incidentId) => new Uri(console, $"incidents/{incidentId}").ToString();
}
