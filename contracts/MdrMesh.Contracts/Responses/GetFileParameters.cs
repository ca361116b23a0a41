using System.Text.Json.Serialization;
using MdrMesh.Contracts.Validation;

namespace MdrMesh.Contracts.Responses;

/// <summary>Copies one file from the asset to the SOC. The file may hold personal or confidential data.</summary>
public sealed record GetFileParameters(
    [property: JsonPropertyName("path")] string? Path,
    [property: JsonPropertyName("max_file_size_mb")] int? MaxFileSizeMb) : ResponseParameters
{
    public override void Validate(Check at)
    {
        at.Field("path").AbsolutePath(Path);
        at.Field("max_file_size_mb").InRange(MaxFileSizeMb, 1, int.MaxValue);
    }
}
