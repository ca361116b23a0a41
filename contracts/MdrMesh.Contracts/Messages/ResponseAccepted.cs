namespace MdrMesh.Contracts.Messages;

/// <summary>
/// A response was accepted, by a person (<see cref="By"/>, connection id <see cref="ById"/>, with <see cref="Comment"/>) or by the
/// auto-accept policy (<see cref="AutoAccepted"/> names the policy version and rule).
/// </summary>
public sealed record ResponseAccepted(
    Guid ResponseId,
    string TenantId,
    Guid IncidentId,
    DateTimeOffset At,
    string By,
    string? Comment = null,
    AutoAcceptance? AutoAccepted = null,
    string? ById = null);

/// <summary>The auto-accept setting that accepted a response: its version and the rule that matched.</summary>
public sealed record AutoAcceptance(long PolicyVersion, string Rule);
