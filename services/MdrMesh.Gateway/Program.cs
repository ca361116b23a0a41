using MdrMesh.Gateway;
using MdrMesh.Gateway.Access;

// The operator's commands (deploy/admin.sh): the same binary and configuration, no web server.
if (args is ["admin", .. var command]) return await AdminCommands.RunAsync(command);

var builder = WebApplication.CreateBuilder(args);
builder.AddGateway();

var app = builder.Build();
app.MapGateway();
app.Run();
return 0;
