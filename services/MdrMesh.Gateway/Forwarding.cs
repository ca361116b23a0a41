using MdrMesh.Gateway.Access;
using MdrMesh.Gateway.Tenants;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Gateway;

/// <summary>
/// The one entry point of the API: it authenticates every request (see
/// <see cref="AuthenticationMiddleware"/>), serves access methods itself, and sends every other
/// <c>POST /api/v1/{client_id}/{method}</c> to the service that owns the method's data, with the
/// caller's identity. Base addresses: <c>Services:Incidents</c>, <c>Services:Approvals</c>, <c>Services:Executor</c>.
/// </summary>
public static class Forwarding
{
    /// <summary>Which service implements which methods; every other method belongs to Incidents.</summary>
    public static readonly IReadOnlyList<(string MethodPrefix, string Service)> Routes =
    [
        ("auto_accept/", "Approvals"),
        ("response/update", "Approvals"),
        ("responses/update", "Approvals"),
        ("assets/", "Executor"),
    ];

    public static string ServiceFor(string method) =>
        Routes.FirstOrDefault(r => method.StartsWith(r.MethodPrefix, StringComparison.Ordinal)).Service ?? "Incidents";

    public static void AddGateway(this WebApplicationBuilder builder)
    {
        builder.AddMdrApi();
        builder.Services.Configure<AccessOptions>(builder.Configuration.GetSection("Access"));
        builder.AddMdrMarten(AccessStore.Schema, options =>
        {
            options.Schema.For<ApiConnection>().UseOptimisticConcurrency(true);
            options.Schema.For<RefreshTokenRecord>().UseOptimisticConcurrency(true).Index(r => r.ClientId);
            options.Schema.For<Tenant>();
        });
        builder.Services.AddSingleton<TokenService>();
        builder.Services.AddHostedService<FirstStart>();
        builder.Services.AddHealthChecks().AddCheck<ServicesHealthCheck>("services");
        foreach (var service in new[] { "Incidents", "Approvals", "Executor" })
            builder.Services.AddHttpClient(service, client =>
                client.BaseAddress = new Uri(builder.Configuration[$"Services:{service}"]
                    ?? throw new InvalidOperationException($"Services:{service} is not set.")));
    }

    public static void MapGateway(this WebApplication app)
    {
        app.UseMdrApi();
        app.UseApiAuthentication();
        app.MapMethod("session/confirm", SessionEndpoints.Confirm);
        app.MapMethod("api_connections/create", ConnectionEndpoints.Create);
        app.MapMethod("api_connections/list", ConnectionEndpoints.List);
        app.MapMethod("api_connections/revoke", ConnectionEndpoints.Revoke);
        app.MapMethod("api_connections/delete", ConnectionEndpoints.Delete);
        app.MapMethod("tenants/create", TenantEndpoints.Create);
        app.MapMethod("tenants/list", TenantEndpoints.List);
        app.MapMethod("tenants/update", TenantEndpoints.Update);
        app.MapPost("/api/v1/{client_id}/{**method}", Forward);
    }

    private static async Task Forward(HttpContext context, string client_id, string method, IHttpClientFactory clients, IConfiguration configuration)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/{Uri.EscapeDataString(client_id)}/{method}")
        {
            Content = new StreamContent(context.Request.Body),
        };
        if (context.Request.ContentType is { } contentType) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        foreach (var (header, value) in AuthenticationMiddleware.IdentityHeaders(context.Connection()))
            request.Headers.TryAddWithoutValidation(header, Uri.EscapeDataString(value));
        request.Headers.TryAddWithoutValidation(Caller.InternalKeyHeader, configuration["Api:InternalKey"]);

        using var response = await clients.CreateClient(ServiceFor(method))
            .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        if (response.Content.Headers.ContentType is { } type) context.Response.ContentType = type.ToString();
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}

/// <summary>The gateway is healthy when the services it forwards to are.</summary>
public sealed class ServicesHealthCheck(IHttpClientFactory clients) : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
{
    public async Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
        Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken ct = default)
    {
        var down = new List<string>();
        foreach (var service in new[] { "Incidents", "Approvals", "Executor" })
        {
            try
            {
                using var response = await clients.CreateClient(service).GetAsync("health", ct);
                if (!response.IsSuccessStatusCode) down.Add(service);
            }
            catch (HttpRequestException)
            {
                down.Add(service);
            }
        }
        return down.Count == 0
            ? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy()
            : Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy($"Not answering: {string.Join(", ", down)}");
    }
}
