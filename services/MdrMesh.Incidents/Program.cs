using MdrMesh.Incidents;

// The container's health check (docker-compose.yml): the binary asks the running service.
if (args is ["health"]) return await MdrMesh.ServiceDefaults.Health.ProbeAsync();

var builder = WebApplication.CreateBuilder(args);
builder.AddIncidents();

var app = builder.Build();
app.MapIncidents();
app.Run();
return 0;
