using MdrMesh.Notifications.Delivering;
using MdrMesh.Notifications.Email;
using MdrMesh.Notifications.Notifying;
using MdrMesh.Notifications.Subscribing;
using MdrMesh.Notifications.Webhooks;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Notifications;

public static class Extensions
{
    public const string Schema = "notifications";

    public static void AddNotifications(this WebApplicationBuilder builder)
    {
        builder.AddMdrApi("notifications");
        builder.Services.Configure<NotificationsOptions>(builder.Configuration.GetSection("Notifications"));
        builder.AddMdrMassTransit(bus =>
        {
            // One queue for every event it tells of: order does not matter here, each delivery stands alone.
            bus.AddConsumer<EventNotifier>().Endpoint(e => e.Name = "notifications");
        });
        builder.AddMdrMarten(Schema, options =>
        {
            // The sender's question: what is due, across tenants, oldest first; the log's: one subscription's, newest first.
            options.Schema.For<Delivery>()
                .Duplicate(d => d.NextAttemptAt)
                .Index(d => d.SubscriptionId)
                .Index(d => d.CreatedAt);
            options.Schema.For<Delivery>().Duplicate(d => d.Status);
            options.Schema.For<Subscription>().UseOptimisticConcurrency(true);
        });
        builder.Services.AddSingleton<DeliveryWakeup>();
        builder.Services.AddSingleton<SecretSealer>();
        builder.Services.AddSingleton<SenderLeadership>();
        builder.Services.AddWebhooks(builder.Configuration);
        builder.Services.AddEmail();
        builder.Services.AddHostedService<DeliverySender>();
    }

    public static void MapNotifications(this WebApplication app)
    {
        app.UseMdrInternalApi();
        var api = app.MapMethodsWithConflicts<JasperFx.ConcurrencyException>();
        api.MapMethod("notifications/subscriptions/create", SubscriptionEndpoints.Create).Produces<SubscriptionView>();
        api.MapMethod("notifications/subscriptions/list", SubscriptionEndpoints.List).Produces<List<SubscriptionView>>();
        api.MapMethod("notifications/subscriptions/update", SubscriptionEndpoints.Update).Produces<SubscriptionView>();
        api.MapMethod("notifications/subscriptions/delete", SubscriptionEndpoints.Delete).Produces<SubscriptionView>();
        api.MapMethod("notifications/subscriptions/test", SubscriptionEndpoints.Test).Produces<DeliveryView>();
        api.MapMethod("notifications/deliveries/list", DeliveryEndpoints.List).Produces<List<DeliveryView>>();
        api.MapMethod("notifications/deliveries/redeliver", DeliveryEndpoints.Redeliver).Produces<DeliveryView>();
        app.RequireMethodsOf(ApiMethods.Notifications);
    }
}
