using System.Security.Cryptography;
using System.Text;

namespace MdrMesh.Notifications.Webhooks;

/// <summary>
/// Standard Webhooks (standardwebhooks.com) symmetric signatures: HMAC-SHA256 of <c>{id}.{timestamp}.{body}</c> with the
/// key a secret <c>whsec_{base64}</c> carries, sent as <c>webhook-signature: v1,{base64}</c>. Any of that
/// specification's libraries verifies what this signs.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";
    private const string Version = "v1,";

    /// <summary>A new secret: 32 random bytes (the HMAC's full block of strength) in the <c>whsec_</c> form.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string Sign(string secret, string webhookId, long timestampSeconds, string body) =>
        Version + Convert.ToBase64String(Mac(Key(secret), webhookId, timestampSeconds, body));

    /// <summary>
    /// Whether one of the header's space-separated signatures is this body's under <paramref name="secret"/> (several:
    /// a sender rotating its secret signs with both). A receiver should also refuse a timestamp far from its clock,
    /// which this leaves to it, so that a captured request cannot be replayed later.
    /// </summary>
    public static bool Verify(string secret, string webhookId, long timestampSeconds, string body, string signatureHeader)
    {
        var expected = Mac(Key(secret), webhookId, timestampSeconds, body);
        foreach (var entry in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!entry.StartsWith(Version, StringComparison.Ordinal)) continue;
            var candidate = new byte[expected.Length];
            if (Convert.TryFromBase64String(entry[Version.Length..], candidate, out var written) && written == expected.Length
                && CryptographicOperations.FixedTimeEquals(candidate, expected))
                return true;
        }
        return false;
    }

    private static byte[] Key(string secret) =>
        Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);

    private static byte[] Mac(byte[] key, string webhookId, long timestampSeconds, string body) =>
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{webhookId}.{timestampSeconds}.{body}"));
}
