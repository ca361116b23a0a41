using JasperFx;
using MdrMesh.ServiceDefaults;
using Marten;
using Marten.Exceptions;
using MassTransit;
using MdrMesh.Approvals.AcceptanceRules;
using MdrMesh.Approvals.AutoAcceptPolicy;
using Microsoft.Extensions.Options;
using Messages = MdrMesh.Contracts.Messages;

namespace MdrMesh.Approvals.Deciding;

/// <summary>Marks an incident as closed for the approvals service, so late proposals on it are declined.</summary>
public sealed record ClosedIncident(Guid Id, DateTimeOffset ClosedAt);

/// <summary>Opens one decision stream per proposed response (its id is the response id), applying the tenant's auto-accept rules and setting.</summary>
public sealed class ResponseProposedConsumer(IDocumentStore store, TimeProvider clock, IOptions<ApprovalsOptions> options)
    : IConsumer<Messages.ResponseProposed>
{
    public async Task Consume(ConsumeContext<Messages.ResponseProposed> context)
    {
        var proposal = context.Message;
        await using var session = store.LightweightSession(proposal.TenantId);
        session.CarryTrace();
        // What the decision needs, in one round trip: the installation default (in the store's root) and the
        // proposal's tenant's own switch and rules — no other tenant's choice counts — and whether the incident closed.
        // Reads and writes in one transaction (not one each): the reads hold no locks, and PostgreSQL counts one.
        await session.BeginTransactionAsync(context.CancellationToken);
        var batch = session.CreateBatchQuery();
        // SQL, not LINQ: Marten parses a LINQ query again on every call (measured: a quarter of the service's CPU).
        var switches = batch.Query<AutoAcceptSwitch>("where tenant_id = any(?) and id = any(?)",
            new[] { StorageConstants.DefaultTenantId, proposal.TenantId },
            new[] { AutoAcceptSwitch.StreamIdOf(AutoAcceptSwitch.Installation), AutoAcceptSwitch.StreamIdOf(proposal.TenantId) });
        var closedIncident = batch.Load<ClosedIncident>(proposal.IncidentId);
        // The tenant's rules, in its own scope (this session's): by id, which the tenant derives.
        var tenantRules = batch.Load<AutoAcceptRules>(AutoAcceptRules.StreamIdOf(proposal.TenantId));
        await batch.Execute(context.CancellationToken);
        var setting = AutoAcceptSetting.Of(await switches);
        var closed = await closedIncident is not null;
        var events = Decisions.Propose(proposal, setting, await tenantRules, closed, options.Value.DeadlineFor(proposal.TenantId), clock.GetUtcNow());
        session.Events.StartStream<Decision>(proposal.ResponseId, events.ToArray());
        try
        {
            await session.SaveChangesAsync(context.CancellationToken);
            ApprovalMetrics.Committed(null, events);
        }
        catch (ExistingStreamIdCollisionException)
        {
            // The same proposal again (redelivery, or a replay after a crash): it was decided on already.
        }
    }
}

/// <summary>Declines the responses of a closed incident that still wait for a decision.</summary>
public sealed class IncidentClosedConsumer(IDocumentStore store, TimeProvider clock) : IConsumer<Messages.IncidentClosed>
{
    public async Task Consume(ConsumeContext<Messages.IncidentClosed> context)
    {
        var closed = context.Message;
        await using var session = store.LightweightSession(closed.TenantId);
        session.CarryTrace();
        session.Store(new ClosedIncident(closed.IncidentId, closed.At));
        var pending = await session.Query<Decision>()
            .Where(d => d.IncidentId == closed.IncidentId && d.Status == DecisionStatus.New)
            .ToListAsync(context.CancellationToken);
        var declined = new List<(Decision, IReadOnlyList<object>)>();
        foreach (var decision in pending)
        {
            var stream = await session.Events.FetchForWriting<Decision>(decision.Id, context.CancellationToken);
            var events = Decisions.IncidentClosed(stream.Aggregate!, clock.GetUtcNow());
            stream.AppendMany(events.ToArray());
            declined.Add((stream.Aggregate!, events));
        }
        // A concurrent decision fails the commit; the retry then finds that response decided.
        await session.SaveChangesAsync(context.CancellationToken);
        foreach (var (decision, events) in declined) ApprovalMetrics.Committed(decision, events);
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
