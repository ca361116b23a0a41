using JasperFx;
using MdrMesh.ServiceDefaults;
using Marten;
using MassTransit;
using MdrMesh.Approvals.AcceptanceRules;
using MdrMesh.Approvals.AssetGrouping;
using MdrMesh.Approvals.AutoAcceptPolicy;
using MdrMesh.Approvals.BlastRadius;
using Microsoft.Extensions.Options;
using Messages = MdrMesh.Contracts.Messages;

namespace MdrMesh.Approvals.Deciding;

/// <summary>Marks an incident as closed for the approvals service, so late proposals on it are declined.</summary>
public sealed record ClosedIncident(Guid Id, DateTimeOffset ClosedAt);

/// <summary>Opens one decision stream per proposed response (its id is the response id), applying the tenant's auto-accept rules and setting.</summary>
public sealed class ResponseProposedConsumer(IDocumentStore store, TimeProvider clock, IOptions<ApprovalsOptions> options, IMessageMap messages)
    : IConsumer<Messages.ResponseProposed>
{
    public async Task Consume(ConsumeContext<Messages.ResponseProposed> context)
    {
        var proposal = context.Message;
        var ct = context.CancellationToken;
        var decided = await store.WriteAsync(proposal.TenantId, async session =>
        {
            // What the decision needs, in one round trip: the decision stream (empty unless this proposal was seen
            // before), the installation default (in the store's root) and the proposal's tenant's own switch, rules and
            // asset groups — no other tenant's choice counts — the asset's profile, and whether the incident closed.
            var batch = session.CreateBatchQuery();
            var stream = batch.Events.FetchForWriting<Decision>(proposal.ResponseId);
            // SQL, not LINQ: Marten parses a LINQ query again on every call (measured: a quarter of the service's CPU).
            var switches = batch.Query<AutoAcceptSwitch>("where tenant_id = any(?) and id = any(?)",
                new[] { StorageConstants.DefaultTenantId, proposal.TenantId },
                new[] { AutoAcceptSwitch.StreamIdOf(AutoAcceptSwitch.Installation), AutoAcceptSwitch.StreamIdOf(proposal.TenantId) });
            var closedIncident = batch.Load<ClosedIncident>(proposal.IncidentId);
            // The tenant's rules, in its own scope (this session's): by id, which the tenant derives.
            var tenantRules = batch.Load<AutoAcceptRules>(AutoAcceptRules.StreamIdOf(proposal.TenantId));
            // The tenant's asset groups and the asset's profile, for the groups the asset is in.
            var groups = batch.Load<AssetGroups>(AssetGroups.StreamIdOf(proposal.TenantId));
            var asset = batch.Load<AssetProfile>(proposal.AssetId);
            // The tenant's blast-radius guard, for writing: an automatic drastic acceptance is counted on it in this commit, so
            // instances deciding at once collide on its version and the loser is decided again on the new count. Only what is
            // counted or trips it is appended: other proposals leave the stream alone.
            var guardStream = batch.Events.FetchForWriting<BlastRadiusGuard>(BlastRadiusGuard.StreamIdOf(proposal.TenantId));
            await batch.Execute(ct);
            var guard = await guardStream;
            var command = new Propose(proposal, AutoAcceptSetting.Of(await switches), await tenantRules, await closedIncident is not null,
                options.Value.DeadlineFor(proposal.TenantId), clock.GetUtcNow(), (await groups)?.MembershipOf(await asset), guard.Aggregate);
            var decision = (await stream).Decide(command, Decisions.Decide, Decision.Evolve);
            guard.Decide(new FollowDecision(proposal.TenantId, proposal.Parameters.Type, decision.Events), BlastRadiusGuard.Decide,
                BlastRadiusGuard.Evolve);
            return decision;
        }, ct);
        ApprovalMetrics.Committed(decided.Before, decided.Events);
        // A proposal decided before (a repeat, or incidents driving a stalled response again): what was announced then is
        // announced again under the same message ids, so a step lost downstream is done now and a step done is dropped.
        if (decided.Events.Count == 0 && decided.Before is { Status: not DecisionStatus.New })
            await AnnounceAgainAsync(context, proposal, ct);
    }

    private async Task AnnounceAgainAsync(ConsumeContext context, Messages.ResponseProposed proposal, CancellationToken ct)
    {
        await using var query = store.QuerySession(proposal.TenantId);
        foreach (var recorded in await query.Events.FetchStreamAsync(proposal.ResponseId, token: ct))
            if (messages.ToMessage(recorded) is { } message)
                await context.Publish(message, message.GetType(), publish => publish.MessageId = recorded.Id, ct);
    }
}

/// <summary>Declines the responses of a closed incident that still wait for a decision.</summary>
public sealed class IncidentClosedConsumer(IDocumentStore store, TimeProvider clock) : IConsumer<Messages.IncidentClosed>
{
    public async Task Consume(ConsumeContext<Messages.IncidentClosed> context)
    {
        var closed = context.Message;
        var ct = context.CancellationToken;
        var declined = await store.WriteAsync(closed.TenantId, async session =>
        {
            session.Store(new ClosedIncident(closed.IncidentId, closed.At));
            var pending = await session.Query<Decision>()
                .Where(d => d.IncidentId == closed.IncidentId && d.Status == DecisionStatus.New)
                .ToListAsync(ct);
            var command = new DeclineForClosedIncident(clock.GetUtcNow());
            var results = new List<Decided<Decision>>();
            foreach (var decision in pending)
                results.Add((await session.Events.FetchForWriting<Decision>(decision.Id, ct)).Decide(command, Decisions.Decide, Decision.Evolve));
            return results;
        }, ct);
        foreach (var d in declined) ApprovalMetrics.Committed(d.Before, d.Events);
    }
}

/// <summary>Each proposal opens a stream of its own, so nothing collides: decide many at once.</summary>
public sealed class ResponseProposedDefinition : ConsumerDefinition<ResponseProposedConsumer>
{
    private const int Concurrency = 64;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<ResponseProposedConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.ConsumeAtOnce(Concurrency);
    }
}
