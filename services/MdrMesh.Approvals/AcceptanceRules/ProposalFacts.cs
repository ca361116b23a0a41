using System.Collections.Frozen;
using MdrMesh.Approvals.Deciding;

namespace MdrMesh.Approvals.AcceptanceRules;

/// <summary>
/// What the rules' matchers look at in a proposal: its response type and asset, its incident's priority and MITRE
/// techniques (null in proposals recorded before they travelled: a rule on them does not match), the time it was
/// proposed (<see cref="At"/>: a time window is judged at it, so a replay of the proposal decides the same), and the
/// asset's groups.
/// </summary>
public sealed record ProposalFacts(string Type, string AssetId)
{
    public string? Priority { get; init; }
    public IReadOnlyList<string>? MitreTechniques { get; init; }
    public DateTimeOffset? At { get; init; }

    /// <summary>The ids of the tenant's asset groups the asset is in (none while the asset's profile is not known).</summary>
    public IReadOnlySet<string> AssetGroups { get; init; } = FrozenSet<string>.Empty;

    /// <summary>The facts of a proposal as the approvals service recorded it: the live decision and a replay read the same.</summary>
    public static ProposalFacts Of(ResponseProposed proposed) => new(proposed.Parameters.Type, proposed.AssetId)
    {
        Priority = proposed.Priority, MitreTechniques = proposed.MitreTechniques, At = proposed.ProposedAt,
    };
}
