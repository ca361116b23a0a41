using JasperFx.Events;
using MdrMesh.Approvals.Deciding;
using MdrMesh.ServiceDefaults;
using Messages = MdrMesh.Contracts.Messages;

namespace MdrMesh.Approvals;

/// <summary>What the approvals service announces, from its committed events.</summary>
public sealed class ApprovalMessages : IMessageMap
{
    public IReadOnlyList<object> ToMessages(IEvent e) => ToMessages(e, e.Data);

    private static IReadOnlyList<object> ToMessages(IEvent e, object data) => data switch
    {
        // A proposal accepted at once holds its acceptance: it announces the acceptance (nobody else hears of proposals).
        ResponseProposed { Accepted: { } accepted } => ToMessages(e, accepted),
        // The decision first: the incident records an execution only after its decision.
        ResponseAccepted { Execution: { } x } c => [Accepted(e, c), Execute(e, x)],
        ResponseAccepted c => [Accepted(e, c)],
        ResponseRejected d => [new Messages.ResponseRejected(d.ResponseId, e.TenantId, d.IncidentId, d.At, d.By, d.Reason, d.Comment, d.ById)],
        AutoAcceptanceHeld h => [new Messages.AutoAcceptanceHeld(h.ResponseId, e.TenantId, h.IncidentId, h.Reason, h.Limit, h.Window, h.At)],
        DecisionAwaited w => [new Messages.ResponseAwaitingDecision(w.ResponseId, e.TenantId, w.IncidentId, w.AssetId, w.ResponseType, w.Deadline, w.At)],
        BlastRadius.GuardTripped t => [new Messages.BlastRadiusGuardTripped(e.TenantId, t.ResponseId, t.Limit, t.Window, t.At)],
        ExecutionRequested x => [Execute(e, x)],
        _ => [],
    };

    private static Messages.ResponseAccepted Accepted(IEvent e, ResponseAccepted c) =>
        new(c.ResponseId, e.TenantId, c.IncidentId, c.At, c.By, c.Comment, c.AutoAccepted, c.ById);

    private static Messages.ExecuteResponse Execute(IEvent e, ExecutionRequested x) =>
        new(x.ResponseId, e.TenantId, x.IncidentId, x.AssetId, x.Parameters, x.At, x.By);
}
