using MdrMesh.Gateway.Access;
using MdrMesh.Gateway.Tenants;
using MdrMesh.Gateway.WebConsole;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Gateway;

/// <summary>
/// The one entry point of the API: it authenticates every request (see <see cref="GatewayAuthentication"/>), serves
/// the access methods itself, and forwards every other <c>POST /api/v1/{client_id}/{method}</c> to the service the
/// method table (<see cref="ApiMethods"/>) names, with the caller's identity, through YARP (see <see cref="ServiceForwarder"/>).
/// Base addresses: <c>Services:Incidents</c>, <c>Services:Approvals</c>, <c>Services:Executor</c>.
/// </summary>
public static class Extensions
{
    /// <summary>The methods the gateway serves itself, and what they answer.</summary>
    private static readonly IReadOnlyDictionary<string, (Delegate Handler, Type Answer)> Own = new Dictionary<string, (Delegate, Type)>
    {
        ["api_connections/create"] = (ConnectionEndpoints.Create, typeof(ConnectionEndpoints.ConnectionView)),
        ["api_connections/list"] = (ConnectionEndpoints.List, typeof(List<ConnectionEndpoints.ConnectionView>)),
        ["api_connections/revoke"] = (ConnectionEndpoints.Revoke, typeof(ConnectionEndpoints.ConnectionView)),
        ["api_connections/delete"] = (ConnectionEndpoints.Delete, typeof(ConnectionEndpoints.ConnectionView)),
        ["tenants/create"] = (TenantEndpoints.Create, typeof(TenantView)),
        ["tenants/list"] = (TenantEndpoints.List, typeof(List<TenantView>)),
        ["tenants/update"] = (TenantEndpoints.Update, typeof(TenantView)),
        ["users/create"] = (UserEndpoints.Create, typeof(UserView)),
        ["users/list"] = (UserEndpoints.List, typeof(List<UserView>)),
        ["users/update"] = (UserEndpoints.Update, typeof(UserView)),
        ["users/disable"] = (UserEndpoints.Disable, typeof(UserView)),
    };

    public static void AddGateway(this WebApplicationBuilder builder)
    {
        builder.AddMdrApi("gateway");
        builder.AddAccessStore();
        builder.Services.AddSingleton<TenantNames>();
        builder.Services.AddSingleton<ApiDocument>();
        builder.Services.AddHostedService<FirstStart>();
        builder.Services.AddHealthChecks().AddCheck<ServicesHealthCheck>("services", tags: [MdrMesh.ServiceDefaults.Health.Ready]);
        builder.AddGatewayAuthentication();
        builder.AddWebConsole();
        builder.AddGatewayRateLimiting();
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton<ServiceForwarder>();
        // The console, the readiness check and the API description call the services themselves (not forwarding).
        var timeout = builder.Configuration.GetValue("Gateway:ForwardTimeout", TimeSpan.FromSeconds(30));
        foreach (var service in ApiMethods.Forwarded)
            builder.Services.AddHttpClient(service, client =>
            {
                client.BaseAddress = new Uri(builder.Configuration[$"Services:{service}"]
                    ?? throw new InvalidOperationException($"Services:{service} is not set."));
                client.Timeout = timeout;
            });
    }

    public static void MapGateway(this WebApplication app)
    {
        app.UseMdrApi();
        app.UseWebConsole();
        // Who calls and what they may do is decided on the endpoint routing matched, whatever the path's spelling;
        // the limiter comes after, so requests nobody authenticated cannot use up a connection's budget.
        app.UseRouting();
        app.UseRequestGate();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.MapMethod(SessionEndpoints.Method, SessionEndpoints.Confirm).AllowAnonymous().Produces<SessionTokens>()
            .RequireRateLimiting(GatewayRateLimiting.PerAddress).WithMetadata(new ApiMethod(SessionEndpoints.Method, ApiMethods.Gateway, []));
        app.MapApiDescription();
        app.MapWebConsole();
        ApiMethods.RequireExactly(ApiMethods.Gateway, Own.Keys);
        // Every method of the table, by name: no catch-all, so an unknown method is a 404 and reaches nothing.
        foreach (var method in ApiMethods.All)
            (Own.TryGetValue(method.Name, out var own)
                    ? app.MapMethod(method.Name, own.Handler).Produces(200, own.Answer)
                    : app.MapMethod(method.Name, Forwarding.Forwarder(method.Name)))
                .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(
                    method.Name == Forwarding.Upload ? Forwarding.UploadLimit(app.Configuration) : MdrMesh.ServiceDefaults.Extensions.MaxRequestBodyBytes))
                .RequireAuthorization(GatewayAuthentication.PolicyFor(method.Name))
                .RequireRateLimiting(GatewayRateLimiting.PerConnection)
                .WithMetadata(method);
    }
}
