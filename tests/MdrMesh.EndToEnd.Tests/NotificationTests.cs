using System.Text.Json.Nodes;
using MdrMesh.Notifications.Webhooks;

namespace MdrMesh.EndToEnd.Tests;

/// <summary>
/// Notifications through the real gateway to a real HTTP receiver: what a subscriber is told, signed as Standard Webhooks
/// says; retried while the receiver fails, given up and the subscription disabled after the retry window; sent after the
/// sender was killed; and each tenant's subscriptions its own.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class NotificationTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson(Tenant, OtherTenant))
{
    private const string Tenant = "tenant-notify";
    private const string OtherTenant = "tenant-other";
    private static readonly string[] AllEvents = ["incident.created", "response.awaiting_decision", "response.failed", "incident.closed"];
    private WebhookReceiver _receiver = null!;

    protected override Dictionary<string, string?> Settings => new()
    {
        // The receiver listens on loopback, which is refused unless allowlisted.
        ["Notifications:AllowedHosts:0"] = "127.0.0.1",
        ["Notifications:PollInterval"] = "00:00:00.2",
        ["Notifications:Webhooks:RetryDelay"] = "00:00:00.05",
    };

    protected override async Task SetUpAsync() => _receiver = await WebhookReceiver.StartAsync();

    public override async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await base.DisposeAsync();
    }

    private async Task<(string Id, string Secret)> SubscribeAsync(string[] events, string tenant = Tenant, string? target = null)
    {
        var created = await Mesh.OkAsync("notifications/subscriptions/create",
            new { tenant_id = tenant, channel = "WEBHOOK", target = target ?? _receiver.Url, events, language = "en" }, caller: "customer-admin");
        return (created["subscription_id"]!.GetValue<string>(), created["secret"]!.GetValue<string>());
    }

    private Task<JsonNode> DeliveriesAsync(string subscription) =>
        Mesh.OkAsync("notifications/deliveries/list", new { tenant_id = Tenant, subscription_id = subscription }, caller: "customer-admin");

    [Fact]
    public async Task A_subscriber_hears_of_each_event_it_named_signed_with_its_secret_with_ids_and_links_and_the_log_shows_each_delivered()
    {
        var (subscription, secret) = await SubscribeAsync(AllEvents);
        Assert.StartsWith("whsec_", secret);
        var listed = (await Mesh.OkAsync("notifications/subscriptions/list", new { tenant_id = Tenant }, caller: "customer-admin")).AsArray();
        Assert.Null(Assert.Single(listed, s => s!["subscription_id"]!.GetValue<string>() == subscription)!["secret"]);

        var incident = await Mesh.OpenIncidentAsync(Tenant, "Worm on WS-1");
        // Auto-accept is off: the isolation waits for a person; the file collection, confirmed, fails (the file is too large).
        var isolation = await Mesh.ProposeAsync(incident, "ISOLATE", new { isolation_term_seconds = 3600 });
        var collection = await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\images\disk.iso", max_file_size_mb = 1 });
        await Eventually.ReturnsAsync(async () => _receiver.Delivered("response.awaiting_decision").Count, n => n == 2, "both awaiting a decision");
        await Mesh.DecideAsync(collection, "Confirmed", "collect it", "customer-admin");
        await Mesh.WaitForStatusAsync(incident, collection, "Failed");
        await Mesh.OkAsync("incidents/close", new { incident_id = incident, resolution_status = "TRUE_POSITIVE", summary = "Contained" }, caller: "customer-admin");

        var calls = await Eventually.ReturnsAsync(async () => _receiver.Calls.ToList(), c => c.Count >= 5, "five notifications");
        Assert.Equal(["incident.created", "response.awaiting_decision", "response.awaiting_decision", "response.failed", "incident.closed"],
            calls.Select(c => c.Type).Order(StringComparer.Ordinal).OrderBy(t => Array.IndexOf(AllEvents, t)).ToList());
        foreach (var call in calls)
        {
            Assert.True(WebhookSignature.Verify(secret, call.Id, long.Parse(call.Timestamp), call.Body, call.Signature), $"signature of {call.Type}");
            Assert.False(WebhookSignature.Verify(WebhookSignature.NewSecret(), call.Id, long.Parse(call.Timestamp), call.Body, call.Signature));
            Assert.Equal(Tenant, call.Json["data"]!["tenant_id"]!.GetValue<string>());
            Assert.Equal(incident, call.Json["data"]!["incident_id"]!.GetValue<string>());
            Assert.EndsWith($"/incidents/{incident}", call.Json["data"]!["link"]!.GetValue<string>());
        }
        var waiting = _receiver.Delivered("response.awaiting_decision").Select(c => c.Json["data"]!).Single(d => d["response_id"]!.GetValue<string>() == isolation);
        Assert.Equal(("ISOLATE", "ws-1"), (waiting["response_type"]!.GetValue<string>(), waiting["asset_id"]!.GetValue<string>()));
        Assert.True(DateTimeOffset.Parse(waiting["deadline"]!.GetValue<string>()) > Mesh.Clock.GetUtcNow().AddDays(6));
        // Ids, names and links only: the isolation's parameters (its password among them) never travel.
        Assert.Equal(["asset_id", "deadline", "incident_id", "link", "response_id", "response_type", "tenant_id"],
            waiting.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        var failed = Assert.Single(_receiver.Delivered("response.failed")).Json["data"]!;
        Assert.Equal((collection, "FILE_TOO_LARGE"), (failed["response_id"]!.GetValue<string>(), failed["reason_code"]!.GetValue<string>()));

        var log = (await DeliveriesAsync(subscription)).AsArray();
        Assert.Equal(5, log.Count);
        Assert.All(log, d => Assert.Equal(("DELIVERED", 1), (d!["status"]!.GetValue<string>(), d["attempts"]!.GetValue<int>())));
        Assert.Equal(calls.Select(c => c.Id).Order(), log.Select(d => d!["notification_id"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task A_failing_receiver_is_retried_with_the_same_id_until_it_answers_and_a_test_notification_goes_whatever_the_events()
    {
        var (subscription, secret) = await SubscribeAsync(["incident.closed"]);
        _receiver.Answer = 500;
        var test = await Mesh.OkAsync("notifications/subscriptions/test", new { tenant_id = Tenant, subscription_id = subscription }, caller: "customer-admin");
        var delivery = test["delivery_id"]!.GetValue<string>();

        var retrying = await Eventually.ReturnsAsync(() => DeliveriesAsync(subscription),
            l => l.AsArray().Any(d => d!["delivery_id"]!.GetValue<string>() == delivery && d["status"]!.GetValue<string>() == "RETRYING"), "retrying");
        var first = retrying.AsArray().Single(d => d!["delivery_id"]!.GetValue<string>() == delivery)!;
        Assert.Equal(("HTTP 500", 1), (first["last_error"]!.GetValue<string>(), first["attempts"]!.GetValue<int>()));
        // Within that one attempt the HTTP client itself tried three times.
        Assert.Equal(3, _receiver.Calls.Count(c => c.AnsweredWith == 500));

        _receiver.Answer = 200;
        Mesh.Clock.Advance(TimeSpan.FromMinutes(1));
        await Eventually.ReturnsAsync(() => DeliveriesAsync(subscription),
            l => l.AsArray().Any(d => d!["delivery_id"]!.GetValue<string>() == delivery && d["status"]!.GetValue<string>() == "DELIVERED"), "delivered");
        var ids = _receiver.Calls.Select(c => c.Id).Distinct().ToList();
        var call = Assert.Single(_receiver.Delivered("subscription.test"));
        Assert.Equal([call.Id], ids);
        Assert.True(WebhookSignature.Verify(secret, call.Id, long.Parse(call.Timestamp), call.Body, call.Signature));
    }

    [Fact]
    public async Task A_receiver_failing_for_the_whole_retry_window_fails_its_delivery_and_disables_the_subscription_until_enabled_again()
    {
        var receiver = await WebhookReceiver.StartAsync();
        await using var _ = receiver;
        receiver.Answer = 503;
        var (subscription, _) = await SubscribeAsync(["incident.created"], target: receiver.Url);
        await Mesh.OpenIncidentAsync(Tenant, "Beacon on WS-2");
        await Eventually.ReturnsAsync(() => DeliveriesAsync(subscription), l => l.AsArray().Any(d => d!["status"]!.GetValue<string>() == "RETRYING"),
            "retrying");

        // A day later, every attempt still failed: the delivery is given up, and the subscription disabled, saying why.
        for (var hours = 0; hours < 25; hours += 5) Mesh.Clock.Advance(TimeSpan.FromHours(5));
        var log = await Eventually.ReturnsAsync(() => DeliveriesAsync(subscription),
            l => l.AsArray().Any(d => d!["status"]!.GetValue<string>() == "FAILED"), "failed after the retry window");
        Assert.Equal("HTTP 503", log.AsArray().Single()!["last_error"]!.GetValue<string>());
        var disabled = await Eventually.ReturnsAsync(
            async () => (await Mesh.OkAsync("notifications/subscriptions/list", new { tenant_id = Tenant }, caller: "customer-admin")).AsArray()
                .Single(s => s!["subscription_id"]!.GetValue<string>() == subscription)!,
            s => !s["enabled"]!.GetValue<bool>(), "disabled");
        Assert.Contains("every delivery failed for 24 h", disabled["disabled_reason"]!.GetValue<string>());

        // Nothing is recorded for a disabled subscription; enabled again and redelivered, the failed one arrives.
        receiver.Answer = 200;
        var (redeliverWhileDisabled, _) = await Mesh.CallAsync("notifications/deliveries/redeliver",
            new { tenant_id = Tenant, delivery_id = log.AsArray().Single()!["delivery_id"]!.GetValue<string>() }, caller: "customer-admin");
        Assert.Equal(409, redeliverWhileDisabled);
        await Mesh.OkAsync("notifications/subscriptions/update", new { tenant_id = Tenant, subscription_id = subscription, enabled = true }, caller: "customer-admin");
        await Mesh.OkAsync("notifications/deliveries/redeliver",
            new { tenant_id = Tenant, delivery_id = log.AsArray().Single()!["delivery_id"]!.GetValue<string>() }, caller: "customer-admin");
        await Eventually.ReturnsAsync(() => DeliveriesAsync(subscription), l => l.AsArray().Single()!["status"]!.GetValue<string>() == "DELIVERED",
            "redelivered");
        Assert.Single(receiver.Delivered("incident.created"));
    }

    [Fact]
    public async Task A_notification_whose_sender_was_killed_mid_send_arrives_after_its_restart_with_the_same_id()
    {
        var receiver = await WebhookReceiver.StartAsync();
        await using var _ = receiver;
        receiver.Hang = true;
        var (subscription, secret) = await SubscribeAsync(["incident.created"], target: receiver.Url);
        await Mesh.OpenIncidentAsync(Tenant, "Ransom note on WS-1");
        await Eventually.ReturnsAsync(() => DeliveriesAsync(subscription), l => l.AsArray().Count == 1, "recorded");

        await Mesh.KillServiceAsync("Notifications");
        receiver.Release();
        Assert.Empty(receiver.Calls);
        await Mesh.StartServiceAsync("Notifications");

        await Eventually.ReturnsAsync(() => DeliveriesAsync(subscription), l => l.AsArray().Single()!["status"]!.GetValue<string>() == "DELIVERED",
            "delivered after the restart");
        var call = Assert.Single(receiver.Delivered("incident.created"));
        Assert.True(WebhookSignature.Verify(secret, call.Id, long.Parse(call.Timestamp), call.Body, call.Signature));
        Assert.Equal((await DeliveriesAsync(subscription)).AsArray().Single()!["notification_id"]!.GetValue<string>(), call.Id);
    }

    [Fact]
    public async Task A_tenants_subscriptions_and_deliveries_are_its_own_and_only_for_those_who_may_set_its_auto_accept()
    {
        var (subscription, _) = await SubscribeAsync(["incident.created"]);
        var outsider = await ConnectAsync("outsider", ["FULL_ACCESS"], OtherTenant);
        var reader = await ConnectAsync("reader", ["INCIDENT_ACCESS"], Tenant);
        var subscriptionCalls = new (string Method, object Body)[]
        {
            ("notifications/subscriptions/list", new { tenant_id = Tenant }),
            ("notifications/subscriptions/update", new { tenant_id = Tenant, subscription_id = subscription, enabled = false }),
            ("notifications/subscriptions/delete", new { tenant_id = Tenant, subscription_id = subscription }),
            ("notifications/subscriptions/test", new { tenant_id = Tenant, subscription_id = subscription }),
            ("notifications/deliveries/list", new { tenant_id = Tenant, subscription_id = subscription }),
        };
        foreach (var (method, body) in subscriptionCalls)
        {
            Assert.Equal(404, (await Mesh.RawCallAsync(outsider.ClientId, method, body, outsider.Access)).Status);
            Assert.Equal(403, (await Mesh.RawCallAsync(reader.ClientId, method, body, reader.Access)).Status);
        }
        // Named in its own tenant, another tenant's subscription is not found either.
        Assert.Equal(404, (await Mesh.RawCallAsync(outsider.ClientId, "notifications/subscriptions/test",
            new { tenant_id = OtherTenant, subscription_id = subscription }, outsider.Access)).Status);
        // Still there, still enabled.
        var listed = (await Mesh.OkAsync("notifications/subscriptions/list", new { tenant_id = Tenant }, caller: "customer-admin")).AsArray();
        Assert.True(listed.Single(s => s!["subscription_id"]!.GetValue<string>() == subscription)!["enabled"]!.GetValue<bool>());
        var (status, others) = await Mesh.RawCallAsync(outsider.ClientId, "notifications/subscriptions/list", new { tenant_id = OtherTenant }, outsider.Access);
        Assert.Equal(200, status);
        Assert.Empty(others!.AsArray());
    }

    private async Task<(string ClientId, string Access)> ConnectAsync(string name, string[] rights, string tenant)
    {
        var (clientId, refresh) = await Mesh.CreateConnectionAsync(name, rights, [tenant]);
        return (clientId, (await Mesh.ConfirmAsync(clientId, refresh)).Access);
    }
}
