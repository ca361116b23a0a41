using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MdrMesh.Notifications.Notifying;
using Polly.Timeout;

namespace MdrMesh.Notifications.Webhooks;

/// <summary>A send's outcome (its retries included), as the delivery log keeps it: <see cref="Error"/> is short and never holds the secret or the signature.</summary>
public sealed record WebhookResult(bool Delivered, int? StatusCode, string? Error)
{
    public static WebhookResult Failed(string error, int? statusCode = null) => new(false, statusCode, error);
}

/// <summary>
/// POSTs a signed notification to a subscriber. The <see cref="HttpClient"/> (see <see cref="WebhookSetup.AddWebhooks"/>)
/// retries transient failures, bounds every attempt and the whole call, follows no redirect, and connects only where
/// <see cref="TargetGuard"/> allows.
/// </summary>
public sealed class WebhookSender(HttpClient http, TimeProvider time)
{
    public const string UserAgent = "MdrMesh-Webhooks/1";

    public async Task<WebhookResult> SendAsync(Uri target, string secret, string body, Guid webhookId, CancellationToken cancellationToken)
    {
        var id = webhookId.ToString();
        // Signed once: the retries inside this call carry the same id, timestamp and signature, as one message should.
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Sign(secret, id, timestamp, body));
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            return status switch
            {
                >= 200 and < 300 => new WebhookResult(true, status, null),
                >= 300 and < 400 => WebhookResult.Failed($"redirect not followed (HTTP {status})", status),
                _ => WebhookResult.Failed($"HTTP {status}", status),
            };
        }
        catch (TimeoutRejectedException e)
        {
            return WebhookResult.Failed($"timed out after {e.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s");
        }
        catch (HttpRequestException e)
        {
            return WebhookResult.Failed(Describe(e));
        }
    }

    /// <summary>The body Standard Webhooks describes: <c>{"type", "timestamp" (ISO 8601, UTC), "data"}</c>.</summary>
    public static string Body(Notification notification) =>
        JsonSerializer.Serialize(new BodyShape(notification.Type, notification.Timestamp.UtcDateTime, notification.Data), BodyJson);

    private sealed record BodyShape(string Type, DateTime Timestamp, System.Text.Json.Nodes.JsonObject Data);

    private static readonly JsonSerializerOptions BodyJson = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    internal static TargetRefusedException? Refusal(Exception? e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
            if (inner is TargetRefusedException refused) return refused;
        return null;
    }

    // The handler wraps what the connect callback threw; the log wants the cause, not the wrapping.
    private static string Describe(HttpRequestException e)
    {
        if (Refusal(e) is { } refused) return refused.Message;
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
            if (inner is SocketException socket) return $"connection failed: {socket.SocketErrorCode}";
        return e.HttpRequestError is HttpRequestError.Unknown ? e.Message : $"request failed: {e.HttpRequestError}";
    }
}
