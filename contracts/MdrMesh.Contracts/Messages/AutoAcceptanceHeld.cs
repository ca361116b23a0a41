namespace MdrMesh.Contracts.Messages;

/// <summary>
/// The auto-accept policy would have accepted a response, but the tenant's blast-radius guard held it for a person:
/// <see cref="Limit"/> automatic acceptances of drastic types within <see cref="Window"/> already (<see cref="Reason"/> says so
/// in words). The response stays New.
/// </summary>
public sealed record AutoAcceptanceHeld(Guid ResponseId, string TenantId, Guid IncidentId, string Reason, int Limit, TimeSpan Window, DateTimeOffset At);
