using MdrMesh.Notifications;

var builder = WebApplication.CreateBuilder(args);
builder.AddNotifications();

var app = builder.Build();
app.MapNotifications();
app.Run();
