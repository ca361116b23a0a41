using Microsoft.AspNetCore.Http;

namespace MdrMesh.ServiceDefaults;

/// <summary>
/// Who is calling the API: the connection's immutable id (what authorship and separation-of-duty
/// checks compare), its name (shown in history as <c>changed_by</c>), its rights sets, and the
/// tenants it may reach (null = every tenant). Handlers take it as a parameter;
/// <see cref="BindAsync"/> is the one place it is resolved.
/// </summary>
public sealed record Caller(string Id, string Name, IReadOnlySet<string>? Tenants, IReadOnlySet<string> Rights)
{
    /// <summary>The API connection's client id.</summary>
    public const string IdHeader = "X-MdrMesh-Caller-Id";

    /// <summary>The API connection's name.</summary>
    public const string NameHeader = "X-MdrMesh-Caller";

    /// <summary>The connection's rights sets, comma-separated.</summary>
    public const string RightsHeader = "X-MdrMesh-Rights";

    /// <summary><c>*</c> for every tenant, otherwise the tenant ids, comma-separated.</summary>
    public const string TenantsHeader = "X-MdrMesh-Tenants";

    /// <summary>The key only the gateway holds; see <c>UseMdrInternalApi</c>.</summary>
    public const string InternalKeyHeader = "X-MdrMesh-Internal-Key";

    public const string AllTenants = "*";

    /// <summary>The provider's own analysts (SOC_OPERATOR): they raise incidents and propose responses in every tenant.</summary>
    public bool IsSocOperator => Rights.Contains(ServiceDefaults.Rights.SocOperator);

    /// <summary>May decide responses and manage the customer's settings (FULL_ACCESS or RESPONSE_MANAGEMENT) in the tenants it reaches.</summary>
    public bool IsDecider => Rights.Contains(ServiceDefaults.Rights.FullAccess) || Rights.Contains(ServiceDefaults.Rights.ResponseManagement);

    public bool CanReach(string tenantId) => Tenants is null || Tenants.Contains(tenantId);

    /// <summary>
    /// The tenant a per-tenant setting method names (<c>tenant_id</c>), or the connection's only tenant when it names none;
    /// a missing or bad one is added to <paramref name="errors"/>. Whether the caller reaches it is <see cref="CanReach"/>'s.
    /// </summary>
    public string? TenantNamed(string? tenantId, List<MdrMesh.Contracts.Validation.ValidationError> errors)
    {
        var at = new MdrMesh.Contracts.Validation.Check(errors, "tenant_id");
        if (tenantId is not null) return at.NonEmpty(tenantId, 128) ? tenantId : null;
        if (Tenants is { Count: 1 } only) return only.Single();
        at.Fail("is required unless the connection reaches exactly one tenant");
        return null;
    }

    // The gateway authenticated the token and put the connection's identity in these headers
    // (URI-escaped, as header values are ASCII); the internal key check has already refused
    // requests that did not come through it.
    public static ValueTask<Caller?> BindAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        var tenants = Uri.UnescapeDataString(headers[TenantsHeader].ToString());
        return ValueTask.FromResult<Caller?>(new Caller(
            Uri.UnescapeDataString(headers[IdHeader].ToString()),
            Uri.UnescapeDataString(headers[NameHeader].ToString()),
            tenants == AllTenants ? null : List(tenants),
            List(Uri.UnescapeDataString(headers[RightsHeader].ToString()))));
    }

    private static HashSet<string> List(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
}
