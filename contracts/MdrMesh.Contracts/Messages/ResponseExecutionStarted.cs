namespace MdrMesh.Contracts.Messages;

/// <summary>The executor began running a response on its asset.</summary>
public sealed record ResponseExecutionStarted(
    Guid ResponseId,
    string TenantId,
    Guid IncidentId,
    string AssetId,
    DateTimeOffset At,
    string By);
