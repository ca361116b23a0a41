namespace MdrMesh.Contracts.Messages;

/// <summary>
/// A response ran to completion. <see cref="Details"/> holds what the endpoint reported (sizes, hashes, script output …);
/// <see cref="Artifact"/> what it collected (a file, a memory dump), attached to the incident. <see cref="StartedAt"/>: when the
/// execution started, if no <see cref="ResponseExecutionStarted"/> was sent for it (start and end recorded in one commit).
/// </summary>
public sealed record ResponseExecuted(
    Guid ResponseId,
    string TenantId,
    Guid IncidentId,
    string AssetId,
    DateTimeOffset At,
    string By,
    IReadOnlyDictionary<string, string> Details,
    ResponseArtifact? Artifact = null,
    DateTimeOffset? StartedAt = null);

/// <summary>
/// A file a response collected. Carried in the message, so it is small: the simulated fleet's stand-ins
/// are a few hundred bytes (an adapter collecting real files would store them and send a reference).
/// </summary>
public sealed record ResponseArtifact(string FileName, string Caption, byte[] Content);
