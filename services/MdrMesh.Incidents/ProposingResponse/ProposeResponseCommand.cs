using MdrMesh.Contracts.Responses;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.ProposingResponse;

/// <summary>
/// Propose a response on one of the incident's assets. <see cref="ResponseId"/> is new; for an isolation the
/// handler has generated the password: <see cref="Parameters"/> hold its task id and details, <see cref="SealedPassword"/> the
/// password itself, sealed (the handler seals it: the key is not the decider's).
/// </summary>
public sealed record ProposeResponseCommand(Guid ResponseId, string AssetId, ResponseParameters Parameters, string? Description,
    string? SealedPassword, DateTimeOffset At, Caller Caller);
