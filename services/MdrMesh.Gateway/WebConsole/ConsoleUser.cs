using MdrMesh.ServiceDefaults;
using MdrMesh.Gateway.Access;

namespace MdrMesh.Gateway.WebConsole;

/// <summary>
/// A person who signs in to the web console: a user name and a password (only its hash is kept), the same rights
/// sets and tenant scope as an API connection, and the state sign-in needs (failures, lockout, a password to change).
/// What the user does is recorded under <see cref="Name"/> and <see cref="Id"/>, exactly as a connection's actions are.
/// </summary>
public sealed record ConsoleUser : IActor
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string PasswordHash { get; init; } = "";
    public IReadOnlyList<string> Rights { get; init; } = [];
    public bool AllTenants { get; init; }
    public IReadOnlyList<string> TenantIds { get; init; } = [];
    public bool MustChangePassword { get; init; }
    public int FailedSignIns { get; init; }
    public DateTimeOffset? LockedUntil { get; init; }
    public DateTimeOffset? DisabledAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string CreatedBy { get; init; } = "";

    /// <summary>Changes to this value end every session of the user (a password change, disabling).</summary>
    public string SessionStamp { get; init; } = "";

    public bool Holds(string right) => Rights.Contains(right);

    public bool CanReach(string tenantId) => AllTenants || TenantIds.Contains(tenantId);

    /// <summary>Whether the rights table lets the user call <paramref name="method"/>.</summary>
    public bool May(string method) => ApiMethods.ByName.TryGetValue(method, out var known) && known.Rights.Any(Rights.Contains);
}
