using System.Text.Json.Nodes;
using MdrMesh.Notifications.Delivering;
using MdrMesh.Notifications.Notifying;
using MdrMesh.Notifications.Subscribing;

namespace MdrMesh.Services.Tests.Notifications;

/// <summary>The delivery log's rules: when a failed delivery is tried again, when it is given up, when a subscription is disabled.</summary>
public sealed class DeliveriesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 30, TimeSpan.Zero);
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);

    private static Delivery Pending(DateTimeOffset createdAt) =>
        Delivery.Pending(Guid.NewGuid(), "t1", Guid.NewGuid(), new Notification(Guid.NewGuid(), NotificationTypes.IncidentCreated, createdAt, new JsonObject()), createdAt);

    [Theory]
    [InlineData(1, 15)]
    [InlineData(2, 30)]
    [InlineData(3, 60)]
    [InlineData(9, 3600)]
    [InlineData(40, 3600)]
    public void Each_wait_doubles_up_to_an_hour_and_jitter_takes_at_most_half_of_it(int attempts, int fullSeconds)
    {
        var full = TimeSpan.FromSeconds(fullSeconds);
        Assert.Equal(full / 2, Deliveries.Backoff(attempts, 0));
        Assert.InRange(Deliveries.Backoff(attempts, 0.999), full * 0.99, full);
    }

    [Fact]
    public void A_failure_within_the_window_is_retried_later_and_one_after_it_is_given_up()
    {
        var retried = Deliveries.Failed(Pending(Now), "HTTP 500", Now, Day, 0);
        Assert.Equal((DeliveryStatus.Retrying, 1, "HTTP 500", Now.AddSeconds(7.5)), (retried.Status, retried.Attempts, retried.LastError, retried.NextAttemptAt));

        var late = Deliveries.Failed(retried, "HTTP 503", Now + Day, Day, 0);
        Assert.Equal((DeliveryStatus.Failed, 2, "HTTP 503"), (late.Status, late.Attempts, late.LastError));
        Assert.False(late.IsDue);
    }

    [Fact]
    public void The_last_retry_is_no_later_than_the_windows_end_and_a_redelivery_opens_a_new_window()
    {
        var nearEnd = Deliveries.Failed(Pending(Now) with { Attempts = 12 }, "timed out", Now + Day - TimeSpan.FromMinutes(1), Day, 0.99);
        Assert.Equal(Now + Day, nearEnd.NextAttemptAt);

        var failed = Deliveries.Failed(nearEnd, "timed out", Now + Day, Day, 0);
        var again = Deliveries.Redelivered(failed, Now + Day * 2, Day);
        Assert.True(again.IsDue);
        Assert.Equal(DeliveryStatus.Retrying, Deliveries.Failed(again, "HTTP 500", Now + Day * 2 + TimeSpan.FromHours(1), Day, 0).Status);
    }

    [Fact]
    public void A_minute_allows_the_threshold_one_by_one_and_the_next_minute_starts_again()
    {
        var state = new SubscriptionState { Id = Guid.NewGuid() };
        for (var i = 0; i < 3; i++) state = Deliveries.AfterAttempt(state, delivered: true, Now);
        Assert.Equal(0, Deliveries.Allowance(state, Now.AddSeconds(20), 3));
        Assert.Equal(3, Deliveries.Allowance(state, Now.AddSeconds(30), 3));
        // A failed attempt uses none of the allowance.
        Assert.Equal(1, Deliveries.Allowance(Deliveries.AfterAttempt(new SubscriptionState(), delivered: false, Now), Now, 1));
    }

    [Fact]
    public void A_subscription_is_disabled_after_failing_for_the_whole_window_since_it_was_last_enabled()
    {
        var subscription = new Subscription { Id = Guid.NewGuid(), EnabledAt = Now.AddDays(-3) };
        var failing = Deliveries.AfterAttempt(new SubscriptionState(), delivered: false, Now);
        Assert.Equal(Now, failing.FailingSince);
        Assert.False(Deliveries.FailedTooLong(subscription, failing, Now + Day - TimeSpan.FromSeconds(1), Day));
        Assert.True(Deliveries.FailedTooLong(subscription, Deliveries.AfterAttempt(failing, delivered: false, Now + Day), Now + Day, Day));
        // Enabled again meanwhile: counted from then. One success ends the streak.
        Assert.False(Deliveries.FailedTooLong(subscription with { EnabledAt = Now.AddHours(12) }, failing, Now + Day, Day));
        Assert.Null(Deliveries.AfterAttempt(failing, delivered: true, Now.AddHours(1)).FailingSince);
    }
}
