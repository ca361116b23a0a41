using System.Security.Cryptography;
using System.Text;

namespace MdrMesh.Contracts.Isolation;

/// <summary>
/// A generated password for lifting an isolation by hand, with the task id that goes with it and
/// the details that verify it. The password itself is shown once to the customer; only the
/// details travel further.
/// </summary>
public sealed record IsolationPassword(string Password, string TaskId, IsolationPasswordDetails Details)
{
    public const int Version1 = 1;
    public const int Iterations = 10_000;
    public const int KeyBytes = 32;
    private const int SaltBytes = 16;
    private const int PasswordLength = 20;
    // No look-alike characters (0/O, 1/l/I): the password may be read out over the phone.
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    public static IsolationPassword Generate()
    {
        var password = RandomNumberGenerator.GetString(Alphabet, PasswordLength);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var key = DeriveKey(password, salt, Iterations, KeyBytes);
        var details = new IsolationPasswordDetails(Version1, Convert.ToHexStringLower(salt), Convert.ToHexStringLower(key));
        return new IsolationPassword(password, Guid.NewGuid().ToString(), details);
    }

    /// <summary>True when <paramref name="password"/> derives the key in <paramref name="details"/>.</summary>
    public static bool Verify(string password, IsolationPasswordDetails details)
    {
        if (details.Version != Version1) return false;
        byte[] salt, expected;
        try
        {
            salt = Convert.FromHexString(details.Salt);
            expected = Convert.FromHexString(details.DerivedKey);
        }
        catch (FormatException)
        {
            return false;
        }
        var actual = DeriveKey(password, salt, Iterations, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>PBKDF2 with HMAC-SHA256.</summary>
    public static byte[] DeriveKey(string password, byte[] salt, int iterations, int length) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, length);

    public override string ToString() => $"IsolationPassword {{ Password = ***, TaskId = {TaskId} }}";
}
