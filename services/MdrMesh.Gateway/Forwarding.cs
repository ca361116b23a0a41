using MdrMesh.Gateway.Access;
using MdrMesh.Gateway.Tenants;
using MdrMesh.Gateway.WebConsole;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Gateway;

/// <summary>
/// A method of a service behind the gateway, sent on: under its canonical name (never the path as the caller spelled
/// it), with the caller's identity and the internal key, tenant names turned into ids and back.
/// </summary>
public static class Forwarding
{
    /// <summary>Whether the method is served by a service behind the gateway (not by the gateway itself).</summary>
    public static bool IsForwarded(string method) => ApiMethods.ByName.TryGetValue(method, out var known) && known.Service != ApiMethods.Gateway;

    /// <summary>The service behind the gateway that serves <paramref name="method"/>.</summary>
    public static string ServiceFor(string method) => ApiMethods.ByName[method].Service;

    /// <summary>The method that carries a file: up to <c>Attachments:MaxBytes</c> (default 25 MiB) plus the multipart framing, streamed through.</summary>
    public const string Upload = "attachments/upload";

    public static long UploadLimit(IConfiguration configuration) =>
        configuration.GetValue("Attachments:MaxBytes", 25L * 1024 * 1024) + MdrMesh.ServiceDefaults.Extensions.MaxRequestBodyBytes;

    public static Delegate Forwarder(string method) =>
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
        // The service checks it and keeps it under the connection that sent it (the caller's id above).
        foreach (var key in context.Request.Headers[IdempotencyKey.Header]) request.Headers.TryAddWithoutValidation(IdempotencyKey.Header, key);
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
