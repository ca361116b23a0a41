namespace MdrMesh.Contracts.Messages;

/// <summary>A response was declined and will never be executed. <see cref="Reason"/> is one of <see cref="RejectionReason"/>.</summary>
public sealed record ResponseRejected(
    Guid ResponseId,
    string TenantId,
    Guid IncidentId,
    DateTimeOffset At,
    string By,
    string Reason,
    string? Comment = null);

public static class RejectionReason
{
    /// <summary>A person declined it.</summary>
    public const string Declined = "DECLINED";

    /// <summary>Its incident was closed while it waited.</summary>
    public const string IncidentClosed = "INCIDENT_CLOSED";

    /// <summary>Nobody decided before the tenant's decision deadline.</summary>
    public const string DeadlinePassed = "DEADLINE_PASSED";
}
