namespace MdrMesh.Contracts.Messages;

/// <summary>
/// A proposed response was not accepted automatically: it waits for a person's decision until <see cref="Deadline"/>,
/// when it is declined if nobody decided.
/// </summary>
public sealed record ResponseAwaitingDecision(
    Guid ResponseId,
    string TenantId,
    Guid IncidentId,
    string AssetId,
    string ResponseType,
    DateTimeOffset Deadline,
    DateTimeOffset At);
