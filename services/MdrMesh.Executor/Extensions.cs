using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using MdrMesh.Executor.Executing;
using MdrMesh.Executor.Fleet;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Executor;

public static class Extensions
{
    public const string Schema = "executor";

    public static void AddExecutor(this WebApplicationBuilder builder)
    {
        builder.AddMdrApi();
        builder.AddMdrMassTransit(bus => bus.AddConsumer<ExecuteResponseConsumer>());
        builder.AddMdrMarten<ExecutorMessages>(Schema, options =>
        {
            options.Events.StreamIdentity = StreamIdentity.AsGuid;
            options.Projections.Snapshot<Execution>(SnapshotLifecycle.Inline);
        });
        builder.Services.AddSingleton<IEndpointAdapter, SimulatedFleetAdapter>();
        builder.Services.AddHostedService<FleetSeeder>();
    }

    public static void MapExecutor(this WebApplication app) => app.UseMdrApi();
}
