using MdrMesh.ServiceDefaults;

namespace MdrMesh.Notifications;

public static class Extensions
{
    public const string Schema = "notifications";

    public static void AddNotifications(this WebApplicationBuilder builder)
    {
        builder.AddMdrApi("notifications");
        builder.Services.Configure<NotificationsOptions>(builder.Configuration.GetSection("Notifications"));
    }

    public static void MapNotifications(this WebApplication app)
    {
        app.UseMdrInternalApi();
    }
}
