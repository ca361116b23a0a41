using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Gateway.Access;

/// <summary>
/// Seals the gateway's stored idempotent answers with AES-GCM: <c>api_connections/create</c> answers a refresh token, which
/// must not lie in the database in clear. The keys are derived (HKDF-SHA256, a label of their own) from the token signing keys
/// the gateway already has, so no new secret is to be configured; a key is never used for both signing and sealing. Each
/// sealed value names the signing key id it came from: after a rotation, answers sealed under the previous key still open
/// while that key is configured, and an answer whose key is gone no longer opens (the caller is told to send a new key).
/// </summary>
public sealed class AnswerSealer
{
    private static readonly byte[] Label = "mdrmesh gateway idempotent-answer sealing v1"u8.ToArray();
    private readonly Dictionary<string, byte[]> _keys = [];
    private readonly string _currentKeyId;

    public AnswerSealer(IOptions<AccessOptions> options)
    {
        var access = options.Value;
        _currentKeyId = access.SigningKeyId;
        _keys[access.SigningKeyId] = Derive(access.SigningKey ?? throw new InvalidOperationException("Access:SigningKey is not set."));
        if (access is { PreviousSigningKey.Length: > 0, PreviousSigningKeyId.Length: > 0 } && access.PreviousSigningKeyId != access.SigningKeyId)
            _keys[access.PreviousSigningKeyId] = Derive(access.PreviousSigningKey);
    }

    private static byte[] Derive(string signingKey) => HKDF.DeriveKey(HashAlgorithmName.SHA256, Convert.FromBase64String(signingKey), 32, info: Label);

    /// <summary><c>{nonce}:{ciphertext}:{tag}:{keyId}</c> (base64 parts, the key id last as it may hold any character); <paramref name="id"/> is bound in as associated data.</summary>
    public string Seal(string plaintext, Guid id) => $"{AesGcmSealing.Seal(_keys[_currentKeyId], plaintext, AssociatedData(id))}:{_currentKeyId}";

    /// <summary>The plaintext, or null when the value is malformed, tampered with, sealed for another id, or its key is gone.</summary>
    public string? Open(string sealedValue, Guid id)
    {
        var parts = sealedValue.Split(':', 4);
        return parts.Length == 4 && _keys.TryGetValue(parts[3], out var key)
            ? AesGcmSealing.Open(key, parts[0], parts[1], parts[2], AssociatedData(id))
            : null;
    }

    private static byte[] AssociatedData(Guid id) => Encoding.UTF8.GetBytes($"idempotent-answer:{id}");
}
