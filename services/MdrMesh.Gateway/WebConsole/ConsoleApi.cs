using System.Text.Json;
using System.Text.Json.Nodes;
using MdrMesh.Gateway.Tenants;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Gateway.WebConsole;

/// <summary>An API method's answer to the console: its status and body (a problem's <c>errors</c> name the fields).</summary>
public sealed record ApiAnswer(int Status, JsonNode? Body)
{
    public bool Ok => Status is >= 200 and < 300;

    public T As<T>() => Body.Deserialize<T>(ApiJson.Options)!;

    /// <summary>Each field a 400 named and its rules, for the form to show beside the field.</summary>
    public IReadOnlyDictionary<string, string> Errors => Body?["errors"] is JsonObject errors
        ? errors.ToDictionary(e => e.Key, e => string.Join("; ", e.Value!.AsArray().Select(r => r!.GetValue<string>())))
        : new Dictionary<string, string>();

    public string Message => Body?["detail"]?.GetValue<string>() ?? Body?["title"]?.GetValue<string>() ?? $"The call failed ({Status}).";
}

/// <summary>
/// The console acts through the API's own methods, as the signed-in user: the rights table decides what the user may
/// call, and the services record each change under the user's name and id exactly as they do a connection's.
/// </summary>
public sealed class ConsoleApi(IHttpClientFactory clients, IConfiguration configuration, TenantNames tenantNames, ILogger<ConsoleApi> log)
{
    /// <summary>
    /// One incident, or why not. No password in it: a page shows none until a person asks for one (a reveal is a recorded read).
    /// </summary>
    public async Task<(Pages.IncidentRow? Incident, string? Error)> IncidentAsync(ConsoleUser user, string id, CancellationToken ct)
    {
        var details = await CallAsync(user, "incidents/details", new { incident_id = id, reveal_passwords = false }, ct);
        if (details.Ok) return (details.As<Pages.IncidentRow>(), null);
        return (null, details.Status == 404 ? "No such incident in the tenants you may reach." : details.Message);
    }

    /// <summary>The answer of a method the gateway serves itself, whose handler the page called with the user as the caller.</summary>
    public static async Task<ApiAnswer> OwnAsync(ConsoleUser user, string method, Func<Task<IResult>> handler)
    {
        if (!user.May(method)) return new ApiAnswer(403, new JsonObject { ["title"] = $"Your rights do not cover {method}." });
        var result = await handler();
        var status = (result as IStatusCodeHttpResult)?.StatusCode ?? 200;
        var value = (result as IValueHttpResult)?.Value;
        return new ApiAnswer(status, value is null ? null : JsonSerializer.SerializeToNode(value, value.GetType(), ApiJson.Options));
    }

    public async Task<ApiAnswer> CallAsync(ConsoleUser user, string method, object body, CancellationToken ct)
    {
        var json = new ByteArrayContent(await tenantNames.NamesToIdsAsync(JsonSerializer.SerializeToUtf8Bytes(body, ApiJson.Options), ct));
        json.Headers.ContentType = new("application/json");
        var (answer, file) = await SendAsync(user, method, json, ct);
        file?.Dispose();
        return answer;
    }

    /// <summary>A file the API answers (<c>attachments/download</c>), or the problem instead.</summary>
    public async Task<(ApiAnswer Answer, HttpResponseMessage? File)> DownloadAsync(ConsoleUser user, string method, object body, CancellationToken ct)
    {
        var json = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, ApiJson.Options));
        json.Headers.ContentType = new("application/json");
        return await SendAsync(user, method, json, ct);
    }

    /// <summary>A multipart call (<c>attachments/upload</c>), as the API takes it.</summary>
    public async Task<ApiAnswer> UploadAsync(ConsoleUser user, string method, MultipartFormDataContent form, CancellationToken ct)
    {
        var (answer, file) = await SendAsync(user, method, form, ct);
        file?.Dispose();
        return answer;
    }

    private async Task<(ApiAnswer, HttpResponseMessage?)> SendAsync(ConsoleUser user, string method, HttpContent content, CancellationToken ct)
    {
        if (!user.May(method)) return (new ApiAnswer(403, new JsonObject { ["title"] = $"Your rights do not cover {method}." }), null);
        if (!Forwarding.IsForwarded(method)) throw new InvalidOperationException($"{method} is served by the gateway itself: call its handler.");
        using var request = Forwarding.ServiceRequest(user.Id, method, content, user, configuration);
        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(Forwarding.ServiceFor(method)).SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            log.LogWarning("Console {Method}: the {Service} service is not answering ({Error})", method, Forwarding.ServiceFor(method), e.Message);
            return (new ApiAnswer(503, new JsonObject { ["title"] = $"The {Forwarding.ServiceFor(method)} service is not answering; try again shortly." }), null);
        }
        var json = response.Content.Headers.ContentType?.MediaType is "application/json" or "application/problem+json";
        // A file is handed on as it is, to be streamed to the browser.
        if (response.IsSuccessStatusCode && !json) return (new ApiAnswer((int)response.StatusCode, null), response);
        using (response)
        {
            var answer = await response.Content.ReadAsByteArrayAsync(ct);
            if (response.IsSuccessStatusCode) answer = await tenantNames.IdsToNamesAsync(answer, ct);
            return (new ApiAnswer((int)response.StatusCode, answer.Length > 0 && json ? JsonNode.Parse(answer) : null), null);
        }
    }
}
