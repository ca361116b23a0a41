namespace MdrMesh.Contracts.Messages;

/// <summary>A response ran to completion. <see cref="Details"/> holds what the endpoint reported (sizes, hashes, script output …).</summary>
public sealed record ResponseExecuted(
    Guid ResponseId,
    string TenantId,
    Guid IncidentId,
    string AssetId,
    DateTimeOffset At,
    string By,
    IReadOnlyDictionary<string, string> Details);
