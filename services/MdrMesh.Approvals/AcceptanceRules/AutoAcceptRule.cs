namespace MdrMesh.Approvals.AcceptanceRules;

/// <summary>
/// One rule of a tenant's auto-accept policy. It matches a proposal when every matcher it has matches: one of
/// <see cref="Types"/> (none: any type), one of <see cref="AssetIds"/> (none: any asset) and an asset in one of
/// <see cref="AssetGroups"/> (none: any asset). Its
/// <see cref="Action"/> (<see cref="RuleAction"/>) then decides: accepted at once, or left for a person.
/// </summary>
public sealed record AutoAcceptRule(string Name, IReadOnlyList<string> Types, IReadOnlyList<string> AssetIds, string Action)
{
    /// <summary>Ids of the tenant's asset groups (<c>asset_groups/create</c>): the proposal's asset must be in one of them.</summary>
    public IReadOnlyList<string> AssetGroups { get; init; } = [];

    public bool Matches(ProposalFacts facts) =>
        (Types.Count == 0 || Types.Contains(facts.Type)) && (AssetIds.Count == 0 || AssetIds.Contains(facts.AssetId, StringComparer.Ordinal))
        && (AssetGroups.Count == 0 || AssetGroups.Any(facts.AssetGroups.Contains));

    /// <summary>Same name, matchers (in order) and action: a policy set again unchanged is not a new version.</summary>
    public bool SameAs(AutoAcceptRule other) =>
        Name == other.Name && Action == other.Action && Types.SequenceEqual(other.Types) && AssetIds.SequenceEqual(other.AssetIds)
        && AssetGroups.SequenceEqual(other.AssetGroups);
}

/// <summary>What a matching rule does.</summary>
public static class RuleAction
{
    /// <summary>Accepted without a person, whatever the tenant's auto-accept mode.</summary>
    public const string Accept = "ACCEPT";

    /// <summary>Waits for a person, even when the tenant's auto-accept mode is on.</summary>
    public const string Manual = "MANUAL";

    public static readonly IReadOnlyList<string> All = [Accept, Manual];
}
