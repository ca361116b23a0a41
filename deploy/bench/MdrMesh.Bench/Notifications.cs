using System.Text.Json;

namespace MdrMesh.Bench;

/// <summary>
/// Commit → delivery of notifications under an open-loop load: an e-mail subscription (to the SMTP server the system was
/// composed with: smtp4dev locally) for <c>incident.created</c> in the tenant the load raises its incidents in, with a
/// digest threshold above the load so each goes alone. Afterwards the delivery log says, for each, when its event
/// committed (<c>event_time</c>) and when it was delivered (<c>delivery_time</c>): both the server's clock.
/// </summary>
public sealed class NotificationWatch(string subscriptionId)
{
    private const string Tenant = "root";

    public static async Task<NotificationWatch> StartAsync(Api api)
    {
        var reply = await api.CallAsync("notifications/subscriptions/create", new
        {
            tenant_id = Tenant, channel = "EMAIL", target = "bench@mdrmesh.invalid", events = new[] { "incident.created" }, digest_threshold = 10_000,
        }, true);
        return new NotificationWatch(reply.Text("subscription_id") ?? throw new BenchException($"notifications/subscriptions/create answered {reply.Status}: {reply.Body}"));
    }

    /// <summary>Waits (up to <paramref name="deadlineSeconds"/>) until nothing is left to send, then sums up and removes the subscription.</summary>
    public async Task MeasureAsync(Api api, ScenarioResult result, double deadlineSeconds)
    {
        var deadline = Clock.Now + deadlineSeconds;
        List<JsonElement> log;
        while (true)
        {
            log = await LogAsync(api);
            if (log.All(d => d.GetProperty("status").GetString() is "DELIVERED" or "FAILED") || Clock.Now > deadline) break;
            await Task.Delay(500);
        }
        var delivered = log.Where(d => d.GetProperty("status").GetString() == "DELIVERED").ToList();
        double Between(JsonElement d, string from, string to) => d.GetProperty(to).GetInt64() - d.GetProperty(from).GetInt64();
        result.NotificationMs = Percentiles.Of(delivered.Select(d => Between(d, "event_time", "delivery_time")));
        result.NotificationRecordedMs = Percentiles.Of(delivered.Select(d => Between(d, "event_time", "create_time")));
        result.NotificationsDelivered = delivered.Count;
        result.NotificationsRecorded = log.Count;
        await api.CallAsync("notifications/subscriptions/delete", new { tenant_id = Tenant, subscription_id = subscriptionId }, true);
    }

    private async Task<List<JsonElement>> LogAsync(Api api)
    {
        var all = new List<JsonElement>();
        for (var page = 1; ; page++)
        {
            var reply = await api.CallAsync("notifications/deliveries/list", new { tenant_id = Tenant, subscription_id = subscriptionId, page, page_size = 1000 }, true);
            if (!reply.Ok) throw new BenchException($"notifications/deliveries/list answered {reply.Status}: {reply.Body}");
            all.AddRange(reply.Body.EnumerateArray().Select(d => d.Clone()));
            if (reply.Body.GetArrayLength() < 1000) return all;
        }
    }
}
