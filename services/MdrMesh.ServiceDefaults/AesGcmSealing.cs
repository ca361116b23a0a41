using System.Security.Cryptography;
using System.Text;

namespace MdrMesh.ServiceDefaults;

/// <summary>
/// AES-GCM as the services seal secrets at rest (isolation passwords, stored answers that hold a token): a random 12-byte
/// nonce, a 16-byte tag, and associated data that binds the value to what it belongs to. The sealed form is
/// <c>{nonce}:{ciphertext}:{tag}</c> in base64; each caller adds the id of the key it used.
/// </summary>
public static class AesGcmSealing
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    public static string Seal(byte[] key, string plaintext, byte[] associatedData)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var clear = Encoding.UTF8.GetBytes(plaintext);
        var ciphertext = new byte[clear.Length];
        var tag = new byte[TagBytes];
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(nonce, clear, ciphertext, tag, associatedData);
        return string.Join(':', Convert.ToBase64String(nonce), Convert.ToBase64String(ciphertext), Convert.ToBase64String(tag));
    }

    /// <summary>The plaintext, or null when a part is malformed or the value was tampered with or sealed for other associated data.</summary>
    public static string? Open(byte[] key, string nonce, string ciphertext, string tag, byte[] associatedData)
    {
        try
        {
            var sealedBytes = Convert.FromBase64String(ciphertext);
            var clear = new byte[sealedBytes.Length];
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(Convert.FromBase64String(nonce), sealedBytes, Convert.FromBase64String(tag), clear, associatedData);
            return Encoding.UTF8.GetString(clear);
        }
        catch (Exception e) when (e is FormatException or CryptographicException or ArgumentException)
        {
            return null;
        }
    }
}
