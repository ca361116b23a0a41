using MdrMesh.Incidents;

var builder = WebApplication.CreateBuilder(args);
builder.AddIncidents();

var app = builder.Build();
app.MapIncidents();
app.Run();
