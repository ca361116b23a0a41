namespace MdrMesh.Approvals.AcceptanceRules;

/// <summary>What the rules' matchers look at in a proposal: its response type and asset.</summary>
public sealed record ProposalFacts(string Type, string AssetId);
