namespace MdrMesh.Contracts.Messages;

/// <summary>A response was declined (by <see cref="By"/>, connection id <see cref="ById"/> when a person did) and will never be executed. <see cref="Reason"/> is one of <see cref="RejectionReason"/>.</summary>
public sealed record ResponseRejected(
    Guid ResponseId,
    string TenantId,
    Guid IncidentId,
    DateTimeOffset At,
    string By,
    string Reason,
    string? Comment = null,
    string? ById = null);

public static class RejectionReason
{
    /// <summary>A person declined it.</summary>
    public const string Declined = "DECLINED";

    /// <summary>Its incident was closed while it waited.</summary>
    public const string IncidentClosed = "INCIDENT_CLOSED";

    /// <summary>Nobody decided before the tenant's decision deadline.</summary>
    public const string DeadlinePassed = "DEADLINE_PASSED";
}
