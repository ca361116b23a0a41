namespace MdrMesh.Contracts.Validation;

/// <summary>One broken rule: the wire path of the field (e.g. <c>parameters.exclusion_rules[2].protocol</c>) and what it must be.</summary>
public sealed record ValidationError(string Field, string Rule)
{
    public override string ToString() => $"{Field}: {Rule}";
}
