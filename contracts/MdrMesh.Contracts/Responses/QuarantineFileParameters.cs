using System.Text.Json.Serialization;
using MdrMesh.Contracts.Validation;

namespace MdrMesh.Contracts.Responses;

/// <summary>Moves a file into the asset's local quarantine, if its hash matches (MD5 or SHA-256, at least one).</summary>
public sealed record QuarantineFileParameters(
    [property: JsonPropertyName("path")] string? Path,
    [property: JsonPropertyName("md5")] string? Md5 = null,
    [property: JsonPropertyName("sha256")] string? Sha256 = null) : ResponseParameters
{
    public override void Validate(Check at)
    {
        at.Field("path").AbsolutePath(Path);
        if (Md5 is null && Sha256 is null)
            at.Field("sha256").Fail("md5 or sha256 is required: the file's hash guards against quarantining another file");
        at.Field("md5").Md5(Md5);
        at.Field("sha256").Sha256(Sha256);
    }
}
