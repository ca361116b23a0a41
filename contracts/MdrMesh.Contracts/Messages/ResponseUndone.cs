namespace MdrMesh.Contracts.Messages;

/// <summary>
/// The effect of an executed response was undone on its asset: an isolation lifted (by a
/// <c>DISABLE_ISOLATION</c> response, a newer isolation, or its term ending) or a quarantined file
/// restored. <see cref="ResponseId"/> is the response undone; <see cref="UndoneBy"/> the response
/// that undid it, if a response did; <see cref="Reason"/> is one of <see cref="UndoReason"/>.
/// </summary>
public sealed record ResponseUndone(
    Guid ResponseId,
    string TenantId,
    Guid IncidentId,
    string AssetId,
    DateTimeOffset At,
    string By,
    Guid? UndoneBy,
    string Reason);

public static class UndoReason
{
    public const string IsolationDisabled = "ISOLATION_DISABLED";
    public const string IsolationReplaced = "ISOLATION_REPLACED";
    public const string IsolationExpired = "ISOLATION_EXPIRED";
    public const string RestoredFromQuarantine = "RESTORED_FROM_QUARANTINE";
}
