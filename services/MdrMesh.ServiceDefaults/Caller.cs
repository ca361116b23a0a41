using Microsoft.AspNetCore.Http;

namespace MdrMesh.ServiceDefaults;

/// <summary>
/// Who is calling the API: the name written into history as <c>changed_by</c> and as author of
/// comments and decisions, and the tenants they may reach (null = every tenant).
/// Handlers take it as a parameter; <see cref="BindAsync"/> is the one place it is resolved.
/// </summary>
public sealed record Caller(string Name, IReadOnlySet<string>? Tenants, bool IsSocOperator)
{
    /// <summary>The API connection's name.</summary>
    public const string NameHeader = "X-MdrMesh-Caller";

    /// <summary><c>soc</c> for a connection holding SOC_OPERATOR, otherwise <c>customer</c>.</summary>
    public const string RoleHeader = "X-MdrMesh-Role";

    /// <summary><c>*</c> for every tenant, otherwise the tenant ids, comma-separated.</summary>
    public const string TenantsHeader = "X-MdrMesh-Tenants";

    /// <summary>The key only the gateway holds; see <c>UseMdrInternalApi</c>.</summary>
    public const string InternalKeyHeader = "X-MdrMesh-Internal-Key";

    public const string AllTenants = "*";

    public bool CanReach(string tenantId) => Tenants is null || Tenants.Contains(tenantId);

    // The gateway authenticated the token and put the connection's identity in these headers
    // (URI-escaped, as header values are ASCII); the internal key check has already refused
    // requests that did not come through it.
    public static ValueTask<Caller?> BindAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        var tenants = Uri.UnescapeDataString(headers[TenantsHeader].ToString());
        return ValueTask.FromResult<Caller?>(new Caller(
            Uri.UnescapeDataString(headers[NameHeader].ToString()),
            tenants == AllTenants ? null : tenants.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(),
            IsSocOperator: headers[RoleHeader].ToString() == "soc"));
    }
}
