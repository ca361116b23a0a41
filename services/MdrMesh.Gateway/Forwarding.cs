using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using MdrMesh.Gateway.Access;
using MdrMesh.Gateway.Tenants;
using MdrMesh.ServiceDefaults;
using Yarp.ReverseProxy.Forwarder;

namespace MdrMesh.Gateway;

/// <summary>
/// A method of a service behind the gateway, sent on with YARP's forwarder: under its canonical name (never the path as
/// the caller spelled it), with the caller's identity and the internal key, tenant names turned into ids and back.
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
        (HttpContext context, string client_id, ServiceForwarder forwarder) => forwarder.ForwardAsync(context, client_id, method);

    /// <summary>The path of <paramref name="method"/> at its owning service, relative to the service's address.</summary>
    public static string ServicePath(string clientId, string method) => $"api/v1/{Uri.EscapeDataString(clientId)}/{method}";

    /// <summary>A call of <paramref name="method"/> for its owning service, made by <paramref name="actor"/>: the identity headers and the internal key.</summary>
    public static HttpRequestMessage ServiceRequest(string clientId, string method, HttpContent content, IActor actor, IConfiguration configuration)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, ServicePath(clientId, method)) { Content = content };
        AddServiceHeaders(request.Headers, actor, configuration);
        return request;
    }

    /// <summary>Who calls (<see cref="GatewayAuthentication.IdentityHeaders"/>, URI-escaped as header values are ASCII) and the key only the gateway holds.</summary>
    public static void AddServiceHeaders(HttpRequestHeaders headers, IActor actor, IConfiguration configuration)
    {
        foreach (var (header, value) in GatewayAuthentication.IdentityHeaders(actor))
            headers.TryAddWithoutValidation(header, Uri.EscapeDataString(value));
        headers.TryAddWithoutValidation(Caller.InternalKeyHeader, configuration["Api:InternalKey"]);
    }
}

/// <summary>
/// The services behind the gateway as YARP destinations: each one address (<c>Services:{name}</c>) and one connection
/// pool, and <c>Gateway:ForwardTimeout</c> (default 30 s) as the longest the gateway waits for a service to go on.
/// </summary>
public sealed class ServiceForwarder : IDisposable
{
    private readonly IHttpForwarder _forwarder;
    private readonly TenantNames _tenantNames;
    private readonly IConfiguration _configuration;
    private readonly ILogger<ServiceForwarder> _log;
    private readonly ForwarderRequestConfig _requestConfig;
    private readonly Dictionary<string, (Uri Address, HttpMessageInvoker Invoker)> _services = [];

    public ServiceForwarder(IHttpForwarder forwarder, TenantNames tenantNames, IConfiguration configuration, ILogger<ServiceForwarder> log)
    {
        _forwarder = forwarder;
        _tenantNames = tenantNames;
        _configuration = configuration;
        _log = log;
        _requestConfig = new ForwarderRequestConfig { ActivityTimeout = configuration.GetValue("Gateway:ForwardTimeout", TimeSpan.FromSeconds(30)) };
        foreach (var service in ApiMethods.Forwarded)
        {
            var address = new Uri(configuration[$"Services:{service}"] ?? throw new InvalidOperationException($"Services:{service} is not set."));
            // As YARP advises for forwarding: no redirects, cookies, proxy or decompression of the gateway's own; the
            // trace context is the gateway's current one (the caller's traceparent is not a header that is forwarded).
            _services[service] = (address, new HttpMessageInvoker(new SocketsHttpHandler
            {
                UseProxy = false,
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.None,
                UseCookies = false,
                ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
                ConnectTimeout = TimeSpan.FromSeconds(15),
            }));
        }
    }

    /// <summary>Sends the call to the owning service under its canonical name, never the path as the caller spelled it.</summary>
    public async Task ForwardAsync(HttpContext context, string clientId, string method)
    {
        var limit = method == Forwarding.Upload ? Forwarding.UploadLimit(_configuration) : MdrMesh.ServiceDefaults.Extensions.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            await Results.Problem(statusCode: 413, title: "The request body is too large.", detail: $"At most {limit} bytes.").ExecuteAsync(context);
            return;
        }
        // A file is streamed through (Kestrel stops it past the limit with 413), never held whole in the gateway. Any
        // other body is read whole (Kestrel refuses past 1 MiB with 413) before anything is sent, so an oversized body
        // is never forwarded, and YARP sends on the body with tenant names turned into ids.
        if (method != Forwarding.Upload)
        {
            var received = new MemoryStream();
            await context.Request.Body.CopyToAsync(received, context.RequestAborted);
            var body = await _tenantNames.NamesToIdsAsync(received.ToArray(), context.RequestAborted);
            context.Request.Body = new MemoryStream(body);
            context.Request.ContentLength = body.Length;
        }

