using MdrMesh.Executor;

var builder = WebApplication.CreateBuilder(args);
builder.AddExecutor();

var app = builder.Build();
app.MapExecutor();
app.Run();
