using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.RevealingPasswords;

/// <summary>
/// Seals isolation passwords at rest with AES-GCM, so neither the event store nor the incident
/// snapshot holds one in plaintext. Keys come from configuration and rotate by key id:
/// <c>IsolationPasswords:Keys:{keyId}</c> (base64 of 32 bytes; several may be present) and
/// <c>IsolationPasswords:CurrentKeyId</c> (what new passwords are sealed with). A sealed value
/// names its key id, so passwords sealed before a rotation still open while their key is configured.
/// </summary>
public sealed class PasswordVault
{
    public const string Section = "IsolationPasswords";
    private readonly IReadOnlyDictionary<string, byte[]> _keys;
    private readonly string _currentKeyId;

    public PasswordVault(IReadOnlyDictionary<string, byte[]> keys, string currentKeyId)
    {
        if (!keys.ContainsKey(currentKeyId))
            throw new InvalidOperationException($"{Section}:Keys:{currentKeyId} is not set: the current key id names no key.");
        foreach (var (id, key) in keys)
            if (id.Length == 0 || id.Contains(':')) throw new InvalidOperationException($"{Section}: a key id must be non-empty and without ':'.");
            else if (key.Length != 32) throw new InvalidOperationException($"{Section}:Keys:{id} must be the base64 of 32 bytes.");
        _keys = keys;
        _currentKeyId = currentKeyId;
    }

    /// <summary>The vault of the service's configuration; a missing or malformed key stops the service from starting.</summary>
    public static PasswordVault FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var current = section["CurrentKeyId"];
        if (string.IsNullOrWhiteSpace(current))
            throw new InvalidOperationException(
                $"{Section}:CurrentKeyId is not set: isolation passwords cannot be sealed. Set it and {Section}:Keys:{{keyId}} (base64 of 32 bytes).");
        var keys = new Dictionary<string, byte[]>();
        foreach (var entry in section.GetSection("Keys").GetChildren())
        {
            try
            {
                keys[entry.Key] = Convert.FromBase64String(entry.Value ?? "");
            }
            catch (FormatException)
            {
                throw new InvalidOperationException($"{Section}:Keys:{entry.Key} must be the base64 of 32 bytes.");
            }
        }
        return new PasswordVault(keys, current);
    }

    /// <summary>
    /// <c>{keyId}:{nonce}:{ciphertext}:{tag}</c> (base64 parts). The response id is bound in as
    /// associated data, so a sealed password copied onto another response does not open.
    /// </summary>
    public string Seal(string password, Guid responseId) =>
        $"{_currentKeyId}:{AesGcmSealing.Seal(_keys[_currentKeyId], password, AssociatedData(responseId))}";

    /// <summary>The password, or null when the sealed value is malformed, its key is no longer configured, or it was tampered with.</summary>
    public string? Open(string sealedPassword, Guid responseId)
    {
        var parts = sealedPassword.Split(':');
        return parts.Length == 4 && _keys.TryGetValue(parts[0], out var key)
            ? AesGcmSealing.Open(key, parts[1], parts[2], parts[3], AssociatedData(responseId))
            : null;
    }

    private static byte[] AssociatedData(Guid responseId) => Encoding.UTF8.GetBytes($"isolation-password:{responseId}");
}
