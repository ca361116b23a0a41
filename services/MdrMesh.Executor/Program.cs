using MdrMesh.Executor;

// The container's health check (docker-compose.yml): the binary asks the running service.
if (args is ["health"]) return await MdrMesh.ServiceDefaults.Health.ProbeAsync();

var builder = WebApplication.CreateBuilder(args);
builder.AddExecutor();

var app = builder.Build();
app.MapExecutor();
app.Run();
return 0;
