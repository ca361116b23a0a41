using Microsoft.AspNetCore.Identity;

namespace MdrMesh.Gateway.WebConsole;

public enum SignInOutcome { SignedIn, WrongCredentials, LockedOut, Disabled }

/// <summary>
/// Sign-in as pure decisions: <see cref="MaxFailures"/> wrong passwords in a row lock the user out for
/// <see cref="Lockout"/>; a right password while locked out still fails (so guessing on cannot tell). The answer to a
/// wrong user name and to a wrong password is the same.
/// </summary>
public static class SignInRules
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);
    public const int MinPasswordLength = 12;
    public const int MaxPasswordLength = 256;

    private static readonly PasswordHasher<ConsoleUser> Hasher = new();

    public static string Hash(string password) => Hasher.HashPassword(null!, password);

    /// <summary>The outcome of <paramref name="password"/> for <paramref name="user"/> at <paramref name="now"/>, and the user as it must be stored.</summary>
    public static (SignInOutcome Outcome, ConsoleUser User) Decide(ConsoleUser user, string password, DateTimeOffset now)
    {
        if (user.DisabledAt is not null) return (SignInOutcome.Disabled, user);
        if (user.LockedUntil is { } until && until > now) return (SignInOutcome.LockedOut, user);
        var verified = password.Length <= MaxPasswordLength
                       && Hasher.VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed;
        if (verified) return (SignInOutcome.SignedIn, user with { FailedSignIns = 0, LockedUntil = null });
        var failures = user.FailedSignIns + 1;
        return failures >= MaxFailures
            ? (SignInOutcome.LockedOut, user with { FailedSignIns = 0, LockedUntil = now + Lockout })
            : (SignInOutcome.WrongCredentials, user with { FailedSignIns = failures });
    }

    /// <summary>What is wrong with a new password, or null: long enough, not too long, not the user name, not the old one.</summary>
    public static string? CheckNewPassword(ConsoleUser user, string? password)
    {
        if (password is null || password.Length < MinPasswordLength) return $"must be at least {MinPasswordLength} characters";
        if (password.Length > MaxPasswordLength) return $"must be at most {MaxPasswordLength} characters";
        if (string.Equals(password, user.Name, StringComparison.OrdinalIgnoreCase)) return "must not be the user name";
        if (Hasher.VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed) return "must differ from the current one";
        return null;
    }

    public static string NewSessionStamp() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>A one-time password for a new user: 20 characters from an alphabet without look-alikes.</summary>
    public static string OneTimePassword() =>
        System.Security.Cryptography.RandomNumberGenerator.GetString("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 20);
}
