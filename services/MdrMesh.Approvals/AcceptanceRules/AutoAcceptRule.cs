namespace MdrMesh.Approvals.AcceptanceRules;

/// <summary>
/// One rule of a tenant's auto-accept policy. It matches a proposal when every matcher it has matches: one of
/// <see cref="Types"/> (none: any type), one of <see cref="AssetIds"/> (none: any asset), an asset in one of
/// <see cref="AssetGroups"/> (none: any asset), one of <see cref="Priorities"/> (the incident's; none: any), one of
/// <see cref="MitreTechniques"/> (covering one of the incident's, see <see cref="MitreTechnique.Covers"/>; none: any) and
/// <see cref="TimeWindow"/> (in the tenant's time zone; none: any time).
/// Its <see cref="Action"/> (<see cref="RuleAction"/>) then decides: accepted at once, or left for a person.
/// </summary>
public sealed record AutoAcceptRule(string Name, IReadOnlyList<string> Types, IReadOnlyList<string> AssetIds, string Action)
{
    public IReadOnlyList<string> Priorities { get; init; } = [];
    public IReadOnlyList<string> MitreTechniques { get; init; } = [];
    public TimeWindow? TimeWindow { get; init; }

    /// <summary>Ids of the tenant's asset groups (<c>asset_groups/create</c>): the proposal's asset must be in one of them.</summary>
    public IReadOnlyList<string> AssetGroups { get; init; } = [];

    /// <summary>
    /// <paramref name="zone"/>: the tenant's time zone; null when this machine does not know it, and a time window is then
    /// not judged to match (rather than read in a zone the tenant did not choose).
    /// </summary>
    public bool Matches(ProposalFacts facts, TimeZoneInfo? zone) =>
        (Types.Count == 0 || Types.Contains(facts.Type)) && (AssetIds.Count == 0 || AssetIds.Contains(facts.AssetId, StringComparer.Ordinal))
        && (AssetGroups is not { Count: > 0 } || AssetGroups.Any(facts.AssetGroups.Contains))
        // Rules stored before these matchers existed read them as absent (null in their JSON, if ever): any.
        && (Priorities is not { Count: > 0 } || (facts.Priority is { } priority && Priorities.Contains(priority, StringComparer.Ordinal)))
        && (MitreTechniques is not { Count: > 0 } || MitreTechnique.AnyCovered(MitreTechniques, facts.MitreTechniques))
        && (TimeWindow is null || (facts.At is { } at && zone is not null && TimeWindow.Contains(at, zone)));

    /// <summary>Same name, matchers (in order) and action: a policy set again unchanged is not a new version.</summary>
    public bool SameAs(AutoAcceptRule other) =>
        Name == other.Name && Action == other.Action && Types.SequenceEqual(other.Types) && AssetIds.SequenceEqual(other.AssetIds)
        && (Priorities ?? []).SequenceEqual(other.Priorities ?? []) && (MitreTechniques ?? []).SequenceEqual(other.MitreTechniques ?? [])
        && (TimeWindow is null ? other.TimeWindow is null : other.TimeWindow is not null && TimeWindow.SameAs(other.TimeWindow))
        && (AssetGroups ?? []).SequenceEqual(other.AssetGroups ?? []);
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
