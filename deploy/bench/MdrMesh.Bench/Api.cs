using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace MdrMesh.Bench;

/// <summary>One API connection. The gateway limits calls per connection, so the bench spreads its load over several.</summary>
public sealed record Connection(string ClientId, string Access);

/// <summary>An answer: HTTP status (0 when the call failed without one), the JSON body, and how long the call took.</summary>
public sealed record Reply(int Status, JsonElement Body, double Ms)
{
    public bool Ok => Status is >= 200 and < 300;
    public string? Text(string name) =>
        Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>Answers by class, for one scenario.</summary>
public sealed class Counts
{
    public long Ok, TooMany, ServerError, OtherStatus, NoAnswer;

    public void Add(int status)
    {
        if (status is >= 200 and < 300) Interlocked.Increment(ref Ok);
        else if (status == 429) Interlocked.Increment(ref TooMany);
        else if (status >= 500) Interlocked.Increment(ref ServerError);
        else if (status == 0) Interlocked.Increment(ref NoAnswer);
        else Interlocked.Increment(ref OtherStatus);
    }
}

/// <summary>The MdrMesh API: every method is POST {root}/{client_id}/{method} with JSON.</summary>
public sealed class Api : IDisposable
{
    private readonly HttpClient http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2) })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };
    private readonly string root;
    private readonly List<Connection> connections = [];
    private readonly List<string> extra = [];
    private int next;

    /// <summary>Where the calls of the running scenario are counted.</summary>
    public Counts Counts { get; set; } = new();

    /// <param name="apiBase">{api_url}/{client_id} of the operator's connection.</param>
    public Api(string apiBase, string access)
    {
        var trimmed = apiBase.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        root = trimmed[..slash];
        connections.Add(new Connection(trimmed[(slash + 1)..], access));
    }

    public Connection Main => connections[0];
    public int ConnectionCount => connections.Count;

    private Connection Next() => connections[(int)((uint)Interlocked.Increment(ref next) % (uint)connections.Count)];

    /// <summary>
    /// Calls a method over the next connection. With <paramref name="retryTooMany"/> a 429 is counted and waited out
    /// (for seeding and polling, where only the result matters); without it, the 429 is the answer (for measured load).
    /// With <paramref name="idempotencyKey"/> (a creating call), a 5xx or no answer is sent again with the same key over the
    /// same connection (the key is the connection's), at most <see cref="FailureRetries"/> times: the service answers a
    /// call it already made with its first answer, so a retry never creates twice. Every attempt's status is counted.
    /// </summary>
    public async Task<Reply> CallAsync(string method, object body, bool retryTooMany = false, Connection? via = null, string? idempotencyKey = null)
    {
        via ??= Next();
        var started = Stopwatch.GetTimestamp();
        for (var failures = 0; ; )
        {
            var (status, parsed, retryAfter) = await SendAsync($"{root}/{via.ClientId}/{method}", body, via.Access, idempotencyKey);
            Counts.Add(status);
            if (status == 429 && retryTooMany)
            {
                await Task.Delay(retryAfter);
                continue;
            }
            if (idempotencyKey is not null && status is 0 or >= 500
                && (++failures <= FailureRetries || Stopwatch.GetElapsedTime(started) < RetryFailuresFor))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * Math.Min(failures, 5)));
                continue;
            }
            return new Reply(status, parsed, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>How often a creating call that failed (5xx, no answer) is sent again with its key.</summary>
    public const int FailureRetries = 3;

    /// <summary>
    /// Beyond <see cref="FailureRetries"/>, a failed creating call is sent again with its key until this much time has
    /// passed since its first attempt: the chaos run's client retries until it succeeds, as an integration would.
    /// </summary>
    public TimeSpan RetryFailuresFor { get; set; } = TimeSpan.Zero;

    private async Task<(int, JsonElement, TimeSpan)> SendAsync(string url, object body, string? access, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        if (access is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        if (idempotencyKey is not null) request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        try
        {
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var parsed = default(JsonElement);
            if (text.Length > 0)
            {
                try { parsed = JsonDocument.Parse(text).RootElement.Clone(); }
                catch (JsonException) { }
            }
            return ((int)response.StatusCode, parsed, response.Headers.RetryAfter?.Delta ?? TimeSpan.FromMilliseconds(200));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (0, default, TimeSpan.Zero);
        }
    }

    /// <summary>
    /// Adds connections (SOC_OPERATOR and FULL_ACCESS over every tenant) so that the offered load fits under the
    /// per-connection rate limit; each is confirmed once for its access token. <see cref="DeleteExtraAsync"/> removes them.
    /// </summary>
    public async Task AddConnectionsAsync(int count)
    {
        var stamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < count; i++)
        {
            var created = await CallAsync("api_connections/create",
                new { name = $"bench {stamp} {i}", rights = new[] { "SOC_OPERATOR", "FULL_ACCESS" } }, true, Main);
            var clientId = created.Text("client_id");
            var refresh = created.Text("refresh_token");
            if (clientId is null || refresh is null) throw new BenchException($"api_connections/create answered {created.Status}: {created.Body}");
            extra.Add(clientId);
            var (status, confirmed, _) = await SendAsync($"{root}/{clientId}/session/confirm", new { refresh_token = refresh }, null);
            var access = confirmed.ValueKind == JsonValueKind.Object && confirmed.TryGetProperty("access_token", out var a) ? a.GetString() : null;
            if (access is null) throw new BenchException($"session/confirm answered {status}: {confirmed}");
            connections.Add(new Connection(clientId, access));
        }
    }

    public async Task DeleteExtraAsync()
    {
        foreach (var clientId in extra) await CallAsync("api_connections/delete", new { client_id = clientId }, true, Main);
        connections.RemoveRange(1, connections.Count - 1);
        extra.Clear();
    }

    public void Dispose() => http.Dispose();
}

/// <summary>The bench itself cannot go on (not a slow system: a broken bench or an unreachable one).</summary>
public sealed class BenchException(string message) : Exception(message);
