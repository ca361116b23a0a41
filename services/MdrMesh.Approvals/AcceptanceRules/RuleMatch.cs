namespace MdrMesh.Approvals.AcceptanceRules;

/// <summary>The rule that decided a proposal: its <see cref="Number"/> in the policy (from 1), its name and its action.</summary>
public sealed record RuleMatch(int Number, string Name, string Action);
