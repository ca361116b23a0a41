using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MdrMesh.Gateway.Access;

/// <summary>Configuration section <c>Access</c>.</summary>
public sealed class AccessOptions
{
    /// <summary>The HMAC-SHA256 signing key, base64 (at least 32 bytes). Configuration, never in the repository.</summary>
    public string? SigningKey { get; set; }

    /// <summary>The signing key's id, in every token's <c>kid</c> header.</summary>
    public string SigningKeyId { get; set; } = "k1";

    /// <summary>
    /// The key before the last rotation (and its id): tokens it signed stay valid until they expire. Nothing
    /// is signed with it. Keep it at least as long as a refresh token lives (7 days).
    /// </summary>
    public string? PreviousSigningKey { get; set; }

    public string? PreviousSigningKeyId { get; set; }

    /// <summary>Where the first start writes the first connection's credentials.</summary>
    public string? BootstrapCredentialsFile { get; set; }

    /// <summary>The API's address as clients reach it, written into the first credentials.</summary>
    public string PublicUrl { get; set; } = "http://127.0.0.1:8080";

    /// <summary>How long after its first use a refresh token presented again is a client's retry rather than theft.</summary>
    public TimeSpan RefreshReuseGrace { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed record ValidatedToken(string ClientId, string Family);

/// <summary>
/// Access tokens (1 h, reusable until they expire) and refresh tokens (single use; 24 h when a
/// connection is created, 7 days when issued by session/confirm), as HS256 JWTs. Time is injected.
/// Keys carry an id: the current key signs, the current and the previous one validate, so a rotation
/// (<c>deploy/admin.sh signing-key rotate</c>) cuts off no token.
/// </summary>
public sealed class TokenService(Microsoft.Extensions.Options.IOptions<AccessOptions> options, TimeProvider clock)
{
    public static readonly TimeSpan AccessLifetime = TimeSpan.FromHours(1);
    public static readonly TimeSpan FirstRefreshLifetime = TimeSpan.FromHours(24);
    public static readonly TimeSpan RefreshLifetime = TimeSpan.FromDays(7);
    private const string Issuer = "mdrmesh";
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SymmetricSecurityKey _key = Key(
        options.Value.SigningKey ?? throw new InvalidOperationException("Access:SigningKey is not set."), options.Value.SigningKeyId);

    private readonly SymmetricSecurityKey[] _accepted = options.Value.PreviousSigningKey is { Length: > 0 } previous
        ? [Key(options.Value.SigningKey, options.Value.SigningKeyId),
            Key(previous, options.Value.PreviousSigningKeyId is { Length: > 0 } id && id != options.Value.SigningKeyId
                ? id
                : throw new InvalidOperationException("Access:PreviousSigningKeyId must be set, and differ from Access:SigningKeyId."))]
        : [Key(options.Value.SigningKey, options.Value.SigningKeyId)];

    private static SymmetricSecurityKey Key(string base64, string id) => new(Convert.FromBase64String(base64)) { KeyId = id };

    public string IssueAccess(string clientId, string family) => Issue(clientId, family, "access", AccessLifetime);

    public (string Token, DateTimeOffset ExpiresAt) IssueRefresh(string clientId, string family, TimeSpan lifetime) =>
        (Issue(clientId, family, "refresh", lifetime), clock.GetUtcNow() + lifetime);

    private string Issue(string clientId, string family, string type, TimeSpan lifetime)
    {
        var now = clock.GetUtcNow();
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Subject = new ClaimsIdentity([new Claim("sub", clientId), new Claim("fam", family), new Claim("typ", type),
                new Claim("jti", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)))]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>The token's client and family if it is a well-signed, unexpired token of <paramref name="type"/>; otherwise null.</summary>
    public async Task<ValidatedToken?> ValidateAsync(string token, string type)
    {
        var now = clock.GetUtcNow();
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidateAudience = false,
            // Tokens from before keys had ids carry no kid: every accepted key is tried on them.
            IssuerSigningKeys = _accepted,
            // Only HS256: "alg": "none" and algorithm confusion are refused.
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            LifetimeValidator = (notBefore, expires, _, _) => expires is { } exp && exp > now.UtcDateTime && (notBefore is null || notBefore <= now.UtcDateTime),
        });
        if (!result.IsValid) return null;
        var claims = result.ClaimsIdentity;
        return claims.FindFirst("typ")?.Value == type && claims.FindFirst("sub")?.Value is { } sub && claims.FindFirst("fam")?.Value is { } fam
            ? new ValidatedToken(sub, fam)
            : null;
    }

    /// <summary>Only this is stored of a refresh token.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
