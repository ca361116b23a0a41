using MdrMesh.Contracts.Responses;

namespace MdrMesh.Contracts.Messages;

/// <summary>A SOC analyst (<see cref="By"/>, connection id <see cref="ById"/>) proposed a response on an asset of an incident; it now waits for a decision.</summary>
public sealed record ResponseProposed(
    Guid ResponseId,
    string TenantId,
    Guid IncidentId,
    string AssetId,
    ResponseParameters Parameters,
    string? Description,
    DateTimeOffset At,
    string By,
    string? ById = null);
