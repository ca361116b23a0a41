using System.Text.Json.Serialization;
using MdrMesh.Contracts.Validation;

namespace MdrMesh.Contracts.Responses;

/// <summary>Runs a PowerShell script. Script and description are shown to whoever decides.</summary>
public sealed record RunScriptParameters(
    [property: JsonPropertyName("script")] string? Script,
    [property: JsonPropertyName("description")] string? Description) : ResponseParameters
{
    public const int MaxScriptLength = 65_536;

    public override void Validate(Check at)
    {
        at.Field("script").NonEmpty(Script, MaxScriptLength);
        at.Field("description").NonEmpty(Description, 4096);
    }
}