        var service = Forwarding.ServiceFor(method);
        var (address, invoker) = _services[service];
        var transformer = new ServiceTransformer(new Uri(address, Forwarding.ServicePath(clientId, method)), context.Connection(), _tenantNames, _configuration);
        var error = await _forwarder.SendAsync(context, address.ToString(), invoker, _requestConfig, transformer);
        // Once the answer has begun, or the caller has gone, there is nobody to tell.
        if (error == ForwarderError.None || context.Response.HasStarted || context.RequestAborted.IsCancellationRequested) return;

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        context.Response.Clear();
        if (error == ForwarderError.RequestBodyClient)
        {
            // The caller's own body could not be read: Kestrel's verdict (413 past the upload limit), never the service's fault.
            var status = Flatten(exception).OfType<BadHttpRequestException>().FirstOrDefault()?.StatusCode ?? 400;
            await Results.Problem(statusCode: status, title: "The request body could not be read.").ExecuteAsync(context);
            return;
        }
        _log.LogWarning("{Method}: the {Service} service is not answering ({Error}: {Message})", method, service, error, exception?.Message);
        // Never YARP's bare 502: the caller is told to come back, as when the service is stopped for an upgrade.
        await (error == ForwarderError.RequestTimedOut
            ? Unavailable.Problem(504, $"The {service} service did not answer in time.")
            : Unavailable.Problem(503, $"The {service} service is not answering.")).ExecuteAsync(context);
    }

    private static IEnumerable<Exception> Flatten(Exception? exception) => exception switch
    {
        null => [],
        AggregateException all => all.InnerExceptions.SelectMany(Flatten),
        _ => [exception, .. Flatten(exception.InnerException)],
    };

    public void Dispose()
    {
        foreach (var (_, invoker) in _services.Values) invoker.Dispose();
    }

    /// <summary>
    /// What the service is sent and what the caller gets back. Nothing is copied wholesale (no call of the base class):
    /// the caller's Authorization, cookies, look-alike identity headers and anything else stay at the gateway, and of the
    /// service's answer only what is named here reaches the caller.
    /// </summary>
    private sealed class ServiceTransformer(Uri destination, IActor actor, TenantNames tenantNames, IConfiguration configuration) : HttpTransformer
    {
        public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix,
            CancellationToken cancellationToken)
        {
            proxyRequest.RequestUri = destination;
            Forwarding.AddServiceHeaders(proxyRequest.Headers, actor, configuration);
            // The service checks it and keeps it under the connection that sent it (the caller's id above).
            foreach (var key in httpContext.Request.Headers[IdempotencyKey.Header]) proxyRequest.Headers.TryAddWithoutValidation(IdempotencyKey.Header, key);
            if (proxyRequest.Content is { } content)
            {
                if (httpContext.Request.ContentType is { } contentType) content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                content.Headers.ContentLength = httpContext.Request.ContentLength;
            }
            return ValueTask.CompletedTask;
        }

        public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse,
            CancellationToken cancellationToken)
        {
            // No answer (the service is down or too slow): ForwardAsync answers the caller.
            if (proxyResponse is null) return false;
            var response = httpContext.Response;
            if (proxyResponse.Content.Headers.ContentType is { } type) response.ContentType = type.ToString();
            if (proxyResponse.Headers.RetryAfter is { } retryAfter) response.Headers.RetryAfter = retryAfter.ToString();
            // A download is a file to save, never a page to show: kept as the type it is sent as, not sniffed into HTML.
            response.Headers.XContentTypeOptions = "nosniff";
            if (proxyResponse.Content.Headers.ContentDisposition is { } disposition) response.Headers.ContentDisposition = disposition.ToString();
            if (!proxyResponse.IsSuccessStatusCode || proxyResponse.Content.Headers.ContentType?.MediaType != "application/json") return true;

            // A JSON answer names tenants: read whole, written here, so YARP copies no body of its own (false).
            var answer = await tenantNames.IdsToNamesAsync(await proxyResponse.Content.ReadAsByteArrayAsync(cancellationToken), cancellationToken);
            response.ContentLength = answer.Length;
            await response.Body.WriteAsync(answer, cancellationToken);
            return false;
        }

        // Trailers are not on the list either.
        public override ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse,
            CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
