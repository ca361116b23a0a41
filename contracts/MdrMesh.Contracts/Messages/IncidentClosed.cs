namespace MdrMesh.Contracts.Messages;

/// <summary>An incident was closed: it can no longer change, and its responses still waiting for a decision are declined.</summary>
public sealed record IncidentClosed(
    string TenantId,
    Guid IncidentId,
    string Resolution,
    DateTimeOffset At,
    string By);
