using JasperFx.Events;
using MdrMesh.Contracts.Messages;
using MdrMesh.Contracts.Responses;
using MdrMesh.Incidents.ProposingResponse;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents;

/// <summary>What the incidents service announces to the others, from its committed events.</summary>
public sealed class IncidentMessages : IMessageMap
{
    public object? ToMessage(IEvent e) => e.Data switch
    {
        ResponseAdded r => new ResponseProposed(r.ResponseId, e.TenantId, e.StreamId, r.AssetId,
            // The isolation password never leaves this service (its event holds it only sealed); the others need only its task id and details.
            r.Parameters is IsolateParameters isolate ? isolate.WithoutPassword() : r.Parameters,
            r.Description, r.At, r.By, r.ById),
        ClosingIncident.IncidentClosed c => new IncidentClosed(e.TenantId, e.StreamId, c.Resolution, c.At, c.By),
        _ => null,
    };
}
