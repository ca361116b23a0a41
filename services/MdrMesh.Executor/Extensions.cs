using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using MdrMesh.Executor.Assets;
using MdrMesh.Executor.Executing;
using MdrMesh.Executor.Fleet;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Executor;

public static class Extensions
{
    public const string Schema = "executor";

    public static void AddExecutor(this WebApplicationBuilder builder)
    {
        builder.AddMdrApi("executor");
        builder.Services.Configure<ExecutorOptions>(builder.Configuration.GetSection("Executor"));
        builder.AddMdrMassTransit(bus => bus.AddConsumer<ExecuteResponseConsumer>(typeof(ExecuteResponseDefinition)));
        builder.AddMdrMarten<ExecutorMessages>(Schema, options =>
        {
            options.Events.StreamIdentity = StreamIdentity.AsGuid;
            options.Projections.Snapshot<Execution>(SnapshotLifecycle.Inline);
            options.Projections.Snapshot<AnnouncedProfile>(SnapshotLifecycle.Inline);
            // Stored under the names they had before they took the design card's (the same fields): still read.
            options.Events.ReadFormerName<ResponseExecutionStarted>("execution_started");
            options.Events.ReadFormerName<ResponseExecuted>("execution_succeeded");
            options.Events.ReadFormerName<ResponseFailed>("execution_failed");
            options.Events.ReadFormerName<ResponseUndone>("execution_undone");
            // Indexed for assets/list's related_incidents_ids and the sweeper's look for waiting executions.
            options.Schema.For<Execution>().Metadata(m => m.TenantId.MapTo(x => x.TenantId)).Index(e => e.IncidentId).Index(e => e.Status);
            // The consumer, the sweeper and assets/register may change one asset at once: a lost update would undo a response.
            // Found by id alone for callers of every tenant (the key is tenant, id).
            options.Schema.For<FleetAsset>().UseOptimisticConcurrency(true).Metadata(m => m.TenantId.MapTo(x => x.TenantId)).Index(a => a.Id);
        });
        builder.Services.AddSingleton<IEndpointAdapter, SimulatedFleetAdapter>();
        builder.Services.AddSingleton<ExecutionRunner>();
        builder.Services.AddHostedService<FleetFileLoader>();
        builder.Services.AddHostedService<ExecutorSweeper>();
    }

    public static void MapExecutor(this WebApplication app)
    {
        app.UseMdrInternalApi();
        app.MapMethod("assets/register", AssetEndpoints.Register).Produces<AssetView>();
        app.MapMethod("assets/list", AssetEndpoints.List).Produces<List<AssetView>>();
        app.MapMethod("assets/count", AssetEndpoints.Count).Produces<CountView>();
        app.MapMethod("assets/details", AssetEndpoints.Details).Produces<AssetView>();
        app.RequireMethodsOf(ApiMethods.Executor);
    }
}
