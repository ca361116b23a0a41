using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace MdrMesh.ServiceDefaults;

/// <summary>
/// The <c>Idempotency-Key</c> header of a creating method (IETF httpapi draft): null <see cref="Value"/> when not sent (the
/// method behaves as without it), otherwise 1–255 printable ASCII characters; <see cref="Error"/> says why a sent one is not.
/// Handlers take it as a parameter, like <see cref="Caller"/>; the gateway forwards the caller's header unchanged.
/// </summary>
public sealed record IdempotencyKey(string? Value, string? Error)
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 255;

    /// <summary>The methods that take the header (the OpenAPI document describes it on each).</summary>
    public static readonly IReadOnlySet<string> Methods = new HashSet<string>
    {
        "incidents/create", "responses/create", "comments/create", "attachments/upload", "assets/register", "tenants/create",
        "api_connections/create",
    };

    public static ValueTask<IdempotencyKey?> BindAsync(HttpContext context)
    {
        var values = context.Request.Headers[Header];
        if (values.Count == 0) return ValueTask.FromResult<IdempotencyKey?>(new IdempotencyKey(null, null));
        var value = values.Count == 1 ? values[0] ?? "" : "";
        var error = values.Count > 1 ? "must be sent once"
            : value.Length is 0 or > MaxLength || value.Any(c => c is < ' ' or > '~') ? $"must be 1 to {MaxLength} printable ASCII characters"
            : null;
        return ValueTask.FromResult<IdempotencyKey?>(new IdempotencyKey(error is null ? value : null, error));
    }

    /// <summary>400 naming the header, or null when the key is absent or well formed.</summary>
    public IResult? Problem => Error is null ? null : ApiProblems.BadRequest(Header, Error);

    /// <summary>
    /// The claim of one request on the key, or null without a key. The record's id binds the key to the API connection (another
    /// connection's identical key is its own); the fingerprint is the method and the request as bound, so the same call retried
    /// matches and a different body does not.
    /// </summary>
    public Idempotent? For<TRequest>(Caller caller, string method, TRequest request) => For(caller.Id, method, request);

    /// <summary>As <see cref="For{TRequest}(Caller, string, TRequest)"/>, for the API connection <paramref name="connectionId"/>.</summary>
    public Idempotent? For<TRequest>(string connectionId, string method, TRequest request) => Value is null ? null
        : new Idempotent(Hash($"{connectionId}\n{Value}"), method, Hash($"{method}\n{JsonSerializer.Serialize(request, ApiJson.Options)}"));

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
