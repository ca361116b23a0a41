using Microsoft.AspNetCore.Http;

namespace MdrMesh.ServiceDefaults;

/// <summary>
/// Who is calling the API: the name written into history as <c>changed_by</c> and as author of
/// comments and decisions, and the tenants they may reach (null = every tenant).
/// Handlers take it as a parameter; <see cref="BindAsync"/> is the one place it is resolved, so
/// authentication plugs in here without touching them.
/// </summary>
public sealed record Caller(string Name, IReadOnlySet<string>? Tenants, bool IsSocOperator)
{
    public const string NameHeader = "X-MdrMesh-Caller";
    public const string RoleHeader = "X-MdrMesh-Role";

    public bool CanReach(string tenantId) => Tenants is null || Tenants.Contains(tenantId);

    // Until API connections and tokens exist (issue 5), the gateway passes the caller's name and
    // role in headers; a request without them acts as the SOC.
    public static ValueTask<Caller?> BindAsync(HttpContext context)
    {
        var name = context.Request.Headers[NameHeader].ToString();
        var role = context.Request.Headers[RoleHeader].ToString();
        return ValueTask.FromResult<Caller?>(new Caller(
            string.IsNullOrWhiteSpace(name) ? "soc" : name.Trim(),
            Tenants: null,
            IsSocOperator: !string.Equals(role, "customer", StringComparison.OrdinalIgnoreCase)));
    }
}
