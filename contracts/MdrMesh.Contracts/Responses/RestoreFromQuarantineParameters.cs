using System.Text.Json.Serialization;
using MdrMesh.Contracts.Validation;

namespace MdrMesh.Contracts.Responses;

/// <summary>Puts a quarantined file back at its original path, unless a file of that name is already there.</summary>
public sealed record RestoreFromQuarantineParameters(
    [property: JsonPropertyName("path")] string? Path,
    [property: JsonPropertyName("md5")] string? Md5 = null,
    [property: JsonPropertyName("sha256")] string? Sha256 = null) : ResponseParameters
{
    public override void Validate(Check at)
    {
        at.Field("path").AbsolutePath(Path);
        at.Field("md5").Md5(Md5);
        at.Field("sha256").Sha256(Sha256);
    }
}
