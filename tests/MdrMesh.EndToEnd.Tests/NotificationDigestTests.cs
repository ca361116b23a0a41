namespace MdrMesh.EndToEnd.Tests;

/// <summary>
/// An outbreak through the real gateway: beyond its per-minute limit, a subscription's notifications wait for the minute's
/// end and arrive as one digest listing them — every one exactly once, one way or the other; and the blast-radius guard
/// tripping is told once, with the held response waiting for a decision.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class NotificationDigestTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson(Tenant, GuardTenant))
{
    private const string Tenant = "tenant-outbreak";
    // Its own tenant: its incident must not reach the digest test's subscription.
    private const string GuardTenant = "tenant-guarded";
    private const int Threshold = 3;
    private WebhookReceiver _receiver = null!;

    protected override Dictionary<string, string?> Settings => new()
    {
        ["Notifications:AllowedHosts:0"] = "127.0.0.1",
        ["Notifications:PollInterval"] = "00:00:00.2",
        ["Notifications:DigestThreshold"] = Threshold.ToString(),
    };

    protected override async Task SetUpAsync() => _receiver = await WebhookReceiver.StartAsync();

    public override async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Twelve_incidents_in_a_minute_are_three_notifications_then_one_digest_of_the_other_nine()
    {
        var created = await Mesh.OkAsync("notifications/subscriptions/create",
            new { tenant_id = Tenant, channel = "WEBHOOK", target = _receiver.Url, events = new[] { "incident.created" } }, caller: "customer-admin");
        var subscription = created["subscription_id"]!.GetValue<string>();
        // The services' clock at the start of a minute (it moves only as they read it), so the twelve fall in one.
        var now = Mesh.Clock.GetUtcNow();
        Mesh.Clock.Advance(TimeSpan.FromMinutes(1) - TimeSpan.FromTicks(now.Ticks % TimeSpan.TicksPerMinute) + TimeSpan.FromSeconds(1));

        var incidents = new List<string>();
        for (var i = 0; i < 12; i++) incidents.Add(await Mesh.OpenIncidentAsync(Tenant, $"Worm on host {i}"));
        var held = await Eventually.ReturnsAsync(
            () => Mesh.OkAsync("notifications/deliveries/list", new { tenant_id = Tenant, subscription_id = subscription }, caller: "customer-admin"),
            l => l.AsArray().Count == 12 && l.AsArray().Count(d => d!["status"]!.GetValue<string>() == "DELIVERED") == Threshold
                && l.AsArray().Count(IsHeldForTheMinutesEnd) == 12 - Threshold,
            "three delivered, nine held");
        Assert.Equal(Threshold, _receiver.Calls.Count);

        Mesh.Clock.Advance(TimeSpan.FromMinutes(1));
        var log = await Eventually.ReturnsAsync(
            () => Mesh.OkAsync("notifications/deliveries/list", new { tenant_id = Tenant, subscription_id = subscription }, caller: "customer-admin"),
            l => l.AsArray().Count == 13 && l.AsArray().All(d => d!["status"]!.GetValue<string>() == "DELIVERED"), "the digest delivered");

        var digest = Assert.Single(_receiver.Delivered("notifications.digest")).Json["data"]!;
        Assert.Equal(9, digest["count"]!.GetValue<int>());
        Assert.Equal(Threshold + 1, _receiver.Calls.Count);
        var told = _receiver.Delivered("incident.created").Select(c => c.Json["data"]!["incident_id"]!.GetValue<string>())
            .Concat(digest["notifications"]!.AsArray().Select(n => n!["data"]!["incident_id"]!.GetValue<string>()));
        Assert.Equal(incidents.Order(), told.Order());
        var digestDelivery = log.AsArray().Single(d => d!["event"]!.GetValue<string>() == "notifications.digest")!["delivery_id"]!.GetValue<string>();
        Assert.Equal(9, log.AsArray().Count(d => d!["digest_id"]?.GetValue<string>() == digestDelivery));
    }

    // Held: due at the start of the next minute (a delivery not yet looked at is due at once, and would go out one by one
    // in the next minute if the clock moved on before the sender held it).
    private static bool IsHeldForTheMinutesEnd(System.Text.Json.Nodes.JsonNode? d) =>
        d!["status"]!.GetValue<string>() == "PENDING" && d["next_attempt_time"]?.GetValue<long>() is { } next
        && next % 60_000 == 0 && next > d["create_time"]!.GetValue<long>();

    [Fact]
    public async Task The_guard_tripping_is_told_once_and_each_held_response_as_awaiting_a_decision()
    {
        var receiver = await WebhookReceiver.StartAsync();
        await using var _ = receiver;
        await Mesh.OkAsync("notifications/subscriptions/create", new
        {
            tenant_id = GuardTenant, channel = "WEBHOOK", target = receiver.Url, events = new[] { "guard.tripped", "response.awaiting_decision" },
        }, caller: "customer-admin");
        await Mesh.OkAsync("auto_accept/set", new { mode = "ALL_TENANTS" }, caller: "customer-admin");
        await Mesh.OkAsync("auto_accept/guard/set", new { tenant_id = GuardTenant, types = new[] { "ISOLATE" }, limit = 1, window_seconds = 600 },
            caller: "customer-admin");

        var incident = await Mesh.OpenIncidentAsync(GuardTenant, "Worm spreading");
        var first = await Mesh.ProposeAsync(incident, "ISOLATE", new { isolation_term_seconds = 600 }, asset: "ws-1");
        await Mesh.WaitForStatusAsync(incident, first, "Completed");
        var second = await Mesh.ProposeAsync(incident, "ISOLATE", new { isolation_term_seconds = 600 }, asset: "ws-2");
        var third = await Mesh.ProposeAsync(incident, "ISOLATE", new { isolation_term_seconds = 900 }, asset: "ws-2");

        await Eventually.ReturnsAsync(async () => receiver.Delivered("response.awaiting_decision").Count, n => n == 2, "both held responses told");
        var tripped = Assert.Single(receiver.Delivered("guard.tripped")).Json["data"]!;
        Assert.Equal((second, 1, 600L), (tripped["response_id"]!.GetValue<string>(), tripped["limit"]!.GetValue<int>(), tripped["window_seconds"]!.GetValue<long>()));
        Assert.EndsWith("/settings/auto-accept", tripped["link"]!.GetValue<string>());
        Assert.Equal(new[] { second, third }.Order(),
            receiver.Delivered("response.awaiting_decision").Select(c => c.Json["data"]!["response_id"]!.GetValue<string>()).Order());
    }
}
