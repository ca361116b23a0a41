using MdrMesh.Approvals;

var builder = WebApplication.CreateBuilder(args);
builder.AddApprovals();

var app = builder.Build();
app.MapApprovals();
app.Run();
