using System.Text.Json.Serialization;
using MdrMesh.Contracts.Validation;

namespace MdrMesh.Contracts.Responses;

/// <summary>
/// Deletes a registry key or one of its values. <see cref="Value"/> absent: the key, recursively;
/// empty string: the key's default value; otherwise the named value.
/// </summary>
public sealed record DeleteRegistryKeyParameters(
    [property: JsonPropertyName("key")] string? Key,
    [property: JsonPropertyName("value")] string? Value = null) : ResponseParameters
{
    public static readonly IReadOnlyList<string> AllowedRoots = ["HKEY_LOCAL_MACHINE", "HKEY_USERS"];

    public override void Validate(Check at)
    {
        var key = at.Field("key");
        if (key.NonEmpty(Key, 4096))
        {
            var segments = Key!.Split('\\');
            if (!AllowedRoots.Contains(segments[0], StringComparer.OrdinalIgnoreCase))
                key.Fail(@"must start with HKEY_LOCAL_MACHINE\ or HKEY_USERS\");
            else if (segments.Length < 2 || segments.Skip(1).Any(s => s.Length == 0))
                key.Fail(@"must name a key under the root, with no empty segments, such as HKEY_LOCAL_MACHINE\SYSTEM\WebClient");
        }
        // The empty string is meaningful (the default value), so only a named value is checked.
        if (Value is { Length: > 0 }) at.Field("value").NonEmpty(Value, 16383);
    }
}
