using MdrMesh.Contracts.Validation;

namespace MdrMesh.Contracts.Responses;

/// <summary>Lifts the network isolation of the asset. No parameters.</summary>
public sealed record DisableIsolationParameters : ResponseParameters
{
    public override void Validate(Check at) { }
}
