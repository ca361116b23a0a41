using System.Collections.Frozen;

namespace MdrMesh.Approvals.AcceptanceRules;

/// <summary>What the rules' matchers look at in a proposal: its response type and asset, and the asset's groups.</summary>
public sealed record ProposalFacts(string Type, string AssetId)
{
    /// <summary>The ids of the tenant's asset groups the asset is in (none while the asset's profile is not known).</summary>
    public IReadOnlySet<string> AssetGroups { get; init; } = FrozenSet<string>.Empty;
}
