using MdrMesh.Contracts.Responses;

namespace MdrMesh.Contracts.Messages;

/// <summary>Run an accepted response on its asset. Sent once per accepted response; replays must not run it again.</summary>
public sealed record ExecuteResponse(
    Guid ResponseId,
    string TenantId,
    Guid IncidentId,
    string AssetId,
    ResponseParameters Parameters,
    DateTimeOffset At,
    string By);
