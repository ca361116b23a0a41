using MdrMesh.ServiceDefaults;
using Microsoft.Extensions.Primitives;

namespace MdrMesh.Gateway;

/// <summary>
/// The one entry point of the API: <c>POST /api/v1/{client_id}/{method}</c> goes to the service
/// that owns the method's data. Base addresses come from <c>Services:Incidents</c>,
/// <c>Services:Approvals</c> and <c>Services:Executor</c>.
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

    private static readonly string[] ForwardedHeaders = ["Authorization", Caller.NameHeader, Caller.RoleHeader];

    public static string ServiceFor(string method) =>
        Routes.FirstOrDefault(r => method.StartsWith(r.MethodPrefix, StringComparison.Ordinal)).Service ?? "Incidents";

    public static void AddGateway(this WebApplicationBuilder builder)
    {
        builder.AddMdrApi();
        foreach (var service in new[] { "Incidents", "Approvals", "Executor" })
            builder.Services.AddHttpClient(service, client =>
                client.BaseAddress = new Uri(builder.Configuration[$"Services:{service}"]
                    ?? throw new InvalidOperationException($"Services:{service} is not set.")));
    }

    public static void MapGateway(this WebApplication app)
    {
        app.UseMdrApi();
        app.MapPost("/api/v1/{client_id}/{**method}", Forward);
    }

    private static async Task Forward(HttpContext context, string client_id, string method, IHttpClientFactory clients)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/{Uri.EscapeDataString(client_id)}/{method}")
        {
            Content = new StreamContent(context.Request.Body),
        };
        if (context.Request.ContentType is { } contentType) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        foreach (var header in ForwardedHeaders)
            if (context.Request.Headers.TryGetValue(header, out StringValues value))
                request.Headers.TryAddWithoutValidation(header, value.ToString());

        using var response = await clients.CreateClient(ServiceFor(method))
            .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        if (response.Content.Headers.ContentType is { } type) context.Response.ContentType = type.ToString();
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}
