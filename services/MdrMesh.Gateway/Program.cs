using MdrMesh.Gateway;
using MdrMesh.Gateway.Access;

// The operator's commands (deploy/admin.sh): the same binary and configuration, no web server.
if (args is ["admin", .. var command]) return await AdminCommands.RunAsync(command);
// The container's health check (docker-compose.yml): the binary asks the running gateway.
if (args is ["health"]) return await MdrMesh.ServiceDefaults.Health.ProbeAsync();

var builder = WebApplication.CreateBuilder(args);
builder.AddGateway();

var app = builder.Build();
app.MapGateway();
app.Run();
return 0;
