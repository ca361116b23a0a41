namespace MdrMesh.Approvals.Simulating;

/// <summary>
/// <c>auto_accept/simulate</c>'s answer: what the draft would have decided on the <see cref="Total"/> proposals replayed
/// (<see cref="Truncated"/>: the range held more, and only the first ones were replayed), and where that differs from
/// what actually happened. <c>total</c> = <c>would_accept_automatically</c> + <c>would_wait_for_person</c> +
/// <c>would_decline_incident_closed</c>.
/// </summary>
public sealed record SimulationView(
    string TenantId,
    int Total,
    bool Truncated,
    int WouldAcceptAutomatically,
    IReadOnlyDictionary<string, int> ByType,
    IReadOnlyList<RuleCountView> ByRule,
    int WouldWaitForPerson,
    int WouldDeclineIncidentClosed,
    IReadOnlyList<DifferenceView> Differences,
    int DifferencesTotal,
    DecisionWaitSavedView DecisionWaitSaved,
    IReadOnlyList<WarningView> Warnings,
    int WarningsTotal)
{
    /// <summary>Of <see cref="WouldWaitForPerson"/>, those the draft's rules or mode would accept but its blast-radius guard holds.</summary>
    public int HeldByGuard { get; init; }
}

/// <summary>What accepted a proposal automatically, as the decision records it: a rule (<c>RULE:{n}</c>, its number and name) or the tenant's mode (<c>TENANT:{id}</c>).</summary>
public sealed record AcceptanceView(string Rule, int? RuleNumber, string? RuleName);

/// <summary>How many proposals one rule, or the mode, would have accepted.</summary>
public sealed record RuleCountView(string Rule, int? RuleNumber, string? RuleName, int Count);

/// <summary>
/// A proposal the draft decides otherwise than what happened: <see cref="Actual"/> and <see cref="Simulated"/> are
/// <see cref="Outcome"/> names; <see cref="SimulatedRule"/> says what would have accepted it (null when it would wait).
/// </summary>
public sealed record DifferenceView(string ResponseId, string IncidentId, string Type, string AssetId, long ProposedAt, string Actual,
    string Simulated, AcceptanceView? SimulatedRule);

/// <summary>
/// The wait a person's decision took (proposal to decision) on the <see cref="Count"/> responses the draft would have
/// accepted automatically and a person actually accepted: its sum and median (null when there are none).
/// </summary>
public sealed record DecisionWaitSavedView(int Count, double SumSeconds, double? P50Seconds);

/// <summary>A drastic response the draft would have accepted automatically where a person actually decided, <see cref="Count"/> times on one asset.</summary>
public sealed record WarningView(string Type, string AssetId, int Count, string Message)
{
    /// <summary>The names of the asset's groups marked critical (none: the warning is for a drastic type a person decided).</summary>
    public IReadOnlyList<string> CriticalGroups { get; init; } = [];
}
