using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using MdrMesh.Approvals.AcceptanceRules;
using MdrMesh.Approvals.AssetGrouping;
using MdrMesh.Approvals.AutoAcceptPolicy;
using MdrMesh.Approvals.BlastRadius;
using MdrMesh.Approvals.DecisionDeadline;
using MdrMesh.Approvals.Deciding;
using MdrMesh.Approvals.Simulating;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Approvals;

public static class Extensions
{
    public const string Schema = "approvals";

    public static void AddApprovals(this WebApplicationBuilder builder)
    {
        builder.AddMdrApi("approvals");
        builder.Services.Configure<ApprovalsOptions>(builder.Configuration.GetSection("Approvals"));
        builder.AddMdrMassTransit(bus =>
        {
            bus.AddConsumer<ResponseProposedConsumer>(typeof(ResponseProposedDefinition));
            bus.AddConsumer<IncidentClosedConsumer>();
            bus.AddConsumer<AssetProfiledConsumer>();
        });
        builder.AddMdrMarten<ApprovalMessages>(Schema, options =>
        {
            options.Events.StreamIdentity = StreamIdentity.AsGuid;
            options.Projections.Snapshot<Decision>(SnapshotLifecycle.Inline);
            options.Projections.Snapshot<AutoAcceptSwitch>(SnapshotLifecycle.Inline);
            options.Projections.Snapshot<AutoAcceptRules>(SnapshotLifecycle.Inline);
            options.Projections.Snapshot<AssetGroups>(SnapshotLifecycle.Inline);
            // Two profiles of one asset at once: the version check makes the later writer look again, so the latest stays.
            options.Schema.For<AssetProfile>().UseOptimisticConcurrency(true);
            options.Projections.Snapshot<BlastRadiusGuard>(SnapshotLifecycle.Inline);
            // Written by the one installation-wide setting that came before per-tenant switches: still readable.
            options.Events.AddEventType<AutoAcceptSettingChanged>();
            // Stored under the names they had before they took the design card's (the same fields): still read.
            options.Events.ReadFormerName<ResponseProposed>("decision_requested");
            options.Events.ReadFormerName<ResponseAccepted>("response_confirmed");
            options.Events.ReadFormerName<ResponseRejected>("response_declined");
            // By incident (closing it), by id alone (response/update from callers of every tenant; the key is tenant, id),
            // by status (the deadline sweeper looks for the few still New among all decisions ever made).
            options.Schema.For<Decision>().Index(d => d.IncidentId).Index(d => d.Id).Index(d => d.Status);
            // By proposal time within a tenant: auto_accept/simulate reads one tenant's proposals of a time range.
            options.Schema.For<Decision>().Index(d => d.ProposedAt, index => index.TenancyScope = Marten.Schema.Indexing.Unique.TenancyScope.PerTenant);
        });
        builder.Services.AddSampledGauge(new SampledGauge("mdrmesh.decisions.pending", "{response}",
            "Responses waiting for a decision (the approval backlog).",
            async (store, ct) =>
            {
                await using var query = store.QuerySession();
                return await query.Query<Decision>().Where(d => d.AnyTenant() && d.Status == DecisionStatus.New).CountAsync(ct);
            }));
        builder.Services.AddSingleton<ProposalWriter>();
        builder.Services.AddSingleton<DeadlineSweeper>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DeadlineSweeper>());
    }

    public static void MapApprovals(this WebApplication app)
    {
        app.UseMdrInternalApi();
        var api = app.MapMethodsWithConflicts<ApprovalConflict>();
        api.MapMethod("auto_accept/get", AutoAcceptEndpoints.Get).Produces<AutoAcceptView>();
        api.MapMethod("auto_accept/set", AutoAcceptEndpoints.Set).Produces<AutoAcceptView>();
        api.MapMethod("auto_accept/history", AutoAcceptEndpoints.History).Produces<List<AutoAcceptChangeView>>();
        api.MapMethod("auto_accept/rules/get", AutoAcceptRulesEndpoints.Get).Produces<AutoAcceptRulesView>();
        api.MapMethod("auto_accept/rules/set", AutoAcceptRulesEndpoints.Set).Produces<AutoAcceptRulesView>();
        api.MapMethod("auto_accept/rules/history", AutoAcceptRulesEndpoints.History).Produces<List<AutoAcceptRulesChangeView>>();
        api.MapMethod("auto_accept/simulate", SimulateEndpoint.Simulate).Produces<SimulationView>();
        api.MapMethod("asset_groups/create", AssetGroupEndpoints.Create).Produces<AssetGroupView>();
        api.MapMethod("asset_groups/list", AssetGroupEndpoints.List).Produces<List<AssetGroupView>>();
        api.MapMethod("asset_groups/update", AssetGroupEndpoints.Update).Produces<AssetGroupView>();
        api.MapMethod("asset_groups/delete", AssetGroupEndpoints.Delete).Produces<AssetGroupView>();
        api.MapMethod("auto_accept/guard/get", BlastRadiusGuardEndpoints.Get).Produces<BlastRadiusGuardView>();
        api.MapMethod("auto_accept/guard/set", BlastRadiusGuardEndpoints.Set).Produces<BlastRadiusGuardView>();
        api.MapMethod("auto_accept/guard/reset", BlastRadiusGuardEndpoints.Reset).Produces<BlastRadiusGuardView>();
        api.MapMethod("response/update", DecideEndpoints.One).Produces<DecisionView>();
        api.MapMethod("responses/update", DecideEndpoints.Many).Produces<List<DecisionView>>();
        app.RequireMethodsOf(ApiMethods.Approvals);
    }
}
