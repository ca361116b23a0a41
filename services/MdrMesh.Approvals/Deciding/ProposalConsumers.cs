using MdrMesh.ServiceDefaults;
using Marten;
using Marten.Exceptions;
using MassTransit;
using MdrMesh.Approvals.AutoAcceptPolicy;
using MdrMesh.Contracts.Messages;
using Microsoft.Extensions.Options;

namespace MdrMesh.Approvals.Deciding;

/// <summary>Marks an incident as closed for the approvals service, so late proposals on it are declined.</summary>
public sealed record ClosedIncident(Guid Id, DateTimeOffset ClosedAt);

/// <summary>Opens one decision stream per proposed response (its id is the response id), applying the auto-accept setting.</summary>
public sealed class ResponseProposedConsumer(IDocumentStore store, TimeProvider clock, IOptions<ApprovalsOptions> options)
    : IConsumer<ResponseProposed>
{
    public async Task Consume(ConsumeContext<ResponseProposed> context)
    {
        var proposal = context.Message;
        AutoAcceptSwitch? installationDefault;
        await using (var root = store.QuerySession())
            installationDefault = await root.LoadAsync<AutoAcceptSwitch>(AutoAcceptSwitch.StreamIdOf(AutoAcceptSwitch.Installation));

        await using var session = store.LightweightSession(proposal.TenantId);
        session.CarryTrace();
        // The proposal's tenant's own switch, else the installation default: no other tenant's choice counts.
        var own = await session.LoadAsync<AutoAcceptSwitch>(AutoAcceptSwitch.StreamIdOf(proposal.TenantId));
        var setting = AutoAcceptSetting.Of(new[] { installationDefault, own }.OfType<AutoAcceptSwitch>());
        var closed = await session.LoadAsync<ClosedIncident>(proposal.IncidentId) is not null;
        var events = Decisions.Propose(proposal, setting, closed, options.Value.DeadlineFor(proposal.TenantId), clock.GetUtcNow());
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
public sealed class IncidentClosedConsumer(IDocumentStore store, TimeProvider clock) : IConsumer<IncidentClosed>
{
    public async Task Consume(ConsumeContext<IncidentClosed> context)
    {
        var closed = context.Message;
        await using var session = store.LightweightSession(closed.TenantId);
        session.CarryTrace();
        session.Store(new ClosedIncident(closed.IncidentId, closed.At));
        var pending = await session.Query<Decision>()
            .Where(d => d.IncidentId == closed.IncidentId && d.Status == Decision.New)
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
