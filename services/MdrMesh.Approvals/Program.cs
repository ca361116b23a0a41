using MdrMesh.Approvals;

// The container's health check (docker-compose.yml): the binary asks the running service.
if (args is ["health"]) return await MdrMesh.ServiceDefaults.Health.ProbeAsync();

var builder = WebApplication.CreateBuilder(args);
builder.AddApprovals();

var app = builder.Build();
app.MapApprovals();
app.Run();
return 0;
