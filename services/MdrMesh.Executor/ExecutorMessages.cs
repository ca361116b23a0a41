using JasperFx.Events;
using MdrMesh.Executor.Executing;
using MdrMesh.ServiceDefaults;
using Messages = MdrMesh.Contracts.Messages;

namespace MdrMesh.Executor;

/// <summary>What the executor announces, from its committed events.</summary>
public sealed class ExecutorMessages : IMessageMap
{
    public IReadOnlyList<object> ToMessages(IEvent e) => e.Data switch
    {
        ResponseExecutionStarted s => [new Messages.ResponseExecutionStarted(s.ResponseId, e.TenantId, s.IncidentId, s.AssetId, s.At, s.By)],
        // The earlier response it undid after it: the incident records an undo only of a response it has seen completed.
        ResponseExecuted s => [new Messages.ResponseExecuted(s.ResponseId, e.TenantId, s.IncidentId, s.AssetId, s.At, s.By, s.Details, s.Artifact,
            s.Start?.At), .. s.Undid is { } u ? [Undone(u, e.TenantId)] : Array.Empty<object>()],
        ResponseFailed f => [new Messages.ResponseFailed(f.ResponseId, e.TenantId, f.IncidentId, f.AssetId, f.At, f.By, f.ReasonCode, f.Message,
            f.Start?.At)],
        ResponseUndone u => [Undone(u, e.TenantId)],
        Assets.AssetProfiled p => [new Messages.AssetProfiled(p.TenantId, p.AssetId, p.HostName, p.Domain, p.Os, p.Tags, p.At)],
        _ => [],
    };

    private static Messages.ResponseUndone Undone(ResponseUndone u, string tenantId) =>
        new(u.ResponseId, tenantId, u.IncidentId, u.AssetId, u.At, u.By, u.UndoneBy, u.Reason);
}
