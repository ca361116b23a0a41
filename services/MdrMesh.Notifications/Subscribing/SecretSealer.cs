using System.Text;
using MdrMesh.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace MdrMesh.Notifications.Subscribing;

/// <summary>
/// Seals webhook secrets at rest with AES-GCM under <c>Notifications:SecretKey</c> (32 bytes, base64), bound to their
/// subscription's id: a copy of the database alone cannot sign a webhook, and a secret moved to another subscription
/// does not open.
/// </summary>
public sealed class SecretSealer(IOptions<NotificationsOptions> options)
{
    private readonly byte[] _key = KeyOf(options.Value.SecretKey);

    private static byte[] KeyOf(string? key)
    {
        var bytes = Convert.FromBase64String(key ?? throw new InvalidOperationException("Notifications:SecretKey is not set."));
        return bytes.Length == 32 ? bytes : throw new InvalidOperationException("Notifications:SecretKey must be 32 bytes, base64.");
    }

    public string Seal(string secret, Guid subscriptionId) => AesGcmSealing.Seal(_key, secret, AssociatedData(subscriptionId));

    /// <summary>The secret, or null when the value was tampered with or sealed for another subscription or key.</summary>
    public string? Open(string sealedSecret, Guid subscriptionId) => sealedSecret.Split(':') is [var nonce, var ciphertext, var tag]
        ? AesGcmSealing.Open(_key, nonce, ciphertext, tag, AssociatedData(subscriptionId))
        : null;

    private static byte[] AssociatedData(Guid id) => Encoding.UTF8.GetBytes($"webhook-secret:{id}");
}
