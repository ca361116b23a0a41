using MdrMesh.Contracts.Responses;

namespace MdrMesh.Contracts.Messages;

/// <summary>
/// A SOC analyst (<see cref="By"/>, connection id <see cref="ById"/>) proposed a response on an asset of an incident; it now waits for a decision.
/// <see cref="Priority"/> and <see cref="MitreTechniques"/> are the incident's when proposed, for the auto-accept rules (null in messages sent before).
/// </summary>
public sealed record ResponseProposed(
    Guid ResponseId,
    string TenantId,
    Guid IncidentId,
    string AssetId,
    ResponseParameters Parameters,
    string? Description,
    DateTimeOffset At,
    string By,
    string? ById = null,
    string? Priority = null,
    IReadOnlyList<string>? MitreTechniques = null);
