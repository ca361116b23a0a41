using JasperFx.Events;
using MdrMesh.Contracts.Messages;
using MdrMesh.Executor.Executing;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Executor;

/// <summary>What the executor announces, from its committed events.</summary>
public sealed class ExecutorMessages : IMessageMap
{
    public object? ToMessage(IEvent e) => e.Data switch
    {
        ExecutionStarted s => new ResponseExecutionStarted(s.ResponseId, e.TenantId, s.IncidentId, s.AssetId, s.At, s.By),
        ExecutionSucceeded s => new ResponseExecuted(s.ResponseId, e.TenantId, s.IncidentId, s.AssetId, s.At, s.By, s.Details, s.Artifact),
        ExecutionFailed f => new ResponseFailed(f.ResponseId, e.TenantId, f.IncidentId, f.AssetId, f.At, f.By, f.ReasonCode, f.Message),
        ExecutionUndone u => new ResponseUndone(u.ResponseId, e.TenantId, u.IncidentId, u.AssetId, u.At, u.By, u.UndoneBy, u.Reason),
        _ => null,
    };
}
