using System.Text.Json.Serialization;

namespace MdrMesh.Contracts.Isolation;

/// <summary>
/// How to check an isolation password without storing it. Version 1: PBKDF2 with HMAC-SHA256,
/// 10,000 iterations, a 32-byte key; <see cref="Salt"/> and <see cref="DerivedKey"/> in hex.
/// </summary>
public sealed record IsolationPasswordDetails(
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("salt")] string Salt,
    [property: JsonPropertyName("derived_key")] string DerivedKey);
