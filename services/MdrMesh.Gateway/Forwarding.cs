using MdrMesh.Gateway.Access;
using MdrMesh.Gateway.Tenants;
using MdrMesh.Gateway.WebConsole;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Gateway;

/// <summary>
/// The one entry point of the API: it authenticates every request (see
/// <see cref="GatewayAuthentication"/>), serves access methods itself, and sends every other
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

    /// <summary>The methods the gateway serves itself, and what they answer; every other method of <see cref="Rights.ByMethod"/> is forwarded.</summary>
    private static readonly IReadOnlyDictionary<string, (Delegate Handler, Type Answer)> Own = new Dictionary<string, (Delegate, Type)>
    {
        ["api_connections/create"] = (ConnectionEndpoints.Create, typeof(ConnectionEndpoints.ConnectionView)),
        ["api_connections/list"] = (ConnectionEndpoints.List, typeof(List<ConnectionEndpoints.ConnectionView>)),
        ["api_connections/revoke"] = (ConnectionEndpoints.Revoke, typeof(ConnectionEndpoints.ConnectionView)),
        ["api_connections/delete"] = (ConnectionEndpoints.Delete, typeof(ConnectionEndpoints.ConnectionView)),
        ["tenants/create"] = (TenantEndpoints.Create, typeof(TenantView)),
        ["tenants/list"] = (TenantEndpoints.List, typeof(List<TenantView>)),
        ["tenants/update"] = (TenantEndpoints.Update, typeof(TenantView)),
        ["users/create"] = (WebConsole.UserEndpoints.Create, typeof(WebConsole.UserView)),
        ["users/list"] = (WebConsole.UserEndpoints.List, typeof(List<WebConsole.UserView>)),
        ["users/update"] = (WebConsole.UserEndpoints.Update, typeof(WebConsole.UserView)),
        ["users/disable"] = (WebConsole.UserEndpoints.Disable, typeof(WebConsole.UserView)),
    };

    /// <summary>Whether the method is served by a service behind the gateway (not by the gateway itself).</summary>
    public static bool IsForwarded(string method) => !Own.ContainsKey(method) && method != SessionEndpoints.Method;

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
        var timeout = builder.Configuration.GetValue("Gateway:ForwardTimeout", TimeSpan.FromSeconds(30));
        foreach (var service in new[] { "Incidents", "Approvals", "Executor" })
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
            .RequireRateLimiting(GatewayRateLimiting.PerAddress).WithMetadata(new ApiMethod(SessionEndpoints.Method));
        app.MapApiDescription();
        app.MapWebConsole();
        if (Own.Keys.FirstOrDefault(m => !Rights.ByMethod.ContainsKey(m)) is { } missing)
            throw new InvalidOperationException($"{missing} is served by the gateway but missing from the rights table.");
        // Every method of the rights table, by name: no catch-all, so an unknown method is a 404 and reaches nothing.
        foreach (var method in Rights.ByMethod.Keys)
            (Own.TryGetValue(method, out var own) ? app.MapMethod(method, own.Handler).Produces(200, own.Answer) : app.MapMethod(method, Forwarder(method)))
                .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(
                    method == Upload ? UploadLimit(app.Configuration) : MdrMesh.ServiceDefaults.Extensions.MaxRequestBodyBytes))
                .RequireAuthorization(GatewayAuthentication.PolicyFor(method))
                .RequireRateLimiting(GatewayRateLimiting.PerConnection)
                .WithMetadata(new ApiMethod(method));
    }

    /// <summary>The method that carries a file: up to <c>Attachments:MaxBytes</c> (default 25 MiB) plus the multipart framing, streamed through.</summary>
    public const string Upload = "attachments/upload";

    private static long UploadLimit(IConfiguration configuration) =>
        configuration.GetValue("Attachments:MaxBytes", 25L * 1024 * 1024) + MdrMesh.ServiceDefaults.Extensions.MaxRequestBodyBytes;

    private static Delegate Forwarder(string method) =>
        (HttpContext context, string client_id, IHttpClientFactory clients, IConfiguration configuration) =>
            ForwardAsync(context, client_id, method, clients, configuration);

    /// <summary>A call of <paramref name="method"/> for its owning service, made by <paramref name="actor"/>: the identity headers and the internal key.</summary>
    public static HttpRequestMessage ServiceRequest(string clientId, string method, HttpContent content, IActor actor, IConfiguration configuration)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/{Uri.EscapeDataString(clientId)}/{method}") { Content = content };
        foreach (var (header, value) in GatewayAuthentication.IdentityHeaders(actor))
            request.Headers.TryAddWithoutValidation(header, Uri.EscapeDataString(value));
        request.Headers.TryAddWithoutValidation(Caller.InternalKeyHeader, configuration["Api:InternalKey"]);
        return request;
    }

    /// <summary>Sends the call to the owning service under its canonical name, never the path as the caller spelled it.</summary>
    private static async Task ForwardAsync(HttpContext context, string clientId, string method, IHttpClientFactory clients,
        IConfiguration configuration)
    {
        var limit = method == Upload ? UploadLimit(configuration) : MdrMesh.ServiceDefaults.Extensions.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            await Results.Problem(statusCode: 413, title: "The request body is too large.", detail: $"At most {limit} bytes.").ExecuteAsync(context);
            return;
        }
        var tenantNames = context.RequestServices.GetRequiredService<TenantNames>();
        HttpContent content;
        if (method == Upload)
            // A file is streamed through (Kestrel stops it past the limit with 413), never held whole in the gateway.
            content = new StreamContent(context.Request.Body);
        else
        {
            // Read whole (Kestrel refuses past 1 MiB with 413) before anything is sent: an oversized body is never forwarded.
            var received = new MemoryStream();
            await context.Request.Body.CopyToAsync(received, context.RequestAborted);
            content = new ByteArrayContent(await tenantNames.NamesToIdsAsync(received.ToArray(), context.RequestAborted));
        }
        using var request = ServiceRequest(clientId, method, content, context.Connection(), configuration);
        if (context.Request.ContentType is { } contentType) request.Content!.Headers.TryAddWithoutValidation("Content-Type", contentType);

        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(ServiceFor(method)).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Forwarding))
                .LogWarning("{Method}: the {Service} service is not answering ({Error})", method, ServiceFor(method), e.Message);
            await Unavailable.Problem(503, $"The {ServiceFor(method)} service is not answering.").ExecuteAsync(context);
            return;
        }
        catch (TaskCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            // HttpClient.Timeout (Gateway:ForwardTimeout) passed.
            await Unavailable.Problem(504, $"The {ServiceFor(method)} service did not answer in time.").ExecuteAsync(context);
            return;
        }
        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            if (response.Content.Headers.ContentType is { } type) context.Response.ContentType = type.ToString();
            if (response.Headers.RetryAfter is { } retryAfter) context.Response.Headers.RetryAfter = retryAfter.ToString();
            // A download is a file to save, never a page to show: kept as the type it is sent as, not sniffed into HTML.
            context.Response.Headers.XContentTypeOptions = "nosniff";
            if (response.Content.Headers.ContentDisposition is { } disposition) context.Response.Headers.ContentDisposition = disposition.ToString();
            if (response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == "application/json")
            {
                var answer = await tenantNames.IdsToNamesAsync(await response.Content.ReadAsByteArrayAsync(context.RequestAborted), context.RequestAborted);
                await context.Response.Body.WriteAsync(answer, context.RequestAborted);
            }
            else await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
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
