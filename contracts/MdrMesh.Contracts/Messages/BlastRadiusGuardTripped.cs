namespace MdrMesh.Contracts.Messages;

/// <summary>
/// A tenant's blast-radius guard tripped: <see cref="Limit"/> automatic acceptances of drastic types within
/// <see cref="Window"/>, and <see cref="ResponseId"/> the first held for a person. Later holds of the same trip are
/// <see cref="AutoAcceptanceHeld"/> only; the guard trips again after it is reset or its window passes.
/// </summary>
public sealed record BlastRadiusGuardTripped(string TenantId, Guid ResponseId, int Limit, TimeSpan Window, DateTimeOffset At);
