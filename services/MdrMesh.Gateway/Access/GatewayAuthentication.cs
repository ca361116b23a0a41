using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Marten;
using MdrMesh.ServiceDefaults;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;

namespace MdrMesh.Gateway.Access;

/// <summary>
/// Every method but <c>session/confirm</c> needs <c>Authorization: Bearer</c> with a valid access
/// token of the connection named by the route's client_id (else 401), and a rights set that
/// the method table (<see cref="ApiMethods"/>) allows (else 403). Both are decided on the endpoint routing
/// matched, never on the path's text, so every spelling of a path is judged as the method it
/// reaches. Tenants are enforced by the services: an id of a tenant the connection does not cover is a 404.
/// </summary>
public static class GatewayAuthentication
{
    public const string Scheme = "MdrMeshAccessToken";
    public const string RightClaim = "mdrmesh:right";
    public const string ConnectionItem = "mdrmesh.connection";

    public static string PolicyFor(string method) => $"method:{method}";

    public static void AddGatewayAuthentication(this WebApplicationBuilder builder)
    {
        // No default scheme: only the method policies authenticate, so session/confirm and unmatched paths never touch tokens.
        builder.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, AccessTokenHandler>(Scheme, _ => { });
        builder.Services.AddAuthorization(options =>
        {
            foreach (var method in ApiMethods.All)
                options.AddPolicy(PolicyFor(method.Name), policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser()
                    .RequireClaim(RightClaim, method.Rights));
        });
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        builder.Services.AddSingleton<LastUse>();
        builder.Services.AddSingleton<ConnectionCache>();
    }

    public static ApiConnection Connection(this HttpContext context) => (ApiConnection)context.Items[ConnectionItem]!;

    /// <summary>The caller as the services see it, in the headers the gateway adds to a forwarded request.</summary>
    public static IEnumerable<(string Header, string Value)> IdentityHeaders(IActor actor) =>
    [
        (Caller.IdHeader, actor.Id),
        (Caller.NameHeader, actor.Name),
        (Caller.RightsHeader, string.Join(",", actor.Rights)),
        (Caller.TenantsHeader, actor.AllTenants ? Caller.AllTenants : string.Join(",", actor.TenantIds)),
    ];
}

/// <summary>The existing token rules as an ASP.NET Core authentication handler: a valid access token of the route's client_id, of a connection neither revoked nor cut off.</summary>
public sealed class AccessTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    TokenService tokens, ConnectionCache connections, LastUse lastUse) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal)) return AuthenticateResult.NoResult();
        if (await tokens.ValidateAsync(header["Bearer ".Length..].Trim(), "access") is not { } token) return AuthenticateResult.Fail("invalid token");
        if (Context.GetRouteValue("client_id") is not string clientId || !string.Equals(clientId, token.ClientId, StringComparison.Ordinal))
            return AuthenticateResult.Fail("token of another client_id");

        var connection = await connections.GetAsync(clientId, Context.RequestAborted);
        if (connection is null || connection.RevokedAt is not null || connection.RevokedFamilies.Contains(token.Family))
            return AuthenticateResult.Fail("connection revoked");
        await lastUse.RecordAsync(clientId, Context.RequestAborted);

        Context.Items[GatewayAuthentication.ConnectionItem] = connection;
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, connection.Id),
            .. connection.Rights.Select(r => new Claim(GatewayAuthentication.RightClaim, r))], GatewayAuthentication.Scheme);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), GatewayAuthentication.Scheme));
    }
}

/// <summary>
/// When a connection was last used: enough to tell Active from Idle. Written at most once a minute
/// per connection, as a document of its own without version checks, so busy clients never collide
/// with each other or with changes to the connection.
/// </summary>
public sealed class LastUse(IDocumentStore store, TimeProvider clock)
{
    private static readonly TimeSpan Precision = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _written = new();

    public async Task RecordAsync(string clientId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var previous = _written.GetValueOrDefault(clientId, DateTimeOffset.MinValue);
        if (now - previous < Precision || !_written.TryUpdate(clientId, now, previous) && !_written.TryAdd(clientId, now)) return;
        await using var session = store.LightweightSession();
        session.Store(new ConnectionUse(clientId, now));
        await session.SaveChangesAsync(ct);
    }
}

/// <summary>401 and 403 as problem+json: 403 names the rights sets the method needs.</summary>
public sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        // The console's pages answer as pages do (a redirect to sign in); only the API's methods answer problem+json.
        if (context.GetEndpoint()?.Metadata.GetMetadata<ApiMethod>() is null)
        {
            await _default.HandleAsync(next, context, policy, result);
            return;
        }
        if (result.Challenged)
        {
            await Results.Problem(statusCode: 401, title: "A valid access token of this client_id is required.").ExecuteAsync(context);
            return;
        }
        if (result.Forbidden)
        {
            var method = context.GetEndpoint()!.Metadata.GetMetadata<ApiMethod>()!;
            await Results.Problem(statusCode: 403, title: $"The connection's rights do not cover {method.Name}.",
                detail: $"It needs one of: {string.Join(", ", method.Rights)}.").ExecuteAsync(context);
            return;
        }
        await _default.HandleAsync(next, context, policy, result);
    }
}
