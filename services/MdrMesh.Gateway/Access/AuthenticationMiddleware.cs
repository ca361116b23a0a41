using Marten;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Gateway.Access;

/// <summary>
/// Every method but <c>session/confirm</c> needs <c>Authorization: Bearer</c> with a valid access
/// token of the connection named by the path's client_id (else 401), and a rights set that
/// <see cref="Rights.ByMethod"/> allows (else 403). Tenants are enforced by the services: an id of a
/// tenant the connection does not cover is a 404.
/// </summary>
public static class AuthenticationMiddleware
{
    public const string ConnectionItem = "mdrmesh.connection";
    private static readonly TimeSpan LastUsedPrecision = TimeSpan.FromMinutes(1);

    public static void UseApiAuthentication(this WebApplication app) => app.Use(async (context, next) =>
    {
        var segments = context.Request.Path.Value?.Split('/', 4, StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (segments is not ["api", "v1", var clientId, var method] || method == "session/confirm")
        {
            await next(context);
            return;
        }
        if (await AuthenticateAsync(context, clientId) is not { } connection)
        {
            await Results.Problem(statusCode: 401, title: "A valid access token of this client_id is required.").ExecuteAsync(context);
            return;
        }
        if (!Rights.ByMethod.TryGetValue(method, out var allowed))
        {
            await Results.Problem(statusCode: 404, title: $"There is no method {method}.").ExecuteAsync(context);
            return;
        }
        if (!allowed.Any(connection.Holds))
        {
            await Results.Problem(statusCode: 403, title: $"The connection's rights do not cover {method}.",
                detail: $"It needs one of: {string.Join(", ", allowed)}.").ExecuteAsync(context);
            return;
        }
        context.Items[ConnectionItem] = connection;
        await next(context);
    });

    private static async Task<ApiConnection?> AuthenticateAsync(HttpContext context, string clientId)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal)) return null;
        var tokens = context.RequestServices.GetRequiredService<TokenService>();
        if (await tokens.ValidateAsync(header["Bearer ".Length..].Trim(), "access") is not { } token || token.ClientId != clientId) return null;

        var store = context.RequestServices.GetRequiredService<IDocumentStore>();
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        await using var session = store.LightweightSession();
        var connection = await session.LoadAsync<ApiConnection>(clientId, context.RequestAborted);
        if (connection is null || connection.RevokedAt is not null || connection.RevokedFamilies.Contains(token.Family)) return null;
        // Enough to tell Active from Idle, without a write on every request.
        if (connection.LastUsedAt is null || now - connection.LastUsedAt > LastUsedPrecision)
        {
            session.Store(connection with { LastUsedAt = now });
            await session.SaveChangesAsync(context.RequestAborted);
        }
        return connection;
    }

    public static ApiConnection Connection(this HttpContext context) => (ApiConnection)context.Items[ConnectionItem]!;

    /// <summary>The caller as the services see it, in the headers the gateway adds to a forwarded request.</summary>
    public static IEnumerable<(string Header, string Value)> IdentityHeaders(ApiConnection connection) =>
    [
        (Caller.IdHeader, connection.Id),
        (Caller.NameHeader, connection.Name),
        (Caller.RightsHeader, string.Join(",", connection.Rights)),
        (Caller.TenantsHeader, connection.AllTenants ? Caller.AllTenants : string.Join(",", connection.TenantIds)),
    ];
}
