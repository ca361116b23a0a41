namespace MdrMesh.Contracts.Messages;

/// <summary>
/// A response could not be carried out. <see cref="ReasonCode"/> is a stable machine-readable code
/// (e.g. <c>FILE_TOO_LARGE</c>); <see cref="Message"/> says the same for a person. <see cref="StartedAt"/> as in
/// <see cref="ResponseExecuted"/>.
/// </summary>
public sealed record ResponseFailed(
    Guid ResponseId,
    string TenantId,
    Guid IncidentId,
    string AssetId,
    DateTimeOffset At,
    string By,
    string ReasonCode,
    string Message,
    DateTimeOffset? StartedAt = null);
