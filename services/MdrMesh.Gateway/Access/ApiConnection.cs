namespace MdrMesh.Gateway.Access;

/// <summary>
/// Who acts through the API: an API connection or a console user. Both hold rights sets and tenants, and the one
/// method table (<see cref="ApiMethods"/>) judges both; the services see either as a caller (id and name).
/// </summary>
public interface IActor
{
    string Id { get; }
    string Name { get; }
    IReadOnlyList<string> Rights { get; }
    bool AllTenants { get; }
    IReadOnlyList<string> TenantIds { get; }
    bool Holds(string right);
    bool CanReach(string tenantId);
}

/// <summary>
/// An API connection: a name (the author of what it does), rights sets and tenants
/// (<see cref="AllTenants"/>: every tenant, also those created later, and the root scope).
/// </summary>
public sealed record ApiConnection : IActor
{
    public const string PendingActivation = "Pending activation";
    public const string Active = "Active";
    public const string Idle = "Idle";
    public const string Revoked = "Revoked";
    public static readonly TimeSpan IdleAfter = TimeSpan.FromDays(30);

    /// <summary>The client_id.</summary>
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public IReadOnlyList<string> Rights { get; init; } = [];
    public bool AllTenants { get; init; }
    public IReadOnlyList<string> TenantIds { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    public string CreatedBy { get; init; } = "";
    public DateTimeOffset? ActivatedAt { get; init; }
    public DateTimeOffset? LastUsedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Token families cut off because one of their refresh tokens was presented twice.</summary>
    public IReadOnlyList<string> RevokedFamilies { get; init; } = [];

    public string Status(DateTimeOffset now) =>
        RevokedAt is not null ? Revoked
        : ActivatedAt is null ? PendingActivation
        : now - (LastUsedAt ?? ActivatedAt.Value) > IdleAfter ? Idle
        : Active;

    public bool Holds(string right) => Rights.Contains(right);

    /// <summary>The connection with its last use, as <see cref="ConnectionUse"/> records it.</summary>
    public ApiConnection UsedAt(ConnectionUse? use) =>
        use is null || use.LastUsedAt <= LastUsedAt ? this : this with { LastUsedAt = use.LastUsedAt };

    public bool CanReach(string tenantId) => AllTenants || TenantIds.Contains(tenantId);
}

/// <summary>A refresh token, kept only as the hash of its text. Single use: a second use revokes its family.</summary>
public sealed record RefreshTokenRecord(string Id, string ClientId, string Family, DateTimeOffset ExpiresAt)
{
    public DateTimeOffset? UsedAt { get; init; }
}

/// <summary>When a connection was last used (client_id as id). Apart from the connection, so recording it never conflicts with a change of the connection.</summary>
public sealed record ConnectionUse(string Id, DateTimeOffset LastUsedAt);
