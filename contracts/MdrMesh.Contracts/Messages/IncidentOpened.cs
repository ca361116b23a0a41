namespace MdrMesh.Contracts.Messages;

/// <summary>An incident was raised (by the SOC or the customer): what a subscriber needs to find and judge it, nothing more.</summary>
public sealed record IncidentOpened(
    string TenantId,
    Guid IncidentId,
    long Number,
    string Summary,
    string Priority,
    DateTimeOffset At,
    string By);
