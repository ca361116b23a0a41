using System.Security.Cryptography;
using MdrMesh.Incidents.RevealingPasswords;
using Microsoft.Extensions.Configuration;

namespace MdrMesh.Security.Tests;

/// <summary>Isolation passwords at rest: sealed with AES-GCM under a rotatable key id, bound to their response.</summary>
public class PasswordVaultTests
{
    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static PasswordVault Vault(string current, params (string Id, string Key)[] keys) =>
        PasswordVault.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(
            keys.Select(k => new KeyValuePair<string, string?>($"IsolationPasswords:Keys:{k.Id}", k.Key))
                .Append(new("IsolationPasswords:CurrentKeyId", current))).Build());

    [Fact]
    public void A_sealed_password_opens_with_its_key_and_shows_no_plaintext()
    {
        var vault = Vault("k1", ("k1", NewKey()));
        var response = Guid.NewGuid();

        var sealedPassword = vault.Seal("Secret-Pass-123", response);

        Assert.DoesNotContain("Secret-Pass-123", sealedPassword);
        Assert.StartsWith("k1:", sealedPassword);
        Assert.Equal("Secret-Pass-123", vault.Open(sealedPassword, response));
        Assert.NotEqual(sealedPassword, vault.Seal("Secret-Pass-123", response));
    }

    [Fact]
    public void After_a_rotation_old_passwords_still_open_and_new_ones_use_the_new_key()
    {
        var (k1, k2) = (NewKey(), NewKey());
        var response = Guid.NewGuid();
        var before = Vault("k1", ("k1", k1)).Seal("old-password", response);

        var rotated = Vault("k2", ("k1", k1), ("k2", k2));

        Assert.Equal("old-password", rotated.Open(before, response));
        Assert.StartsWith("k2:", rotated.Seal("new-password", response));
        Assert.Null(Vault("k2", ("k2", k2)).Open(before, response));
    }

    [Fact]
    public void A_sealed_password_does_not_open_for_another_response_or_when_tampered_with()
    {
        var vault = Vault("k1", ("k1", NewKey()));
        var response = Guid.NewGuid();
        var sealedPassword = vault.Seal("password-1", response);
        var parts = sealedPassword.Split(':');
        var ciphertext = Convert.FromBase64String(parts[2]);
        ciphertext[0] ^= 1;

        Assert.Null(vault.Open(sealedPassword, Guid.NewGuid()));
        Assert.Null(vault.Open(string.Join(':', parts[0], parts[1], Convert.ToBase64String(ciphertext), parts[3]), response));
        Assert.Null(vault.Open("k1:not base64:x:y", response));
        Assert.Null(vault.Open("garbage", response));
    }

    [Theory]
    [InlineData(null, "k1", "CurrentKeyId is not set")]
    [InlineData("k2", "k1", "IsolationPasswords:Keys:k2 is not set")]
    [InlineData("k1", "k1", "base64 of 32 bytes")]
    public void The_service_refuses_to_start_without_a_usable_current_key(string? current, string keyId, string message)
    {
        var key = message.Contains("32 bytes") ? Convert.ToBase64String(new byte[16]) : NewKey();
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"IsolationPasswords:Keys:{keyId}"] = key,
            ["IsolationPasswords:CurrentKeyId"] = current,
        }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => PasswordVault.FromConfiguration(config));

        Assert.Contains(message, error.Message);
    }
}
