using MdrMesh.Notifications;

// The container's health check (docker-compose.yml): the binary asks the running service.
if (args is ["health"]) return await MdrMesh.ServiceDefaults.Health.ProbeAsync();

var builder = WebApplication.CreateBuilder(args);
builder.AddNotifications();

var app = builder.Build();
app.MapNotifications();
app.Run();
return 0;
