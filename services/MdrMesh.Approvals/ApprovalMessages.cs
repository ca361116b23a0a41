using JasperFx.Events;
using MdrMesh.Approvals.Deciding;
using MdrMesh.ServiceDefaults;
using Messages = MdrMesh.Contracts.Messages;

namespace MdrMesh.Approvals;

/// <summary>What the approvals service announces, from its committed events.</summary>
public sealed class ApprovalMessages : IMessageMap
{
    public object? ToMessage(IEvent e) => e.Data switch
    {
        ResponseAccepted c => new Messages.ResponseAccepted(c.ResponseId, e.TenantId, c.IncidentId, c.At, c.By, c.Comment, c.AutoAccepted, c.ById),
        ResponseRejected d => new Messages.ResponseRejected(d.ResponseId, e.TenantId, d.IncidentId, d.At, d.By, d.Reason, d.Comment, d.ById),
        AutoAcceptanceHeld h => new Messages.AutoAcceptanceHeld(h.ResponseId, e.TenantId, h.IncidentId, h.Reason, h.Limit, h.Window, h.At),
        DecisionAwaited w => new Messages.ResponseAwaitingDecision(w.ResponseId, e.TenantId, w.IncidentId, w.AssetId, w.ResponseType, w.Deadline, w.At),
        BlastRadius.GuardTripped t => new Messages.BlastRadiusGuardTripped(e.TenantId, t.ResponseId, t.Limit, t.Window, t.At),
        ExecutionRequested x => new Messages.ExecuteResponse(x.ResponseId, e.TenantId, x.IncidentId, x.AssetId, x.Parameters, x.At, x.By),
        _ => null,
    };
}
