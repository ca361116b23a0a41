using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Gateway.Access;

/// <summary>
/// Seals what the gateway keeps in the database that must not lie there in clear, with AES-GCM under keys derived
/// (HKDF-SHA256, a label per purpose) from the token signing keys the gateway already has, so no new secret is to be
/// configured; a key is never used for both signing and sealing, nor for two purposes. Each sealed value names the signing
/// key id it came from: after a rotation, values sealed under the previous key still open while that key is configured,
/// and a value whose key is gone no longer opens.
/// </summary>
public abstract class SigningKeySealer
{
    private readonly Dictionary<string, byte[]> _keys = [];
    private readonly string _currentKeyId;
    private readonly string _purpose;

    protected SigningKeySealer(AccessOptions access, string purpose)
    {
        _purpose = purpose;
        var label = Encoding.UTF8.GetBytes($"mdrmesh gateway {purpose} sealing v1");
        _currentKeyId = access.SigningKeyId;
        _keys[access.SigningKeyId] = Derive(access.SigningKey ?? throw new InvalidOperationException("Access:SigningKey is not set."), label);
        if (access is { PreviousSigningKey.Length: > 0, PreviousSigningKeyId.Length: > 0 } && access.PreviousSigningKeyId != access.SigningKeyId)
            _keys[access.PreviousSigningKeyId] = Derive(access.PreviousSigningKey, label);
    }

    private static byte[] Derive(string signingKey, byte[] label) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Convert.FromBase64String(signingKey), 32, info: label);

    /// <summary><c>{nonce}:{ciphertext}:{tag}:{keyId}</c> (base64 parts, the key id last as it may hold any character); <paramref name="id"/> is bound in as associated data.</summary>
    public string Seal(string plaintext, string id) => $"{AesGcmSealing.Seal(_keys[_currentKeyId], plaintext, AssociatedData(id))}:{_currentKeyId}";

    /// <summary>The plaintext, or null when the value is malformed, tampered with, sealed for another id, or its key is gone.</summary>
    public string? Open(string sealedValue, string id)
    {
        var parts = sealedValue.Split(':', 4);
        return parts.Length == 4 && _keys.TryGetValue(parts[3], out var key)
            ? AesGcmSealing.Open(key, parts[0], parts[1], parts[2], AssociatedData(id))
            : null;
    }

    private byte[] AssociatedData(string id) => Encoding.UTF8.GetBytes($"{_purpose}:{id}");
}

/// <summary>The gateway's stored idempotent answers: <c>api_connections/create</c> answers a refresh token.</summary>
public sealed class AnswerSealer(IOptions<AccessOptions> options) : SigningKeySealer(options.Value, "idempotent-answer")
{
    public string Seal(string plaintext, Guid id) => Seal(plaintext, id.ToString());

    public string? Open(string sealedValue, Guid id) => Open(sealedValue, id.ToString());
}
