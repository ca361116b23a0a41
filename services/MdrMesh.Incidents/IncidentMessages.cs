using JasperFx.Events;
using MdrMesh.Contracts.Responses;
using MdrMesh.Incidents.ProposingResponse;
using MdrMesh.ServiceDefaults;
using Messages = MdrMesh.Contracts.Messages;

namespace MdrMesh.Incidents;

/// <summary>What the incidents service announces to the others, from its committed events.</summary>
public sealed class IncidentMessages : IMessageMap
{
    public IReadOnlyList<object> ToMessages(IEvent e) => e.Data switch
    {
        ResponseProposed r => [new Messages.ResponseProposed(r.ResponseId, e.TenantId, e.StreamId, r.AssetId,
            // The isolation password never leaves this service (its event holds it only sealed); the others need only its task id and details.
            r.Parameters is IsolateParameters isolate ? isolate.WithoutPassword() : r.Parameters,
            r.Description, r.At, r.By, r.ById, r.Priority, r.MitreTechniques)],
        OpeningIncident.IncidentOpened o => [new Messages.IncidentOpened(e.TenantId, e.StreamId, o.Number, o.Summary, o.Priority, o.At, o.By)],
        ClosingIncident.IncidentClosed c => [new Messages.IncidentClosed(e.TenantId, e.StreamId, c.Resolution, c.At, c.By)],
        _ => [],
    };
}
