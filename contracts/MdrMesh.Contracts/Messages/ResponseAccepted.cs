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

/// <summary>
/// What accepted a response automatically: the tenant's mode (<see cref="Rule"/> <c>ALL_TENANTS</c> or <c>TENANT:{id}</c>, the
/// switch's version), or one of the tenant's rules (<see cref="Rule"/> <c>RULE:{n}</c>, its <see cref="RuleNumber"/> and
/// <see cref="RuleName"/>, the rules' policy version). The rule's fields are optional: messages sent before rules existed still read.
/// </summary>
public sealed record AutoAcceptance(long PolicyVersion, string Rule, int? RuleNumber = null, string? RuleName = null);
