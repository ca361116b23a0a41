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

/// <summary>
/// Opens one decision stream per proposed response (its id is the response id), applying the tenant's auto-accept rules and
/// setting: through the <see cref="ProposalWriter"/>, which decides the proposals of many consumers in one commit.
/// </summary>
public sealed class ResponseProposedConsumer(ProposalWriter writer, IDocumentStore store, IMessageMap messages)
    : IConsumer<Messages.ResponseProposed>
{
    public async Task Consume(ConsumeContext<Messages.ResponseProposed> context)
    {
        var proposal = context.Message;
        var ct = context.CancellationToken;
        var decided = await writer.DecideAsync(proposal, ct);
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
        foreach (var announced in messages.Announce(recorded))
            await context.PublishAsync(announced, ct);
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

/// <summary>
/// Each proposal opens a stream of its own, so nothing collides: many at once, which the writer decides in batches. One
/// incident's proposals one after another, in the order they were proposed: the first to reach the tenant's
/// blast-radius guard is the first proposed (taken side by side, a later one could commit first and trip it).
/// </summary>
public sealed class ResponseProposedDefinition : ConsumerDefinition<ResponseProposedConsumer>
{
    private const int Concurrency = 64;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<ResponseProposedConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.ConsumeAtOnce(Concurrency);
        consumer.Message<Messages.ResponseProposed>(m => m.UsePartitioner(Concurrency, x => x.Message.IncidentId));
    }
}
